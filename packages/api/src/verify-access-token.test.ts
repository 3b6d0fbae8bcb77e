import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authErrorResponse, authenticateRequest } from './authenticate-request.ts';
import { ApiAuthError, type ApiAuthErrorCode } from './errors.ts';
import type { AccessRequirements } from './requirements.ts';
import {
  accessToken,
  claimsFor,
  clock,
  fakeProvider,
  generateSigningKey,
  type SigningKey,
  shopping,
  signHs256,
  signJws,
} from './test-support/provider.ts';
import { type AccessTokenVerifierOptions, createAccessTokenVerifier } from './verify-access-token.ts';

const trusted = generateSigningKey('ES384');
const trustedEs256 = generateSigningKey('ES256');
const trustedRsa = generateSigningKey('RS256');
const trustedEd = generateSigningKey('EdDSA');
const attacker = generateSigningKey('ES384');
const attackerEs256 = generateSigningKey('ES256');

function setup(
  keys: readonly SigningKey[] = [trusted, trustedEs256, trustedRsa, trustedEd],
  options: AccessTokenVerifierOptions = {},
) {
  const provider = fakeProvider(keys);
  const time = clock();
  const verifier = createAccessTokenVerifier(
    { endpoint: provider.endpoint },
    { audience: shopping, fetch: provider.fetch, now: time.now, ...options },
  );
  const claims = (overrides: Record<string, unknown> = {}) => claimsFor(provider.issuer, time.seconds(), overrides);
  return { provider, time, verifier, claims };
}

type Context = ReturnType<typeof setup>;

interface RefusalCase {
  readonly name: string;
  /** The Authorization header value, `undefined` for none. */
  readonly authorization: (context: Context) => string | undefined;
  readonly requirements?: AccessRequirements;
  readonly status: 401 | 403;
  readonly code: ApiAuthErrorCode;
  /** What the message must say: the token is refused for this reason, not another. */
  readonly reason: RegExp;
}

const bearer = (token: string) => `Bearer ${token}`;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

// Each attack is one row: the token (or header) that must be refused, and how.
const refusals: readonly RefusalCase[] = [
  {
    name: 'no Authorization header',
    authorization: () => undefined,
    status: 401,
    code: 'auth.authorization_header_missing',
    reason: /missing/,
  },
  {
    name: 'the Basic scheme',
    authorization: () => 'Basic c2FtcGxlOnNlY3JldA==',
    status: 401,
    code: 'auth.authorization_token_type_not_supported',
    reason: /Bearer/,
  },
  {
    name: 'the Bearer scheme without a token',
    authorization: () => 'Bearer',
    status: 401,
    code: 'auth.authorization_token_invalid_format',
    reason: /Bearer <access token>/,
  },
  {
    name: 'a token of one part only',
    authorization: () => bearer('eyJhbGciOiJFUzM4NCJ9'),
    status: 401,
    code: 'invalid_token',
    reason: /three dot-separated parts/,
  },
  {
    name: 'alg none',
    authorization: ({ claims }) =>
      bearer(`${b64({ alg: 'none', typ: 'at+jwt', kid: trusted.kid })}.${b64(claims())}.c2ln`),
    status: 401,
    code: 'invalid_token',
    reason: /algorithm/,
  },
  {
    name: 'alg none with an empty signature',
    authorization: ({ claims }) => bearer(`${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims())}.`),
    status: 401,
    code: 'invalid_token',
    reason: /signature is not canonical base64url/,
  },
  {
    name: 'HS256 signed with the public key as the secret',
    authorization: ({ claims }) =>
      bearer(
        signHs256(
          { alg: 'HS256', typ: 'at+jwt', kid: trusted.kid },
          claims(),
          Buffer.from(trusted.publicKey.export({ type: 'spki', format: 'pem' })),
        ),
      ),
    status: 401,
    code: 'invalid_token',
    reason: /algorithm/,
  },
  {
    name: 'a key embedded in the header (jwk)',
    authorization: ({ claims }) => bearer(accessToken(attacker, claims(), { kid: trusted.kid, jwk: attacker.jwk })),
    status: 401,
    code: 'invalid_token',
    reason: /signature does not verify/,
  },
  {
    name: 'a key set URL in the header (jku)',
    authorization: ({ claims }) =>
      bearer(accessToken(attacker, claims(), { kid: trusted.kid, jku: 'https://attacker.example/jwks' })),
    status: 401,
    code: 'invalid_token',
    reason: /signature does not verify/,
  },
  {
    name: 'a certificate chain in the header (x5c)',
    authorization: ({ claims }) =>
      bearer(accessToken(attacker, claims(), { kid: trusted.kid, x5c: ['MIIB'], x5u: 'https://attacker.example/c' })),
    status: 401,
    code: 'invalid_token',
    reason: /signature does not verify/,
  },
  {
    name: 'an unknown kid',
    authorization: ({ claims }) => bearer(accessToken(attacker, claims())),
    status: 401,
    code: 'invalid_token',
    reason: /does not publish/,
  },
  {
    name: 'a key whose type does not fit alg (RSA key, ES256 header)',
    authorization: ({ claims }) => bearer(accessToken(attackerEs256, claims(), { kid: trustedRsa.kid })),
    status: 401,
    code: 'invalid_token',
    reason: /does not fit/,
  },
  {
    name: 'a kid that is not a string',
    authorization: ({ claims }) => bearer(accessToken(trusted, claims(), { kid: 7 })),
    status: 401,
    code: 'invalid_token',
    reason: /kid/,
  },
  {
    name: 'a wrong iss',
    authorization: ({ claims }) => bearer(accessToken(trusted, claims({ iss: 'https://evil.example.com/oidc' }))),
    status: 401,
    code: 'invalid_token',
    reason: /not issued by/,
  },
  {
    name: 'the issuer as an array',
    authorization: ({ claims, provider }) => bearer(accessToken(trusted, claims({ iss: [provider.issuer] }))),
    status: 401,
    code: 'invalid_token',
    reason: /not issued by/,
  },
  {
    name: 'a wrong aud',
    authorization: ({ claims }) => bearer(accessToken(trusted, claims({ aud: 'https://store.your-app.com/api' }))),
    status: 401,
    code: 'invalid_token',
    reason: /not for this API/,
  },
  {
    name: 'aud as an empty array',
    authorization: ({ claims }) => bearer(accessToken(trusted, claims({ aud: [] }))),
    status: 401,
    code: 'invalid_token',
    reason: /aud/,
  },
  {
    name: 'an expired token',
    authorization: ({ claims, time }) => bearer(accessToken(trusted, claims({ exp: time.seconds() - 60 }))),
    status: 401,
    code: 'invalid_token',
    reason: /expired/,
  },
  {
    name: 'a non-numeric exp',
    authorization: ({ claims, time }) => bearer(accessToken(trusted, claims({ exp: String(time.seconds() + 3600) }))),
    status: 401,
    code: 'invalid_token',
    reason: /exp/,
  },
  {
    name: 'no exp',
    authorization: ({ claims }) => bearer(accessToken(trusted, claims({ exp: undefined }))),
    status: 401,
    code: 'invalid_token',
    reason: /exp/,
  },
  {
    name: 'nbf in the future',
    authorization: ({ claims, time }) => bearer(accessToken(trusted, claims({ nbf: time.seconds() + 600 }))),
    status: 401,
    code: 'invalid_token',
    reason: /not valid yet/,
  },
  {
    name: 'iat in the future',
    authorization: ({ claims, time }) => bearer(accessToken(trusted, claims({ iat: time.seconds() + 600 }))),
    status: 401,
    code: 'invalid_token',
    reason: /iat/,
  },
  {
    name: 'an ID token presented as an access token (typ JWT)',
    authorization: ({ claims }) =>
      bearer(accessToken(trusted, claims({ aud: shopping, nonce: 'n', scope: undefined }), { typ: 'JWT' })),
    status: 401,
    code: 'invalid_token',
    reason: /not an access token/,
  },
  {
    name: 'a token without typ',
    authorization: ({ claims }) => bearer(accessToken(trusted, claims(), { typ: undefined })),
    status: 401,
    code: 'invalid_token',
    reason: /not an access token/,
  },
  {
    name: 'a crit header',
    authorization: ({ claims }) => bearer(accessToken(trusted, claims(), { crit: ['exp'] })),
    status: 401,
    code: 'invalid_token',
    reason: /crit/,
  },
  {
    name: 'a b64 header (unencoded payload)',
    authorization: ({ claims }) => bearer(accessToken(trusted, claims(), { b64: false })),
    status: 401,
    code: 'invalid_token',
    reason: /b64/,
  },
  {
    name: 'malformed base64',
    authorization: ({ claims }) => {
      const [, payload, signature] = accessToken(trusted, claims()).split('.');
      return bearer(`e*yJ!hbGc.${payload}.${signature}`);
    },
    status: 401,
    code: 'invalid_token',
    reason: /header is not canonical base64url/,
  },
  {
    name: 'padded base64url',
    authorization: ({ claims }) => bearer(`${accessToken(trustedEs256, claims())}==`),
    status: 401,
    code: 'invalid_token',
    reason: /signature is not canonical base64url/,
  },
  {
    name: 'non-canonical base64url (non-zero trailing bits, same bytes)',
    authorization: ({ claims }) => {
      // An ES256 signature is 64 bytes: 86 characters whose last one carries 4 unused bits.
      const token = accessToken(trustedEs256, claims());
      const last = token.at(-1) ?? '';
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const sibling = alphabet[alphabet.indexOf(last) ^ 1] ?? '';
      return bearer(`${token.slice(0, -1)}${sibling}`);
    },
    status: 401,
    code: 'invalid_token',
    reason: /signature is not canonical base64url/,
  },
  {
    name: 'a 100 KB token',
    authorization: ({ claims }) => bearer(accessToken(trusted, claims({ padding: 'x'.repeat(100_000) }))),
    status: 401,
    code: 'invalid_token',
    reason: /longer than 8192/,
  },
  {
    name: 'a header that is not a JSON object',
    authorization: ({ claims }) => bearer(signJws({ alg: 'ES384' }, claims(), trusted).replace(/^[^.]+/, b64([1]))),
    status: 401,
    code: 'invalid_token',
    reason: /header is not a JSON object/,
  },
  {
    name: 'a signed payload that is not a JSON object',
    authorization: () => bearer(signJws({ alg: 'ES384', typ: 'at+jwt', kid: trusted.kid }, b64([1, 2]), trusted)),
    status: 401,
    code: 'invalid_token',
    reason: /payload is not a JSON object/,
  },
  {
    name: 'a payload changed after signing',
    authorization: ({ claims }) => {
      const [header, , signature] = accessToken(trusted, claims()).split('.');
      return bearer(`${header}.${b64(claims({ scope: 'shopping:read shopping:write' }))}.${signature}`);
    },
    status: 401,
    code: 'invalid_token',
    reason: /signature does not verify/,
  },
  {
    name: 'no sub',
    authorization: ({ claims }) => bearer(accessToken(trusted, claims({ sub: undefined }))),
    status: 401,
    code: 'invalid_token',
    reason: /sub/,
  },
  {
    name: 'an empty sub',
    authorization: ({ claims }) => bearer(accessToken(trusted, claims({ sub: '' }))),
    status: 401,
    code: 'invalid_token',
    reason: /sub/,
  },
  {
    name: 'an organization token for another organization',
    authorization: ({ claims }) =>
      bearer(accessToken(trusted, claims({ aud: 'urn:logto:organization:org-globex', scope: 'read:projects' }))),
    requirements: { organizationId: 'org-acme', scopes: ['read:projects'] },
    status: 401,
    code: 'invalid_token',
    reason: /not for this organization/,
  },
  {
    name: 'a resource token whose organization_id is another organization',
    authorization: ({ claims }) => bearer(accessToken(trusted, claims({ organization_id: 'org-globex' }))),
    requirements: { organizationId: 'org-acme' },
    status: 401,
    code: 'invalid_token',
    reason: /not for this organization/,
  },
  {
    name: 'a resource token presented where an organization token is required',
    authorization: ({ claims }) => bearer(accessToken(trusted, claims({ scope: 'read:projects' }))),
    requirements: { organizationId: 'org-acme', audience: 'https://other.example/api' },
    status: 401,
    code: 'invalid_token',
    reason: /not for this organization/,
  },
  {
    name: 'a missing scope',
    authorization: ({ claims }) => bearer(accessToken(trusted, claims({ scope: 'shopping:read' }))),
    requirements: { scopes: ['shopping:write'] },
    status: 403,
    code: 'insufficient_scope',
    reason: /shopping:write/,
  },
  {
    name: 'one of several required scopes missing',
    authorization: ({ claims }) => bearer(accessToken(trusted, claims({ scope: 'shopping:read' }))),
    requirements: { scopes: ['shopping:read', 'shopping:write'] },
    status: 403,
    code: 'insufficient_scope',
    reason: /shopping:write/,
  },
  {
    name: 'none of the any-of scopes',
    authorization: ({ claims }) => bearer(accessToken(trusted, claims({ scope: 'store:read' }))),
    requirements: { anyScopes: ['shopping:read', 'shopping:write'] },
    status: 403,
    code: 'insufficient_scope',
    reason: /one of/,
  },
  {
    name: 'a scope claim that is not a string',
    authorization: ({ claims }) => bearer(accessToken(trusted, claims({ scope: ['shopping:read'] }))),
    requirements: { scopes: ['shopping:read'] },
    status: 401,
    code: 'invalid_token',
    reason: /scope/,
  },
];

describe('access token refusals', () => {
  for (const row of refusals) {
    it(`refuses ${row.name} with ${row.status} ${row.code}`, async () => {
      const context = setup();
      const authorization = row.authorization(context);
      const headers = authorization === undefined ? undefined : { authorization };
      const request = new Request('https://api.example.com/api/products', { headers });
      const error = await authenticateRequest(request, { verifier: context.verifier, ...row.requirements }).then(
        () => assert.fail('the request was let through'),
        (error: unknown) => error,
      );
      assert.ok(error instanceof ApiAuthError, `expected an ApiAuthError, got ${String(error)}`);
      assert.equal(error.code, row.code);
      assert.equal(error.status, row.status);
      assert.match(error.message, row.reason);
      // Never echo the token (nor any long slice of it) back.
      const token = authorization?.split(' ')[1];
      if (token) assert.ok(!error.message.includes(token.slice(0, 40)), 'the message contains the token');

      const response = authErrorResponse(error);
      assert.equal(response.status, row.status);
      assert.deepEqual(await response.json(), { code: row.code, message: error.message });
      const challenge = response.headers.get('www-authenticate') ?? '';
      assert.match(challenge, /^Bearer\b/);
      if (row.code === 'invalid_token') assert.match(challenge, /error="invalid_token", error_description="/);
      if (row.code === 'insufficient_scope') {
        assert.match(challenge, /error="insufficient_scope"/);
        assert.match(
          challenge,
          new RegExp(`scope="${(row.requirements?.scopes ?? row.requirements?.anyScopes ?? []).join(' ')}"`),
        );
      }
    });
  }
});

describe('accepted access tokens', () => {
  for (const key of [
    trusted,
    trustedEs256,
    trustedRsa,
    trustedEd,
    generateSigningKey('PS256'),
    generateSigningKey('ES512'),
  ]) {
    it(`accepts a valid ${key.alg} token and exposes who called`, async () => {
      const { verifier, claims } = setup([trusted, key]);
      const token = accessToken(key, claims({ scope: 'shopping:read shopping:write', client_id: 'sample-m2m' }));
      const auth = await verifier.verify(token, { scopes: ['shopping:read'] });
      assert.equal(auth.sub, 'user-1');
      assert.equal(auth.clientId, 'sample-m2m');
      assert.deepEqual(auth.scopes, ['shopping:read', 'shopping:write']);
      assert.deepEqual(auth.audience, [shopping]);
      assert.equal(auth.organizationId, undefined);
      assert.equal(auth.claims.jti, 'jti-1');
    });
  }

  it('accepts typ application/AT+JWT and an aud array containing the resource', async () => {
    const { verifier, claims } = setup();
    const token = accessToken(trusted, claims({ aud: ['https://other.example', shopping] }), {
      typ: 'application/AT+JWT',
    });
    const auth = await verifier.verify(token);
    assert.deepEqual(auth.audience, ['https://other.example', shopping]);
  });

  it('parses an empty scope claim as no scopes', async () => {
    const { verifier, claims } = setup();
    const auth = await verifier.verify(accessToken(trusted, claims({ scope: '' })));
    assert.deepEqual(auth.scopes, []);
    await assert.rejects(verifier.verify(accessToken(trusted, claims({ scope: '' })), { scopes: ['shopping:read'] }), {
      code: 'insufficient_scope',
    });
  });

  it('accepts any one of the any-of scopes', async () => {
    const { verifier, claims } = setup();
    const auth = await verifier.verify(accessToken(trusted, claims({ scope: 'shopping:write' })), {
      anyScopes: ['shopping:read', 'shopping:write'],
    });
    assert.equal(auth.sub, 'user-1');
  });

  it('accepts an organization token for the requested organization', async () => {
    const { verifier, claims } = setup();
    const token = accessToken(
      trusted,
      claims({ aud: 'urn:logto:organization:org-acme', scope: 'read:projects write:projects' }),
    );
    const auth = await verifier.verify(token, { organizationId: 'org-acme', scopes: ['read:projects'] });
    assert.equal(auth.organizationId, 'org-acme');
    assert.deepEqual(auth.scopes, ['read:projects', 'write:projects']);
    // The same organization token is not a token for the shopping API.
    await assert.rejects(verifier.verify(token), { code: 'invalid_token' });
  });

  it('accepts a resource token whose organization_id is the requested organization', async () => {
    const { verifier, claims } = setup();
    const token = accessToken(trusted, claims({ organization_id: 'org-acme' }));
    const auth = await verifier.verify(token, { organizationId: 'org-acme', scopes: ['shopping:read'] });
    assert.equal(auth.organizationId, 'org-acme');
  });

  it('refuses at creation an algorithm outside the asymmetric allow-list', () => {
    for (const alg of ['HS256', 'none']) {
      assert.throws(
        () =>
          createAccessTokenVerifier(
            { issuer: 'https://a/oidc', jwksUri: 'https://a/oidc/jwks' },
            {
              algorithms: [alg as 'ES384'],
            },
          ),
        TypeError,
      );
    }
  });

  it('refuses algorithms left out of the configured allow-list', async () => {
    const provider = fakeProvider([trusted, trustedRsa]);
    const time = clock();
    const verifier = createAccessTokenVerifier(
      { issuer: provider.issuer, jwksUri: provider.jwksUri },
      { audience: shopping, fetch: provider.fetch, now: time.now, algorithms: ['ES384'] },
    );
    const claims = claimsFor(provider.issuer, time.seconds());
    assert.equal((await verifier.verify(accessToken(trusted, claims))).sub, 'user-1');
    await assert.rejects(verifier.verify(accessToken(trustedRsa, claims)), { code: 'invalid_token' });
    assert.equal(provider.state.discoveryRequests, 0, 'an explicit jwksUri needs no discovery');
  });

  it('refuses to run a route that checks no audience', async () => {
    const provider = fakeProvider([trusted]);
    const verifier = createAccessTokenVerifier({ endpoint: provider.endpoint }, { fetch: provider.fetch });
    const token = accessToken(trusted, claimsFor(provider.issuer, Math.floor(Date.now() / 1000)));
    await assert.rejects(verifier.verify(token), TypeError);
    assert.equal((await verifier.verify(token, { audience: shopping })).sub, 'user-1');
  });
});

describe('verified-token cache', () => {
  it('reuses a verified token but checks audience, organization and scopes on every request', async () => {
    const { verifier, claims } = setup();
    const token = accessToken(trusted, claims({ scope: 'shopping:read' }));
    const first = await verifier.verify(token, { scopes: ['shopping:read'] });
    const second = await verifier.verify(token, { scopes: ['shopping:read'] });
    assert.notEqual(second, first, 'a token is cached when it comes back, not on first sight');
    assert.equal(await verifier.verify(token, { scopes: ['shopping:read'] }), second, 'then served from the cache');
    await assert.rejects(verifier.verify(token, { scopes: ['shopping:write'] }), { code: 'insufficient_scope' });
    await assert.rejects(verifier.verify(token, { audience: 'https://store.your-app.com/api' }), {
      code: 'invalid_token',
    });
    await assert.rejects(verifier.verify(token, { organizationId: 'org-acme' }), { code: 'invalid_token' });
  });

  it('never serves a token at or past its exp', async () => {
    const { verifier, claims, time } = setup([trusted], { clockToleranceSeconds: 0 });
    const token = accessToken(trusted, claims({ exp: time.seconds() + 60 }));
    await verifier.verify(token);
    time.advance(59_999);
    await verifier.verify(token);
    time.advance(1);
    await assert.rejects(verifier.verify(token), { code: 'invalid_token', message: /expired/ });
  });

  it('can be switched off', async () => {
    const provider = fakeProvider([trusted]);
    const verifier = createAccessTokenVerifier(
      { endpoint: provider.endpoint },
      { audience: shopping, fetch: provider.fetch, cache: false },
    );
    const token = accessToken(trusted, claimsFor(provider.issuer, Math.floor(Date.now() / 1000)));
    assert.notEqual(await verifier.verify(token), await verifier.verify(token));
  });

  it('is bounded: the least recently used token is dropped', async () => {
    const { verifier, claims } = setup([trusted], { cache: { maxEntries: 4 } });
    const tokens = ['a', 'b', 'c', 'd'].map((jti) => accessToken(trusted, claims({ jti })));
    const [a, b, c, d] = tokens as [string, string, string, string];
    for (const token of [a, b, a, b]) await verifier.verify(token); // the second sighting caches a and b
    const resultA = await verifier.verify(a);
    const resultB = await verifier.verify(b);
    assert.equal(await verifier.verify(a), resultA); // a is now the most recently used
    for (const token of [c, d, c, d]) await verifier.verify(token); // c and d come in: b goes
    assert.equal(await verifier.verify(a), resultA);
    assert.notEqual(await verifier.verify(b), resultB);
  });

  it('does not fill up with tokens that are never used again', async () => {
    const { verifier, claims } = setup([trusted], { cache: { maxEntries: 4 } });
    const once = accessToken(trusted, claims({ jti: 'once' }));
    const first = await verifier.verify(once);
    // Many other tokens, each seen once, push the first sighting of `once` out of reach...
    for (let i = 0; i < 8; i += 1) await verifier.verify(accessToken(trusted, claims({ jti: `other-${i}` })));
    // ...so its return is a first sighting again: verified, remembered, and only then cached.
    const second = await verifier.verify(once);
    assert.notEqual(second, first);
    const third = await verifier.verify(once);
    assert.notEqual(third, second, 'the return after being forgotten counts as a first sighting');
    assert.equal(await verifier.verify(once), third);
  });
});

describe('claims before signature', () => {
  it('refuses an expired token without fetching the signing keys', async () => {
    const { verifier, claims, time, provider } = setup([trusted], { clockToleranceSeconds: 0 });
    const expired = accessToken(trusted, claims({ iat: time.seconds() - 3600, exp: time.seconds() - 1 }));
    await assert.rejects(verifier.verify(expired), { code: 'invalid_token', message: /expired/ });
    assert.equal(provider.state.jwksRequests, 0, 'no key was needed to refuse it');
  });

  it('accepts nothing on claims alone: a well-formed token with a forged signature is refused', async () => {
    const { verifier, claims } = setup();
    const forged = accessToken(attacker, claims({ sub: 'admin' }), { kid: trusted.kid });
    await assert.rejects(verifier.verify(forged), { code: 'invalid_token', message: /signature/ });
  });
});

describe('signing keys (JWKS) of the provider', () => {
  it('loads discovery and keys once for many concurrent first requests (single-flight)', async () => {
    const { verifier, claims, provider } = setup();
    const release = provider.hold();
    const tokens = Array.from({ length: 20 }, (_, i) => accessToken(trusted, claims({ jti: `t${i}` })));
    const all = Promise.all(tokens.map((token) => verifier.verify(token)));
    release();
    assert.equal((await all).length, 20);
    assert.equal(provider.state.discoveryRequests, 1);
    assert.equal(provider.state.jwksRequests, 1);
  });

  it('checks each token that waited for the keys against its own signature', async () => {
    const { verifier, claims, provider } = setup();
    const release = provider.hold();
    const genuine = accessToken(trusted, claims({ jti: 'genuine' }));
    const forged = accessToken(attacker, claims({ jti: 'forged', sub: 'admin' }), { kid: trusted.kid });
    const outcomes = Promise.allSettled([verifier.verify(genuine), verifier.verify(forged)]);
    release();
    const [first, second] = await outcomes;
    assert.equal(first?.status, 'fulfilled');
    assert.equal(second?.status, 'rejected');
    assert.match(String((second as PromiseRejectedResult).reason.message), /signature does not verify/);
  });

  it('refetches the keys for an unknown kid at most once per cooldown, and accepts a rotated-in key', async () => {
    const { verifier, claims, provider, time } = setup([trusted]);
    await verifier.verify(accessToken(trusted, claims()));
    assert.equal(provider.state.jwksRequests, 1);

    const rotated = generateSigningKey('ES384');
    provider.state.keys = [trusted, rotated];
    assert.equal((await verifier.verify(accessToken(rotated, claims({ jti: 'r1' })))).sub, 'user-1');
    assert.equal(provider.state.jwksRequests, 2);

    // Unknown kids right after that refetch do not reach the provider (cooldown).
    for (let i = 0; i < 5; i += 1) {
      await assert.rejects(verifier.verify(accessToken(attacker, claims({ jti: `x${i}` }))), {
        code: 'invalid_token',
        message: /does not publish/,
      });
    }
    assert.equal(provider.state.jwksRequests, 2);

    time.advance(30_000);
    await assert.rejects(verifier.verify(accessToken(attacker, claims({ jti: 'y' }))), { code: 'invalid_token' });
    assert.equal(provider.state.jwksRequests, 3);
  });

  it('keeps verifying with the cached keys while the provider is unreachable', async () => {
    const { verifier, claims, provider, time } = setup([trusted]);
    await verifier.verify(accessToken(trusted, claims({ jti: 'before' })));
    provider.state.down = true;
    time.advance(60 * 60 * 1000); // well past the key set's TTL
    const auth = await verifier.verify(accessToken(trusted, claims({ jti: 'during' })));
    assert.equal(auth.sub, 'user-1');
    assert.ok(provider.state.jwksRequests >= 2, 'the provider was asked again after the TTL');
  });

  it('answers 503 provider_unavailable, never a pass, when the keys were never reachable', async () => {
    const { verifier, claims, provider } = setup([trusted]);
    provider.state.down = true;
    const request = new Request('https://api.example.com/api/products', {
      headers: { authorization: bearer(accessToken(trusted, claims())) },
    });
    const error = await authenticateRequest(request, { verifier }).then(
      () => assert.fail('the request was let through'),
      (error: unknown) => error,
    );
    assert.ok(error instanceof ApiAuthError);
    assert.equal(error.code, 'provider_unavailable');
    assert.equal(error.status, 503);
    const response = authErrorResponse(error);
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('www-authenticate'), null);
    assert.equal((await response.json()).code, 'provider_unavailable');

    // It recovers as soon as the provider answers: the failure was not cached.
    provider.state.down = false;
    assert.equal((await verifier.verify(accessToken(trusted, claims({ jti: 'later' })))).sub, 'user-1');
  });

  it("a second verifier with its own fetch fetches discovery and keys through it, not the first one's", async () => {
    const { verifier, claims, provider, time } = setup([trusted]);
    await verifier.verify(accessToken(trusted, claims({ jti: 'first' })));
    for (const source of [{ endpoint: provider.endpoint }, { issuer: provider.issuer, jwksUri: provider.jwksUri }]) {
      const urls: string[] = [];
      const ownFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
        urls.push(String(input));
        return provider.fetch(input, init);
      }) as typeof fetch;
      const second = createAccessTokenVerifier(source, { audience: shopping, fetch: ownFetch, now: time.now });
      assert.equal((await second.verify(accessToken(trusted, claims({ jti: 'second' })))).sub, 'user-1');
      assert.ok(urls.includes(provider.jwksUri), `the keys through its own fetch (${Object.keys(source)})`);
      if ('endpoint' in source) assert.ok(urls.includes(`${provider.issuer}/.well-known/openid-configuration`));
    }
  });

  it('shares the key cache with every verifier that fetches alike', async () => {
    const { claims, provider, time } = setup([trusted]);
    const options = { audience: shopping, fetch: provider.fetch, now: time.now };
    await createAccessTokenVerifier({ endpoint: provider.endpoint }, options).verify(accessToken(trusted, claims()));
    await createAccessTokenVerifier({ endpoint: provider.endpoint }, { ...options }).verify(
      accessToken(trusted, claims()),
    );
    assert.equal(provider.state.discoveryRequests, 1);
    assert.equal(provider.state.jwksRequests, 1);
  });

  it('tells why the keys are unavailable: the 503 keeps the failure of the discovery request as its cause', async () => {
    const { verifier, claims, provider } = setup([trusted]);
    provider.state.down = true;
    const error = await verifier.verify(accessToken(trusted, claims())).then(
      () => assert.fail('the token was accepted'),
      (error: unknown) => error,
    );
    assert.ok(error instanceof ApiAuthError);
    assert.equal(error.code, 'provider_unavailable');
    const causes: string[] = [];
    for (let cause: unknown = error.cause; cause instanceof Error; cause = cause.cause) causes.push(cause.message);
    assert.match(causes[0] ?? '', /OpenID configuration/);
    assert.ok(causes.includes('fetch failed'), causes.join(' <- '));
  });

  it("verifies with any of several published keys that share the token's kid", async () => {
    const sharing = [1, 2, 3, 4].map(() => generateSigningKey('ES384', 'shared-kid'));
    const { verifier, claims } = setup(sharing);
    for (const [i, key] of sharing.entries()) {
      assert.equal((await verifier.verify(accessToken(key, claims({ jti: `shared-${i}` })))).sub, 'user-1');
    }
  });

  it('says a token without kid is signed with a key the provider does not publish when no key fits it', async () => {
    const rsa = generateSigningKey('RS256');
    const withoutKid = { ...rsa, jwk: { ...rsa.jwk, kid: undefined } };
    const { verifier, claims } = setup([withoutKid]);
    const token = accessToken(trusted, claims(), { kid: undefined });
    await assert.rejects(verifier.verify(token), { code: 'invalid_token', message: /does not publish/ });
  });

  it('answers 503 when the JWKS endpoint fails although discovery works', async () => {
    const provider = fakeProvider([trusted]);
    const verifier = createAccessTokenVerifier(
      { issuer: provider.issuer, jwksUri: `${provider.issuer}/missing-jwks` },
      { audience: shopping, fetch: provider.fetch },
    );
    const token = accessToken(trusted, claimsFor(provider.issuer, Math.floor(Date.now() / 1000)));
    await assert.rejects(verifier.verify(token), { code: 'provider_unavailable', status: 503 });
  });
});
