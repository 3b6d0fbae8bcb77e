// Boundary rows for the claims the verifier compares: each time claim accepted at the clock
// tolerance and refused one second past it, and the issuer, audience and organization compared
// exactly (never as a prefix, an extension, with a trailing `/`, or empty). Runs on both signature
// layers (see web-crypto.test.ts).
import assert from 'node:assert/strict';
import { sign } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AccessRequirements } from './requirements.ts';
import { accessToken, claimsFor, clock, fakeProvider, generateSigningKey, shopping } from './test-support/provider.ts';
import { type AccessTokenVerifierOptions, createAccessTokenVerifier } from './verify-access-token.ts';

const trusted = generateSigningKey('ES384');

function setup(options: AccessTokenVerifierOptions = {}) {
  const provider = fakeProvider([trusted]);
  const time = clock();
  const verifier = createAccessTokenVerifier(
    { endpoint: provider.endpoint },
    { audience: shopping, fetch: provider.fetch, now: time.now, cache: false, ...options },
  );
  const token = (overrides: Record<string, unknown> = {}) =>
    accessToken(trusted, claimsFor(provider.issuer, time.seconds(), overrides));
  return { provider, time, verifier, token, now: time.seconds() };
}

describe('time claims at the clock tolerance', () => {
  for (const tolerance of [30, 0, 600]) {
    const options = tolerance === 30 ? {} : { clockToleranceSeconds: tolerance };
    const label = tolerance === 30 ? 'the default 30 s' : `${tolerance} s`;

    it(`accepts "exp" ${tolerance - 1} s ago and refuses it ${tolerance} s ago (tolerance ${label})`, async () => {
      const { verifier, token, now } = setup(options);
      if (tolerance > 0) await verifier.verify(token({ exp: now - tolerance + 1, iat: now - 7200 }));
      await assert.rejects(verifier.verify(token({ exp: now - tolerance, iat: now - 7200 })), {
        code: 'invalid_token',
        message: /expired/,
      });
    });

    it(`accepts "nbf" ${tolerance} s ahead and refuses it ${tolerance + 1} s ahead (tolerance ${label})`, async () => {
      const { verifier, token, now } = setup(options);
      const auth = await verifier.verify(token({ nbf: now + tolerance }));
      assert.equal(auth.claims.nbf, now + tolerance);
      await assert.rejects(verifier.verify(token({ nbf: now + tolerance + 1 })), {
        code: 'invalid_token',
        message: /not valid yet/,
      });
    });

    it(`accepts "iat" ${tolerance} s ahead and refuses it ${tolerance + 1} s ahead (tolerance ${label})`, async () => {
      const { verifier, token, now } = setup(options);
      const auth = await verifier.verify(token({ iat: now + tolerance }));
      assert.equal(auth.claims.iat, now + tolerance);
      await assert.rejects(verifier.verify(token({ iat: now + tolerance + 1 })), {
        code: 'invalid_token',
        message: /"iat"/,
      });
    });
  }

  it('refuses "exp" at exactly now with no tolerance, and accepts it one second later', async () => {
    const { verifier, token, now } = setup({ clockToleranceSeconds: 0 });
    await verifier.verify(token({ exp: now + 1 }));
    await assert.rejects(verifier.verify(token({ exp: now })), { code: 'invalid_token', message: /expired/ });
  });
});

describe('the issuer is compared exactly', () => {
  const variants = (issuer: string) => [
    ['empty', ''],
    ['a prefix', issuer.slice(0, -1)],
    ['an extension', `${issuer}x`],
    ['with a trailing "/"', `${issuer}/`],
    ['in another case', issuer.toUpperCase()],
  ];

  it('accepts the issuer itself', async () => {
    const { verifier, token } = setup();
    assert.equal((await verifier.verify(token())).sub, 'user-1');
  });

  for (const [name, make] of variants('x').map(([name], index) => [name, index] as const)) {
    it(`refuses an "iss" that is the issuer ${name}`, async () => {
      const { verifier, token, provider } = setup();
      const iss = variants(provider.issuer)[make]?.[1];
      await assert.rejects(verifier.verify(token({ iss })), { code: 'invalid_token', message: /not issued by/ });
    });
  }
});

describe('the audience is compared exactly', () => {
  const variants: readonly (readonly [string, string])[] = [
    ['a prefix of it', shopping.slice(0, -1)],
    ['an extension of it', `${shopping}x`],
    ['it with a trailing "/"', `${shopping}/`],
    ['a path below it', `${shopping}/orders`],
  ];

  for (const [name, aud] of variants) {
    it(`refuses a token whose "aud" is ${name}`, async () => {
      const { verifier, token } = setup();
      await assert.rejects(verifier.verify(token({ aud })), { code: 'invalid_token', message: /not for this API/ });
      await assert.rejects(verifier.verify(token({ aud: [aud, 'https://other.example/api'] })), {
        code: 'invalid_token',
        message: /not for this API/,
      });
    });
  }

  it('refuses an empty "aud", alone or in a list', async () => {
    const { verifier, token } = setup();
    await assert.rejects(verifier.verify(token({ aud: '' })), { code: 'invalid_token', message: /"aud"/ });
    await assert.rejects(verifier.verify(token({ aud: [shopping, ''] })), { code: 'invalid_token', message: /"aud"/ });
  });

  it('accepts the audience itself, alone or among others', async () => {
    const { verifier, token } = setup();
    assert.deepEqual((await verifier.verify(token())).audience, [shopping]);
    const auth = await verifier.verify(token({ aud: ['https://other.example/api', shopping] }));
    assert.deepEqual(auth.audience, ['https://other.example/api', shopping]);
  });
});

describe('organization ids are compared exactly', () => {
  const requirements: AccessRequirements = { organizationId: 'org-acme' };
  const variants: readonly (readonly [string, string])[] = [
    ['empty', ''],
    ['a prefix of it', 'org-acm'],
    ['an extension of it', 'org-acme2'],
    ['it with a trailing "/"', 'org-acme/'],
  ];

  it('accepts an organization token and a resource token for the organization itself', async () => {
    const { verifier, token } = setup();
    const orgToken = token({ aud: 'urn:logto:organization:org-acme' });
    assert.equal((await verifier.verify(orgToken, requirements)).organizationId, 'org-acme');
    const resourceToken = token({ organization_id: 'org-acme' });
    assert.equal((await verifier.verify(resourceToken, requirements)).organizationId, 'org-acme');
  });

  for (const [name, id] of variants) {
    it(`refuses an organization token whose organization is ${name}`, async () => {
      const { verifier, token } = setup();
      await assert.rejects(verifier.verify(token({ aud: `urn:logto:organization:${id}` }), requirements), {
        code: 'invalid_token',
        message: /not for this organization/,
      });
    });

    it(`refuses a resource token whose "organization_id" is ${name}`, async () => {
      const { verifier, token } = setup();
      await assert.rejects(verifier.verify(token({ organization_id: id }), requirements), {
        code: 'invalid_token',
        message: /not for this organization/,
      });
    });
  }

  it('refuses a resource token for the organization but for another audience', async () => {
    const { verifier, token } = setup();
    await assert.rejects(verifier.verify(token({ aud: `${shopping}x`, organization_id: 'org-acme' }), requirements), {
      code: 'invalid_token',
      message: /not for this organization/,
    });
  });
});

describe('the header fast path', () => {
  it('does not take a header segment that extends the last one seen for it', async () => {
    const { verifier, token, provider, now } = setup();
    const good = token();
    await verifier.verify(good);
    const headerSegment = good.slice(0, good.indexOf('.'));
    // Signed by the trusted key, so only the header check can refuse it.
    for (const extension of [`${headerSegment}e30`, `${headerSegment}AAAA`, `${headerSegment}x`]) {
      const payload = Buffer.from(JSON.stringify(claimsFor(provider.issuer, now))).toString('base64url');
      const input = `${extension}.${payload}`;
      const signature = sign('sha384', Buffer.from(input), { key: trusted.privateKey, dsaEncoding: 'ieee-p1363' });
      await assert.rejects(verifier.verify(`${input}.${signature.toString('base64url')}`), { code: 'invalid_token' });
    }
    assert.equal((await verifier.verify(good)).sub, 'user-1');
  });
});
