import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiAuthError, type ApiAuthErrorCode } from './errors.ts';
import {
  authErrorAnswer,
  authorizationOfNodeRequest,
  createEagerRequestGuard,
  createRequestGuard,
  runRequestGuard,
} from './request-guard.ts';
import { accessToken, claimsFor, clock, fakeProvider, generateSigningKey, shopping } from './test-support/provider.ts';
import { createAccessTokenVerifier } from './verify-access-token.ts';

const key = generateSigningKey('ES384');

/** A verifier that has cached `token` (verified twice), and the token. */
async function reusedToken() {
  const provider = fakeProvider([key]);
  const time = clock();
  const verifier = createAccessTokenVerifier(
    { endpoint: provider.endpoint },
    { audience: shopping, fetch: provider.fetch, now: time.now },
  );
  const token = accessToken(key, claimsFor(provider.issuer, time.seconds()));
  await verifier.verify(token);
  await verifier.verify(token);
  return { verifier, token, provider, time };
}

function refusedWith(run: () => unknown, code: ApiAuthErrorCode): void {
  assert.throws(run, (error: { code?: string }) => {
    assert.equal(error.code, code);
    return true;
  });
}

describe('the eager request guard', () => {
  it('answers at once, without a promise, while it can: a reused token, or a new one with the keys at hand', async () => {
    const { verifier, token, provider, time } = await reusedToken();
    const guard = createEagerRequestGuard({ verifier, scopes: ['shopping:read'] });
    const auth = guard(`Bearer ${token}`, {});
    assert.ok(!(auth instanceof Promise));
    assert.equal(auth.sub, 'user-1');
    assert.equal(guard(`bEARER ${token}`, {}), auth, 'the scheme in any case');
    const fresh = accessToken(key, claimsFor(provider.issuer, time.seconds(), { jti: 'new' }));
    assert.equal((guard(`Bearer ${fresh}`, {}) as { sub: string }).sub, 'user-1');
    time.advance(2000);
    const later = accessToken(key, claimsFor(provider.issuer, time.seconds(), { jti: 'later' }));
    const pending = guard(`Bearer ${later}`, {});
    assert.ok(pending instanceof Promise, 'the key set is asked for again after a second');
    assert.equal((await pending).sub, 'user-1');
    refusedWith(() => guard(`Bearer ${accessToken(key, { iss: 'https://elsewhere' })}`, {}), 'invalid_token');
  });

  it('refuses a header of a reused token that the strict parse refuses, with the same code', async () => {
    const { verifier, token } = await reusedToken();
    const guard = createEagerRequestGuard({ verifier });
    refusedWith(() => guard(`Bearer ${token} extra`, {}), 'auth.authorization_token_invalid_format');
    refusedWith(() => guard(`Basic ${token}`, {}), 'auth.authorization_token_type_not_supported');
    for (const scheme of ['Basic2', 'bearex', 'BEARE ']) {
      refusedWith(() => guard(`${scheme} ${token}`, {}), 'auth.authorization_token_type_not_supported');
    }
    refusedWith(() => guard(`BearerX${token}`, {}), 'auth.authorization_token_invalid_format');
    refusedWith(() => guard('', {}), 'auth.authorization_header_missing');
    for (const header of [`  Bearer   ${token}\t`, `Bearer\u00a0${token}`]) {
      assert.equal((guard(header, {}) as { sub: string }).sub, 'user-1', 'other whitespace, as before');
    }
  });

  it("checks a reused token against every request's requirements", async () => {
    const { verifier, token } = await reusedToken();
    refusedWith(
      () => createEagerRequestGuard({ verifier, scopes: ['shopping:write'] })(`Bearer ${token}`, {}),
      'insufficient_scope',
    );
    refusedWith(
      () => createEagerRequestGuard({ verifier, audience: 'https://other.example.com/api' })(`Bearer ${token}`, {}),
      'invalid_token',
    );
    const byRequest = createEagerRequestGuard<{ id?: string }>({ verifier, organizationId: (req) => req.id });
    refusedWith(() => byRequest(`Bearer ${token}`, {}), 'invalid_token');
    refusedWith(() => byRequest(`Bearer ${token}`, { id: 'org-1' }), 'invalid_token');
  });

  it('verifies every time with a verifier whose cache is off', async () => {
    const { token, provider, time } = await reusedToken();
    const verifier = createAccessTokenVerifier(
      { endpoint: provider.endpoint },
      { audience: shopping, fetch: provider.fetch, now: time.now, cache: false },
    );
    const guard = createEagerRequestGuard({ verifier });
    assert.equal((await guard(`Bearer ${token}`, {})).sub, 'user-1');
    assert.equal((await guard(`Bearer ${token}`, {})).sub, 'user-1');
    time.advance(2000);
    const again = guard(`Bearer ${token}`, {});
    assert.ok(again instanceof Promise, 'no cached answer: the key set is asked for again after a second');
    assert.equal((await again).sub, 'user-1');
  });

  it('refuses at once a token whose signature does not verify with the keys at hand', async () => {
    const { verifier, provider, time } = await reusedToken();
    const guard = createEagerRequestGuard({ verifier });
    const forged = accessToken(generateSigningKey('ES384'), claimsFor(provider.issuer, time.seconds(), { jti: 'f' }), {
      kid: key.kid,
    });
    refusedWith(() => guard(`Bearer ${forged}`, {}), 'invalid_token');
  });

  it('answers at once for a token signed with another key of the key set at hand', async () => {
    const second = generateSigningKey('ES384');
    const provider = fakeProvider([key, second]);
    const time = clock();
    const verifier = createAccessTokenVerifier(
      { endpoint: provider.endpoint },
      { audience: shopping, fetch: provider.fetch, now: time.now },
    );
    await verifier.verify(accessToken(key, claimsFor(provider.issuer, time.seconds())));
    const guard = createEagerRequestGuard({ verifier });
    const auth = guard(`Bearer ${accessToken(second, claimsFor(provider.issuer, time.seconds()))}`, {});
    assert.ok(!(auth instanceof Promise), 'its key is prepared without waiting');
    assert.equal(auth.sub, 'user-1');
  });

  it('createRequestGuard gives the same answers as promises', async () => {
    const { verifier, token } = await reusedToken();
    const guard = createRequestGuard({ verifier, scopes: ['shopping:read'] });
    const auth = guard(`Bearer ${token}`, {});
    assert.ok(auth instanceof Promise);
    assert.equal((await auth).sub, 'user-1');
    await assert.rejects(guard(`Bearer ${token} extra`, {}), { code: 'auth.authorization_token_invalid_format' });
  });

  it('works with a verifier of its own making, through verify()', async () => {
    const { verifier, token } = await reusedToken();
    const own = { issuer: verifier.issuer, audience: verifier.audience, verify: verifier.verify };
    const auth = createEagerRequestGuard({ verifier: own })(`Bearer ${token}`, {});
    assert.ok(auth instanceof Promise);
    assert.equal((await auth).sub, 'user-1');
  });
});

describe("the route's organization", () => {
  /** A verifier without an audience of its own, and an organization token for `organization`. */
  function organizationSetup() {
    const provider = fakeProvider([key]);
    const time = clock();
    const verifier = createAccessTokenVerifier(
      { endpoint: provider.endpoint },
      { fetch: provider.fetch, now: time.now },
    );
    const tokenFor = (organization: string) =>
      accessToken(key, claimsFor(provider.issuer, time.seconds(), { aud: `urn:logto:organization:${organization}` }));
    return { verifier, tokenFor, resourceToken: accessToken(key, claimsFor(provider.issuer, time.seconds())) };
  }

  it('refuses at creation a route that names neither an audience nor an organization', () => {
    const { verifier } = organizationSetup();
    assert.throws(() => createEagerRequestGuard({ verifier }), TypeError);
    assert.throws(() => createEagerRequestGuard({ verifier, scopes: ['shopping:read'] }), TypeError);
  });

  it('accepts at creation a route that names an audience, an organization, or how to read it', () => {
    const { verifier } = organizationSetup();
    createEagerRequestGuard({ verifier, audience: shopping });
    createEagerRequestGuard({ verifier, organizationId: 'org-1' });
    createEagerRequestGuard<{ id: string }>({ verifier, organizationId: (req) => req.id });
  });

  it('refuses at creation an organization that is no id: empty, null or a number', () => {
    const { verifier } = organizationSetup();
    for (const organizationId of ['', null, 42]) {
      assert.throws(
        () => createEagerRequestGuard({ verifier, audience: shopping, organizationId: organizationId as string }),
        { name: 'TypeError', message: /`organizationId` must be a non-empty string or a function/ },
        String(organizationId),
      );
    }
  });

  it('checks every token against a fixed organization', async () => {
    const { verifier, tokenFor, resourceToken } = organizationSetup();
    const guard = createEagerRequestGuard({ verifier, organizationId: 'org-1' });
    assert.equal((await guard(`Bearer ${tokenFor('org-1')}`, {})).organizationId, 'org-1');
    await assert.rejects(async () => guard(`Bearer ${tokenFor('org-2')}`, {}), { code: 'invalid_token' });
    await assert.rejects(async () => guard(`Bearer ${resourceToken}`, {}), { code: 'invalid_token' });
  });

  it("checks a reused token against each request's organization", async () => {
    const { verifier, tokenFor } = organizationSetup();
    const token = tokenFor('org-1');
    await verifier.verify(token, { organizationId: 'org-1' });
    const guard = createEagerRequestGuard<{ id?: unknown }>({ verifier, organizationId: (req) => req.id });
    assert.equal((guard(`Bearer ${token}`, { id: 'org-1' }) as { organizationId?: string }).organizationId, 'org-1');
    refusedWith(() => guard(`Bearer ${token}`, { id: 'org-2' }), 'invalid_token');
    refusedWith(() => guard(`Bearer ${token}`, { id: ['org-1'] }), 'invalid_token');
  });

  it('refuses a request that names the empty organization, even with a token for it', async () => {
    const { verifier, tokenFor } = organizationSetup();
    const token = tokenFor('');
    const guard = createEagerRequestGuard<{ id?: string }>({ verifier, organizationId: (req) => req.id });
    await assert.rejects(async () => guard(`Bearer ${token}`, { id: '' }), {
      code: 'invalid_token',
      message: /names no organization/,
    });
    await assert.rejects(async () => guard(`Bearer ${token}`, {}), { message: /names no organization/ });
  });
});

describe('authErrorAnswer', () => {
  it('answers a refusal as JSON that no cache may keep, with its challenge', () => {
    const answer = authErrorAnswer(new ApiAuthError('insufficient_scope', 'The access token lacks a scope.'));
    assert.equal(answer.status, 403);
    assert.equal(answer.headers['cache-control'], 'no-store');
    assert.equal(answer.headers['content-type'], 'application/json');
    assert.match(answer.headers['www-authenticate'] ?? '', /^Bearer .*insufficient_scope/);
    assert.equal(JSON.parse(answer.body).code, 'insufficient_scope');
  });
});

describe('runRequestGuard', () => {
  type Outcome = { passed?: string; refused?: { status: number; challenge?: string }; failed?: unknown };
  const run = (guard: Parameters<typeof runRequestGuard<object, Outcome>>[0], authorization: string | undefined) =>
    runRequestGuard<object, Outcome>(
      guard,
      authorization,
      {},
      (auth) => ({ passed: auth.sub }),
      (answer) => ({ refused: { status: answer.status, challenge: answer.headers['www-authenticate'] } }),
      (error) => ({ failed: error }),
    );

  it('passes a reused token at once, without a promise', async () => {
    const { verifier, token } = await reusedToken();
    assert.deepEqual(run(createEagerRequestGuard({ verifier }), `Bearer ${token}`), { passed: 'user-1' });
  });

  it('passes a token verified later through the promise', async () => {
    const { verifier, provider, time } = await reusedToken();
    const other = accessToken(generateSigningKey('ES384'), claimsFor(provider.issuer, time.seconds()));
    const outcome = run(createEagerRequestGuard({ verifier }), `Bearer ${other}`);
    assert.ok(outcome instanceof Promise, 'an unknown key is fetched for');
    assert.equal((await outcome).refused?.status, 401);
  });

  it('refuses with the answer to send: a missing header (thrown at once) and an insufficient scope', async () => {
    const { verifier, token } = await reusedToken();
    const missing = run(createEagerRequestGuard({ verifier }), undefined) as Outcome;
    assert.equal(missing.refused?.status, 401);
    assert.match(missing.refused?.challenge ?? '', /^Bearer/);
    const scoped = run(createEagerRequestGuard({ verifier, scopes: ['shopping:admin'] }), `Bearer ${token}`) as Outcome;
    assert.equal(scoped.refused?.status, 403);
  });

  it('gives any other error to fail, not as a refusal', async () => {
    const broken = new Error('the verifier broke');
    const guard = () => {
      throw broken;
    };
    assert.deepEqual(run(guard, 'Bearer x'), { failed: broken });
    assert.deepEqual(await run(() => Promise.reject(broken), 'Bearer x'), { failed: broken });
  });
});

describe('authorizationOfNodeRequest', () => {
  const request = (rawHeaders: unknown, httpVersionMajor: unknown = 1) => ({ rawHeaders, httpVersionMajor });

  it('reads the one Authorization header of an HTTP/1 request, its name in any case', () => {
    assert.equal(authorizationOfNodeRequest(request(['Host', 'a', 'Authorization', 'Bearer t'])), 'Bearer t');
    assert.equal(authorizationOfNodeRequest(request(['authorization', 'Bearer t'])), 'Bearer t');
    assert.equal(authorizationOfNodeRequest(request(['AUTHORIZATION', ''])), '');
  });

  it('answers undefined (ask the framework) for two headers, none, HTTP/2, or no request', () => {
    assert.equal(
      authorizationOfNodeRequest(request(['authorization', 'Bearer a', 'Authorization', 'Bearer b'])),
      undefined,
    );
    assert.equal(authorizationOfNodeRequest(request(['host', 'a'])), undefined);
    assert.equal(authorizationOfNodeRequest(request(['authorization', 'Bearer t'], 2)), undefined);
    assert.equal(authorizationOfNodeRequest(request('authorization: Bearer t')), undefined);
    assert.equal(authorizationOfNodeRequest(undefined), undefined);
    assert.equal(
      authorizationOfNodeRequest(request(['authorizationx', 'Bearer t', 'x-authorization', 'Bearer u'])),
      undefined,
    );
  });

  it('reads no header whose name only resembles Authorization', () => {
    for (const name of ['authorisation', 'AUTHORISATION', '', 'authorizatio', 'x-authorizatio']) {
      assert.equal(authorizationOfNodeRequest(request([name, 'Bearer t'])), undefined, JSON.stringify(name));
    }
    const lookalike = { length: 13, toLowerCase: () => 'authorization' };
    assert.equal(authorizationOfNodeRequest(request([lookalike, 'Bearer t'])), undefined, 'a name that is no string');
    assert.equal(authorizationOfNodeRequest(request([42, 'x', 'Authorization', 'Bearer t'])), 'Bearer t');
  });

  it('answers undefined for a header value that is no string', () => {
    assert.equal(authorizationOfNodeRequest(request(['authorization', ['Bearer t']])), undefined);
    assert.equal(authorizationOfNodeRequest(request(['Authorization'])), undefined);
  });
});
