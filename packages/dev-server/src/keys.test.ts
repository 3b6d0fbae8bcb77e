import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { describe, it } from 'node:test';
import { addSigningKey, generateSigningKey, jwkThumbprint, loadSigningKeys } from './keys.ts';
import { createMemoryStore } from './storage/memory-store.ts';

describe('signing keys', () => {
  it("computes the RFC 7638 thumbprint (the RFC's own example)", () => {
    const rfcExample = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
      use: 'sig' as const,
    };
    assert.equal(jwkThumbprint(rfcExample), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('generates EC P-384 ES384 signing keys whose kid is the thumbprint', () => {
    const jwk = generateSigningKey();
    assert.equal(jwk.kty, 'EC');
    assert.equal(jwk.crv, 'P-384');
    assert.equal(jwk.alg, 'ES384');
    assert.equal(jwk.use, 'sig');
    assert.equal(jwk.kid, jwkThumbprint(jwk));
    assert.equal(typeof jwk.d, 'string');
    const publicKey = createPublicKey({ key: { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
    assert.equal(publicKey.asymmetricKeyDetails?.namedCurve, 'secp384r1');
  });

  it('thumbprints only the required members, so the private part and metadata do not change the kid', () => {
    const jwk = generateSigningKey();
    assert.equal(jwkThumbprint({ ...jwk, d: undefined, alg: 'other', kid: 'x' }), jwk.kid);
  });

  it('generates the first key once and keeps it', async () => {
    const store = createMemoryStore();
    const [first] = await loadSigningKeys(store);
    const again = await loadSigningKeys(store);
    assert.equal(again.length, 1);
    assert.equal(again[0]?.kid, first?.kid);
  });

  it('puts an added key first (it signs) and keeps the older ones', async () => {
    const store = createMemoryStore();
    const [old] = await loadSigningKeys(store, () => 1000);
    const added = await addSigningKey(store, () => 1000);
    const keys = await loadSigningKeys(store);
    assert.deepEqual(
      keys.map((key) => key.kid),
      [added.jwk.kid, old?.kid],
    );
  });
});
