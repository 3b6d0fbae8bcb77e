// Claims of the wrong type or out of JSON's finite numbers (`1e999` parses to Infinity), claims
// that are optional, and how the verifier reuses keys and headers between tokens: each token is
// checked on its own, whatever came before it. Runs on both signature layers (see web-crypto.test.ts).
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Jwk } from '@logto-kit/client';
import {
  accessToken,
  claimsFor,
  clock,
  fakeProvider,
  generateSigningKey,
  type SigningKey,
  shopping,
  signJws,
} from './test-support/provider.ts';
import { type AccessTokenVerifierOptions, createAccessTokenVerifier } from './verify-access-token.ts';

const trusted = generateSigningKey('ES384', 'es384-a');
const trustedToo = generateSigningKey('ES384', 'es384-b');

function setup(keys: readonly SigningKey[] = [trusted], options: AccessTokenVerifierOptions = {}) {
  const provider = fakeProvider(keys);
  const time = clock();
  const verifier = createAccessTokenVerifier(
    { endpoint: provider.endpoint },
    { audience: shopping, fetch: provider.fetch, now: time.now, cache: false, ...options },
  );
  const claims = (overrides: Record<string, unknown> = {}) => claimsFor(provider.issuer, time.seconds(), overrides);
  return { provider, time, verifier, claims };
}

/** A token whose payload is `json` as written (for numbers JSON.stringify cannot write, such as 1e999). */
function rawToken(key: SigningKey, json: string): string {
  return signJws({ alg: key.alg, typ: 'at+jwt', kid: key.kid }, Buffer.from(json).toString('base64url'), key);
}

describe('claims out of range or of the wrong type', () => {
  const rows: readonly (readonly [string, (claims: Record<string, unknown>) => string, RegExp])[] = [
    ['"exp" of 1e999 (Infinity)', (c) => JSON.stringify(c).replace(/"exp":\d+/, '"exp":1e999'), /"exp"/],
    ['"exp" as a string', (c) => JSON.stringify({ ...c, exp: String(c.exp) }), /"exp"/],
    ['"nbf" of -1e999 (-Infinity)', (c) => JSON.stringify(c).replace(/}$/, ',"nbf":-1e999}'), /"nbf"/],
    ['"nbf" as a string', (c) => JSON.stringify({ ...c, nbf: '0' }), /"nbf"/],
    ['"iat" of -1e999 (-Infinity)', (c) => JSON.stringify(c).replace(/"iat":\d+/, '"iat":-1e999'), /"iat"/],
    ['"iat" as a string', (c) => JSON.stringify({ ...c, iat: '0' }), /"iat"/],
    ['"scope" as a list', (c) => JSON.stringify({ ...c, scope: ['shopping:read'] }), /"scope"/],
    ['"client_id" as a number', (c) => JSON.stringify({ ...c, client_id: 7 }), /"client_id"/],
    ['"organization_id" as a number', (c) => JSON.stringify({ ...c, organization_id: 7 }), /"organization_id"/],
    ['"sub" as a number', (c) => JSON.stringify({ ...c, sub: 7 }), /"sub"/],
  ];
  for (const [name, payload, reason] of rows) {
    it(`refuses ${name}`, async () => {
      const { verifier, claims } = setup();
      await assert.rejects(verifier.verify(rawToken(trusted, payload(claims()))), {
        code: 'invalid_token',
        message: reason,
      });
    });
  }

  it('accepts a token without "nbf", "iat", "scope", "client_id" or "organization_id"', async () => {
    const { verifier, claims } = setup();
    const { iat: _iat, scope: _scope, client_id: _clientId, ...bare } = claims();
    const auth = await verifier.verify(accessToken(trusted, bare));
    assert.deepEqual(auth.scopes, []);
    assert.equal(auth.clientId, undefined);
    assert.equal(auth.organizationId, undefined);
    await assert.rejects(verifier.verify(accessToken(trusted, bare), { scopes: ['shopping:read'] }), {
      code: 'insufficient_scope',
    });
  });

  it('exposes sub, clientId, scopes, organizationId and audience', async () => {
    const { verifier, claims } = setup();
    const auth = await verifier.verify(
      accessToken(trusted, claims({ scope: 'a  b', client_id: 'app-1', organization_id: 'org-1' })),
    );
    assert.equal(auth.sub, 'user-1');
    assert.equal(auth.clientId, 'app-1');
    assert.deepEqual(auth.scopes, ['a', 'b']);
    assert.equal(auth.organizationId, 'org-1');
    assert.deepEqual(auth.audience, [shopping]);
  });
});

describe('each token is checked on its own, whatever token came before', () => {
  it('verifies tokens of two keys of the same algorithm, alternating, each with its own key', async () => {
    const { verifier, claims } = setup([trusted, trustedToo]);
    for (let round = 0; round < 3; round += 1) {
      for (const key of [trusted, trustedToo]) {
        assert.equal((await verifier.verify(accessToken(key, claims({ jti: `${key.kid}-${round}` })))).sub, 'user-1');
      }
    }
    // A token naming one key but signed with the other is refused, right after the other was used.
    await verifier.verify(accessToken(trusted, claims()));
    await assert.rejects(verifier.verify(accessToken(trustedToo, claims(), { kid: trusted.kid })), {
      code: 'invalid_token',
      message: /signature/,
    });
  });

  it('verifies RS256 and PS256 tokens of one RSA key (published without "alg"), alternating', async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: 'rsa-any', use: 'sig' } as Jwk;
    const rs256: SigningKey = { alg: 'RS256', kid: 'rsa-any', ...pair, jwk };
    const ps256: SigningKey = { ...rs256, alg: 'PS256' };
    const { verifier, claims } = setup([rs256]);
    for (let round = 0; round < 2; round += 1) {
      assert.equal((await verifier.verify(accessToken(rs256, claims({ jti: `rs-${round}` })))).sub, 'user-1');
      assert.equal((await verifier.verify(accessToken(ps256, claims({ jti: `ps-${round}` })))).sub, 'user-1');
    }
  });

  it('takes each header as it is: a header of the same length as the last one is checked again', async () => {
    const { verifier, claims } = setup([trusted]);
    await verifier.verify(accessToken(trusted, claims()));
    // Same length as `at+jwt`'s header, but typ "JWT+at": an ID-token-like type, refused.
    const sameLength = accessToken(trusted, claims(), { typ: 'jwt+at' });
    await assert.rejects(verifier.verify(sameLength), { code: 'invalid_token', message: /"typ"/ });
  });

  it('does not refetch the keys for a token whose kid is published but does not fit, or that has no kid', async () => {
    const rsa = generateSigningKey('RS256', 'rsa-key');
    const { verifier, claims, provider } = setup([trusted, rsa]);
    await verifier.verify(accessToken(trusted, claims()));
    assert.equal(provider.state.jwksRequests, 1);
    await assert.rejects(verifier.verify(accessToken(trusted, claims(), { kid: rsa.kid })), {
      code: 'invalid_token',
      message: /does not fit/,
    });
    const ed = generateSigningKey('EdDSA');
    await assert.rejects(verifier.verify(accessToken(ed, claims(), { kid: undefined })), {
      code: 'invalid_token',
      message: /does not publish/,
    });
    assert.equal(provider.state.jwksRequests, 1, 'neither asked the provider again');
  });
});

describe('an unreachable provider', () => {
  it('answers provider_unavailable, with the cause, when the key set cannot be fetched (explicit JWKS URI)', async () => {
    const provider = fakeProvider([trusted]);
    const time = clock();
    const verifier = createAccessTokenVerifier(
      { issuer: provider.issuer, jwksUri: provider.jwksUri },
      { audience: shopping, fetch: provider.fetch, now: time.now },
    );
    provider.state.down = true;
    const token = accessToken(trusted, claimsFor(provider.issuer, time.seconds()));
    await assert.rejects(verifier.verify(token), (error: unknown) => {
      assert.ok(error instanceof Error && 'code' in error, String(error));
      assert.equal(error.code, 'provider_unavailable');
      assert.ok(error.cause !== undefined, 'the cause is kept');
      return true;
    });
    assert.equal(provider.state.discoveryRequests, 0, 'no discovery with an explicit JWKS URI');
  });

  it('answers provider_unavailable, with the cause, when discovery fails', async () => {
    const { verifier, claims, provider } = setup();
    provider.state.down = true;
    await assert.rejects(verifier.verify(accessToken(trusted, claims())), (error: unknown) => {
      assert.ok(error instanceof Error && 'code' in error);
      assert.equal(error.code, 'provider_unavailable');
      assert.ok(error.cause !== undefined);
      return true;
    });
  });
});
