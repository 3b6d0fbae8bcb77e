// ID-token verification rule by rule: each time claim accepted at the clock tolerance and refused
// one second past it, the issuer and audience compared exactly, `azp` checked also with a single
// audience, and an empty subject refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { LogtoError, type LogtoErrorCode } from './errors.ts';
import { verifyIdToken } from './id-token.ts';
import { type Jwk, JwksCache } from './jwks-cache.ts';
import { fakeFetch, json, uniqueIssuer } from './test-support/fake-fetch.ts';

const nowMs = 1_800_000_000_000;
const now = nowMs / 1000;
const clientId = 'app-1';
const { privateKey, publicKey } = await generateKeyPair('ES384');
const publicJwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'ES384', use: 'sig' } as Jwk;

function setup(tolerance = 60) {
  const issuer = uniqueIssuer();
  const remote = fakeFetch(() => json({ keys: [publicJwk] }));
  const jwks = new JwksCache(`${issuer}/jwks`, { fetch: remote.fetch, now: () => nowMs });
  const expected = { issuer, clientId, jwks, nonce: 'nonce-1', now: () => nowMs, clockToleranceSeconds: tolerance };
  const sign = (overrides: Record<string, unknown> = {}) => {
    const claims: Record<string, unknown> = {
      iss: issuer,
      sub: 'user-1',
      aud: clientId,
      exp: now + 3600,
      iat: now,
      nonce: 'nonce-1',
      ...overrides,
    };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    return new SignJWT(claims).setProtectedHeader({ alg: 'ES384', kid: 'key-1' }).sign(privateKey);
  };
  const verify = async (overrides: Record<string, unknown> = {}) => verifyIdToken(await sign(overrides), expected);
  return { issuer, verify, expected, remote };
}

async function refused(promise: Promise<unknown>, code: LogtoErrorCode, reason?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof LogtoError, String(error));
    assert.equal(error.code, code);
    if (reason) assert.match(error.message, reason);
    return true;
  });
}

describe('ID-token time claims at the clock tolerance', () => {
  for (const tolerance of [60, 0]) {
    it(`accepts "exp" ${tolerance - 1} s ago and refuses it ${tolerance} s ago (tolerance ${tolerance} s)`, async () => {
      const { verify } = setup(tolerance);
      if (tolerance > 0) assert.equal((await verify({ exp: now - tolerance + 1 })).sub, 'user-1');
      await refused(verify({ exp: now - tolerance }), 'id_token_expired');
    });

    it(`accepts "iat" ${tolerance} s ahead and refuses it ${tolerance + 1} s ahead (tolerance ${tolerance} s)`, async () => {
      const { verify } = setup(tolerance);
      assert.equal((await verify({ iat: now + tolerance })).iat, now + tolerance);
      await refused(verify({ iat: now + tolerance + 1 }), 'id_token_iat_in_future');
    });

    it(`accepts "nbf" ${tolerance} s ahead and refuses it ${tolerance + 1} s ahead (tolerance ${tolerance} s)`, async () => {
      const { verify } = setup(tolerance);
      assert.equal((await verify({ nbf: now + tolerance })).sub, 'user-1');
      await refused(verify({ nbf: now + tolerance + 1 }), 'id_token_invalid_claims', /nbf/);
    });
  }

  it('refuses an ID token without "exp" or without "iat"', async () => {
    const { verify } = setup();
    await refused(verify({ exp: undefined }), 'id_token_invalid_claims', /"exp"/);
    await refused(verify({ iat: undefined }), 'id_token_invalid_claims', /"iat"/);
  });
});

describe('ID-token issuer and audience are compared exactly', () => {
  it('refuses an issuer that is empty, a prefix, an extension or has a trailing "/"', async () => {
    const { verify, issuer } = setup();
    for (const iss of ['', issuer.slice(0, -1), `${issuer}x`, `${issuer}/`]) {
      await refused(verify({ iss }), 'id_token_invalid_claims', /issuer/);
    }
  });

  it('refuses an audience that is empty, a prefix, an extension or has a trailing "/"', async () => {
    const { verify } = setup();
    for (const aud of ['', 'app-', 'app-10', 'app-1/']) {
      await refused(verify({ aud }), 'id_token_invalid_claims', /audience/);
      await refused(verify({ aud: [aud, 'other-app'], azp: clientId }), 'id_token_invalid_claims', /audience/);
    }
  });
});

describe('ID-token authorized party (azp)', () => {
  it('accepts a single audience without "azp", or with this app as "azp"', async () => {
    const { verify } = setup();
    assert.equal((await verify()).sub, 'user-1');
    assert.equal((await verify({ azp: clientId })).sub, 'user-1');
  });

  it('refuses a single audience with another app as "azp"', async () => {
    const { verify } = setup();
    await refused(verify({ azp: 'other-app' }), 'id_token_invalid_claims', /azp/);
  });

  it('refuses several audiences unless "azp" is this app', async () => {
    const { verify } = setup();
    assert.equal((await verify({ aud: [clientId, 'other-app'], azp: clientId })).sub, 'user-1');
    await refused(verify({ aud: [clientId, 'other-app'] }), 'id_token_invalid_claims', /azp/);
    await refused(verify({ aud: [clientId, 'other-app'], azp: 'other-app' }), 'id_token_invalid_claims', /azp/);
  });
});

describe('ID-token subject and nonce', () => {
  it('refuses an empty or missing "sub"', async () => {
    const { verify } = setup();
    await refused(verify({ sub: '' }), 'id_token_invalid_claims', /subject/);
    await refused(verify({ sub: undefined }), 'id_token_invalid_claims', /subject/);
  });

  it("refuses a nonce that differs from the sign-in's, also an empty one", async () => {
    const { verify } = setup();
    await refused(verify({ nonce: 'nonce-2' }), 'id_token_nonce_mismatch');
    await refused(verify({ nonce: '' }), 'id_token_nonce_mismatch');
    await refused(verify({ nonce: undefined }), 'id_token_nonce_mismatch');
  });
});

describe('ID-token format and algorithm checks', () => {
  it('refuses a malformed token as invalid claims, keeping the parse error as the cause', async () => {
    const { expected } = setup();
    await assert.rejects(verifyIdToken('not-a-jwt', expected), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.code, 'id_token_invalid_claims');
      assert.match(error.message, /not a well-formed JWT/);
      assert.ok(error.cause instanceof Error, 'the parse error is kept');
      return true;
    });
  });

  it('parses a token of exactly 32 KiB and refuses one character more unparsed', async () => {
    const { expected } = setup();
    await refused(verifyIdToken('a'.repeat(32 * 1024), expected), 'id_token_invalid_claims', /well-formed/);
    await refused(verifyIdToken('a'.repeat(32 * 1024 + 1), expected), 'id_token_invalid_claims', /longer than/);
  });

  it('refuses a symmetric algorithm before fetching any key', async () => {
    const { expected, remote, issuer } = setup();
    const token = await new SignJWT({ iss: issuer, sub: 'user-1', aud: clientId, exp: now + 60, iat: now })
      .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
      .sign(new TextEncoder().encode('a shared secret of 32 bytes ....'));
    await refused(verifyIdToken(token, expected), 'unsupported_algorithm', /HS256/);
    assert.equal(remote.calls.length, 0, 'the JWKS was not fetched');
  });

  it('accepts a token carrying a nonce when none is expected (a refreshed ID token)', async () => {
    const { expected, issuer } = setup();
    const token = await new SignJWT({ iss: issuer, sub: 'user-1', aud: clientId, exp: now + 60, iat: now, nonce: 'n' })
      .setProtectedHeader({ alg: 'ES384', kid: 'key-1' })
      .sign(privateKey);
    const { nonce: _nonce, ...withoutNonce } = expected;
    assert.equal((await verifyIdToken(token, withoutNonce)).sub, 'user-1');
  });

  it('without kid, reports the claim error of the key that verifies the signature', async () => {
    const second = await generateKeyPair('ES384');
    const keys = [
      { ...(await exportJWK(publicKey)), alg: 'ES384', use: 'sig' },
      { ...(await exportJWK(second.publicKey)), alg: 'ES384', use: 'sig' },
    ] as Jwk[];
    const issuer = uniqueIssuer();
    const jwks = new JwksCache(`${issuer}/jwks`, { fetch: fakeFetch(() => json({ keys })).fetch, now: () => nowMs });
    const expected = { issuer, clientId, jwks, now: () => nowMs, clockToleranceSeconds: 0 };
    const token = await new SignJWT({ iss: issuer, sub: 'user-1', aud: clientId, exp: now - 10, iat: now - 100 })
      .setProtectedHeader({ alg: 'ES384' })
      .sign(second.privateKey);
    await refused(verifyIdToken(token, expected), 'id_token_expired');
  });
});
