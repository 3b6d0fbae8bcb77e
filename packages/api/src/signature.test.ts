// Key selection and signature checks: which keys of the provider's JWKS may verify a token, and
// with which parameters. Through the verifier, so that it runs on both signature layers (see
// web-crypto.test.ts), plus the JWK rules on their own.
import assert from 'node:assert/strict';
import { constants, generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Jwk } from '@logto-kit/client';
import { isAccessTokenAlgorithm, jwkFitsAlgorithm } from './algorithms.ts';
import {
  accessToken,
  claimsFor,
  clock,
  fakeProvider,
  generateSigningKey,
  type SigningKey,
  shopping,
} from './test-support/provider.ts';
import { createAccessTokenVerifier } from './verify-access-token.ts';

function setup(keys: readonly SigningKey[]) {
  const provider = fakeProvider(keys);
  const time = clock();
  const verifier = createAccessTokenVerifier(
    { endpoint: provider.endpoint },
    { audience: shopping, fetch: provider.fetch, now: time.now, cache: false },
  );
  return { verifier, claims: claimsFor(provider.issuer, time.seconds()) };
}

/** An RSA signing key of `bits` bits. */
function rsaKey(alg: 'RS256' | 'PS256', bits: number, kid: string): SigningKey {
  const pair = generateKeyPairSync('rsa', { modulusLength: bits });
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } as Jwk;
  return { alg, kid, privateKey: pair.privateKey, publicKey: pair.publicKey, jwk };
}

/** The same key with its JWK changed. */
function withJwk(key: SigningKey, change: (jwk: Jwk) => Jwk): SigningKey {
  return { ...key, jwk: change({ ...key.jwk }) };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A PS256 token whose RSASSA-PSS salt is `saltLength` bytes long. */
function ps256Token(key: SigningKey, claims: object, saltLength: number): string {
  const input = `${b64({ alg: 'PS256', typ: 'at+jwt', kid: key.kid })}.${b64(claims)}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: key.privateKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength,
  });
  return `${input}.${signature.toString('base64url')}`;
}

const rsa2048 = rsaKey('RS256', 2048, 'rsa-2048');
const pss = rsaKey('PS256', 2048, 'pss-2048');
const es256 = generateSigningKey('ES256', 'es256');
const es384 = generateSigningKey('ES384', 'es384');

describe('key selection', () => {
  it('accepts a token signed with a 2048-bit RSA key', async () => {
    const { verifier, claims } = setup([rsa2048]);
    assert.equal((await verifier.verify(accessToken(rsa2048, claims))).sub, 'user-1');
  });

  it('refuses a token signed with a 1024-bit RSA key, even one the provider publishes', async () => {
    const weak = rsaKey('RS256', 1024, 'rsa-1024');
    const { verifier, claims } = setup([weak]);
    await assert.rejects(verifier.verify(accessToken(weak, claims)), {
      code: 'invalid_token',
      message: /does not fit its algorithm/,
    });
  });

  it('refuses a 2040-bit RSA key (just under the minimum)', async () => {
    const short = rsaKey('RS256', 2040, 'rsa-2040');
    const { verifier, claims } = setup([short]);
    await assert.rejects(verifier.verify(accessToken(short, claims)), { code: 'invalid_token' });
  });

  it('refuses a key whose JWK "alg" differs from the token\'s, and accepts one without "alg"', async () => {
    const mislabelled = withJwk(rsa2048, (jwk) => ({ ...jwk, alg: 'RS384' }));
    const first = setup([mislabelled]);
    await assert.rejects(first.verifier.verify(accessToken(mislabelled, first.claims)), {
      code: 'invalid_token',
      message: /does not fit its algorithm/,
    });
    const unlabelled = withJwk(rsa2048, ({ alg: _alg, ...jwk }) => jwk);
    const second = setup([unlabelled]);
    assert.equal((await second.verifier.verify(accessToken(unlabelled, second.claims))).sub, 'user-1');
  });

  it('refuses a key whose "key_ops" lacks "verify", and accepts one whose "key_ops" has it', async () => {
    for (const keyOps of [['sign'], [], ['encrypt', 'wrapKey'], 'verify'] as unknown[]) {
      const key = withJwk(es256, (jwk) => ({ ...jwk, key_ops: keyOps }) as Jwk);
      const { verifier, claims } = setup([key]);
      await assert.rejects(verifier.verify(accessToken(key, claims)), { code: 'invalid_token' }, String(keyOps));
    }
    const key = withJwk(es256, (jwk) => ({ ...jwk, key_ops: ['sign', 'verify'] }));
    const { verifier, claims } = setup([key]);
    assert.equal((await verifier.verify(accessToken(key, claims))).sub, 'user-1');
  });

  it('refuses a key whose "use" is not "sig"', async () => {
    const key = withJwk(es256, (jwk) => ({ ...jwk, use: 'enc' }));
    const { verifier, claims } = setup([key]);
    await assert.rejects(verifier.verify(accessToken(key, claims)), { code: 'invalid_token' });
  });

  it('refuses a key of another type than the algorithm names (EC key, RS256 token)', async () => {
    // The header claims RS256 with the EC key's kid; the EC key signs whatever the header says.
    const { verifier, claims } = setup([es256]);
    const token = accessToken(es256, claims, { alg: 'RS256' });
    await assert.rejects(verifier.verify(token), { code: 'invalid_token', message: /does not fit/ });
  });

  it('refuses a key on another curve than the algorithm names (P-384 key, ES256 token)', async () => {
    const key = withJwk(es384, ({ alg: _alg, ...jwk }) => ({ ...jwk, kid: 'es256' }));
    const { verifier, claims } = setup([key]);
    const token = accessToken(es256, claims, { alg: 'ES256', kid: 'es256' });
    await assert.rejects(verifier.verify(token), { code: 'invalid_token', message: /does not fit/ });
  });
});

describe('keys that cannot be imported', () => {
  it('refuses a token whose published key is not a point of its curve', async () => {
    const key = withJwk(es256, (jwk) => ({ ...jwk, x: Buffer.alloc(32, 1).toString('base64url') }));
    const { verifier, claims } = setup([key]);
    await assert.rejects(verifier.verify(accessToken(es256, claims)), { code: 'invalid_token' });
  });
});

describe('RSASSA-PSS', () => {
  it('accepts a PS256 signature whose salt is as long as the hash (32 bytes)', async () => {
    const { verifier, claims } = setup([pss]);
    assert.equal((await verifier.verify(ps256Token(pss, claims, 32))).sub, 'user-1');
  });

  for (const saltLength of [0, 20, 31, 33, 64]) {
    it(`refuses a PS256 signature with a salt of ${saltLength} bytes`, async () => {
      const { verifier, claims } = setup([pss]);
      await assert.rejects(verifier.verify(ps256Token(pss, claims, saltLength)), {
        code: 'invalid_token',
        message: /signature does not verify/,
      });
    });
  }
});

describe('jwkFitsAlgorithm', () => {
  const ec: Jwk = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' };
  const rows: readonly (readonly [string, Jwk, Parameters<typeof jwkFitsAlgorithm>[1], boolean])[] = [
    ['a bare P-256 key for ES256', ec, 'ES256', true],
    ['a P-256 key for ES384', ec, 'ES384', false],
    ['a key without curve for ES256', { kty: 'EC', x: 'x', y: 'y' }, 'ES256', false],
    ['an EC key for RS256', ec, 'RS256', false],
    ['an RSA key for ES256', { kty: 'RSA', n: 'n', e: 'AQAB' }, 'ES256', false],
    ['an RSA key for PS256', { kty: 'RSA', n: 'n', e: 'AQAB' }, 'PS256', true],
    ['an Ed25519 key for EdDSA', { kty: 'OKP', crv: 'Ed25519', x: 'x' }, 'EdDSA', true],
    ['an X25519 key for EdDSA', { kty: 'OKP', crv: 'X25519', x: 'x' }, 'EdDSA', false],
    ['a key labelled ES256 for ES256', { ...ec, alg: 'ES256' }, 'ES256', true],
    ['a key labelled ES384 for ES256', { ...ec, alg: 'ES384' }, 'ES256', false],
    ['a key for signatures', { ...ec, use: 'sig' }, 'ES256', true],
    ['a key for encryption', { ...ec, use: 'enc' }, 'ES256', false],
    ['a key allowed to verify', { ...ec, key_ops: ['verify'] }, 'ES256', true],
    ['a key allowed only to sign', { ...ec, key_ops: ['sign'] }, 'ES256', false],
    ['a key whose key_ops is not a list', { ...ec, key_ops: 'verify' } as unknown as Jwk, 'ES256', false],
  ];
  for (const [name, jwk, alg, fits] of rows) {
    it(`${fits ? 'accepts' : 'refuses'} ${name}`, () => {
      assert.equal(jwkFitsAlgorithm(jwk, alg), fits);
    });
  }
});

describe('key selection for a token without "kid"', () => {
  const es256Keys = [1, 2, 3, 4].map((n) => generateSigningKey('ES256', `es256-${n}`));
  const [first, second, third, fourth] = es256Keys as [SigningKey, SigningKey, SigningKey, SigningKey];
  const noKid = (key: SigningKey, claims: object) => accessToken(key, { ...claims }, { kid: undefined });

  it('tries the keys that fit the algorithm, up to three', async () => {
    const { verifier, claims } = setup([first, second, third]);
    for (const key of [first, second, third]) assert.equal((await verifier.verify(noKid(key, claims))).sub, 'user-1');
  });

  it('refuses a token whose key is only the fourth that fits', async () => {
    const { verifier, claims } = setup([first, second, third, fourth]);
    assert.equal((await verifier.verify(noKid(third, claims))).sub, 'user-1');
    await assert.rejects(verifier.verify(noKid(fourth, claims)), {
      code: 'invalid_token',
      message: /signature does not verify/,
    });
  });

  it('counts only the keys that fit: keys of other types before it do not crowd it out', async () => {
    const { verifier, claims } = setup([rsa2048, pss, es384, first]);
    assert.equal((await verifier.verify(noKid(first, claims))).sub, 'user-1');
  });

  it('refuses a token without "kid" when no published key fits its algorithm', async () => {
    const { verifier, claims } = setup([rsa2048, es384]);
    await assert.rejects(verifier.verify(noKid(first, claims)), { code: 'invalid_token', message: /does not publish/ });
  });
});

describe('every supported algorithm verifies with its own rule', () => {
  for (const alg of ['RS384', 'RS512', 'PS384', 'PS512', 'ES512'] as const) {
    it(`accepts an ${alg} token and refuses it with a signature of another key`, async () => {
      const key = generateSigningKey(alg);
      const other = generateSigningKey(alg, key.kid);
      const { verifier, claims } = setup([key]);
      assert.equal((await verifier.verify(accessToken(key, claims))).sub, 'user-1');
      await assert.rejects(verifier.verify(accessToken(other, claims)), { code: 'invalid_token' });
    });
  }

  it('accepts an EdDSA token signed with an Ed448 key', async (t) => {
    const pair = generateKeyPairSync('ed448');
    const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: 'ed448', alg: 'EdDSA', use: 'sig' } as Jwk;
    const key: SigningKey = { alg: 'EdDSA', kid: 'ed448', ...pair, jwk };
    const { verifier, claims } = setup([key]);
    const token = accessToken(key, claims);
    try {
      assert.equal((await verifier.verify(token)).sub, 'user-1');
    } catch (error) {
      // Web Crypto may lack Ed448; then it must be a refusal, never an acceptance. node:crypto has it.
      const webLayer = import.meta.resolve('#signature').endsWith('signature.web.ts');
      if (!(webLayer && error instanceof Error && 'code' in error && error.code === 'invalid_token')) throw error;
      t.diagnostic('Ed448 is not supported by this signature layer');
    }
  });

  it('refuses an ECDSA signature one byte short or long', async () => {
    const { verifier, claims } = setup([es256]);
    const token = accessToken(es256, claims);
    const [input, signature] = [token.slice(0, token.lastIndexOf('.')), token.slice(token.lastIndexOf('.') + 1)];
    const bytes = Buffer.from(signature, 'base64url');
    for (const wrong of [bytes.subarray(0, 63), Buffer.concat([bytes, Buffer.from([0])])]) {
      await assert.rejects(verifier.verify(`${input}.${wrong.toString('base64url')}`), {
        code: 'invalid_token',
        message: /signature does not verify/,
      });
    }
  });

  it('refuses an ECDSA signature whose R and S are each given a leading zero byte (66 bytes for ES256)', async () => {
    // The same R and S, so the same DER: only the fixed length of RFC 7518 §3.4 refuses it.
    const { verifier, claims } = setup([es256]);
    const token = accessToken(es256, claims);
    const [input, signature] = [token.slice(0, token.lastIndexOf('.')), token.slice(token.lastIndexOf('.') + 1)];
    const bytes = Buffer.from(signature, 'base64url');
    const padded = Buffer.concat([Buffer.of(0), bytes.subarray(0, 32), Buffer.of(0), bytes.subarray(32)]);
    await assert.rejects(verifier.verify(`${input}.${padded.toString('base64url')}`), {
      code: 'invalid_token',
      message: /signature does not verify/,
    });
    assert.equal((await verifier.verify(token)).sub, 'user-1');
  });

  it('accepts ECDSA signatures whose R or S starts with zero bytes or with its top bit set', async () => {
    // The Node.js layer re-encodes R || S as DER, where each integer drops its leading zero bytes and
    // gets one where its first byte has the top bit set: every such shape must still verify.
    const { verifier, claims } = setup([es256]);
    const wanted = new Map<string, string>();
    const shapes: Record<string, (half: Buffer) => boolean> = {
      'a leading zero byte': (half) => half[0] === 0,
      'the top bit set': (half) => (half[0] ?? 0) >= 0x80,
      neither: (half) => half[0] !== 0 && (half[0] ?? 0) < 0x80,
    };
    for (let n = 0; wanted.size < 6 && n < 20_000; n += 1) {
      const token = accessToken(es256, { ...claims, jti: `t${n}` });
      const signature = Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url');
      for (const [part, half] of [
        ['R', signature.subarray(0, 32)],
        ['S', signature.subarray(32)],
      ] as const) {
        for (const [shape, fits] of Object.entries(shapes)) {
          if (fits(half) && !wanted.has(`${part} with ${shape}`)) wanted.set(`${part} with ${shape}`, token);
        }
      }
    }
    assert.equal(wanted.size, 6, `signatures found: ${[...wanted.keys()].join(', ')}`);
    for (const [shape, token] of wanted) assert.equal((await verifier.verify(token)).sub, 'user-1', shape);
  });

  it('refuses ECDSA signatures of zeros, of all bits set, or with R or S replaced', async () => {
    const { verifier, claims } = setup([es384]);
    const token = accessToken(es384, claims);
    const input = token.slice(0, token.lastIndexOf('.'));
    const signature = Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url');
    const other = Buffer.from(accessToken(es384, { ...claims, jti: 'other' }).split('.')[2] ?? '', 'base64url');
    const wrong = {
      zeros: Buffer.alloc(96),
      'all bits set': Buffer.alloc(96, 0xff),
      'R of zeros': Buffer.concat([Buffer.alloc(48), signature.subarray(48)]),
      'S of zeros': Buffer.concat([signature.subarray(0, 48), Buffer.alloc(48)]),
      "another signature's R": Buffer.concat([other.subarray(0, 48), signature.subarray(48)]),
      "another signature's S": Buffer.concat([signature.subarray(0, 48), other.subarray(48)]),
      'R and S swapped': Buffer.concat([signature.subarray(48), signature.subarray(0, 48)]),
    };
    for (const [name, bytes] of Object.entries(wrong)) {
      await assert.rejects(
        verifier.verify(`${input}.${bytes.toString('base64url')}`),
        { code: 'invalid_token', message: /signature does not verify/ },
        name,
      );
    }
    assert.equal((await verifier.verify(token)).sub, 'user-1');
  });

  it('isAccessTokenAlgorithm accepts only the supported names, as strings', () => {
    assert.equal(isAccessTokenAlgorithm('ES256'), true);
    for (const value of [['ES256'], 'HS256', 'none', 'es256', '', undefined, 7, 'toString', '__proto__']) {
      assert.equal(isAccessTokenAlgorithm(value), false, String(value));
    }
  });
});
