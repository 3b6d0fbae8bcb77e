import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Jwk } from '@logto-kit/client';
import fc from 'fast-check';
import type { AccessTokenAlgorithm } from './algorithms.ts';
import type { PreparedKey, ScratchBuffer, SignatureLayer } from './runtime-layer.ts';
import * as nodeScratch from './scratch.node.ts';
import * as webScratch from './scratch.web.ts';
import * as nodeSignature from './signature.node.ts';
import * as webSignature from './signature.web.ts';
import { generateSigningKey, signJws } from './test-support/provider.ts';

// The same cases for each runtime layer: node:crypto and Buffer (the `node` condition), Web Crypto
// and Uint8Array (the default, for Bun, Deno, workerd), both run here on Node.
const layers: readonly {
  readonly name: string;
  readonly signatures: SignatureLayer<PreparedKey>;
  readonly scratch: (size: number) => ScratchBuffer;
}[] = [
  { name: 'node:crypto layer', signatures: nodeSignature, scratch: nodeScratch.createScratchBuffer },
  { name: 'Web Crypto layer', signatures: webSignature, scratch: webScratch.createScratchBuffer },
];

const algorithms: readonly AccessTokenAlgorithm[] = ['ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'PS512', 'EdDSA'];
const keys = new Map(algorithms.map((alg) => [alg, generateSigningKey(alg)]));

function parts(token: string): { signingInput: Uint8Array; signature: Uint8Array } {
  const end = token.lastIndexOf('.');
  return {
    signingInput: new TextEncoder().encode(token.slice(0, end)),
    signature: Uint8Array.from(Buffer.from(token.slice(end + 1), 'base64url')),
  };
}

for (const layer of layers) {
  const { signatures } = layer;
  const check = async (alg: AccessTokenAlgorithm, jwk: Jwk, token: string) => {
    const key = await signatures.verificationKey(alg, jwk);
    assert.ok(key, `the ${alg} key is usable`);
    const { signingInput, signature } = parts(token);
    return signatures.verifySignature(key, signingInput, signature);
  };

  describe(`${layer.name}: signatures`, () => {
    for (const alg of algorithms) {
      it(`verifies an ${alg} signature and refuses it on other bytes`, async () => {
        const key = keys.get(alg);
        assert.ok(key);
        const token = signJws({ alg }, { sub: 'user-1' }, key);
        assert.equal(await check(alg, key.jwk, token), true);
        const { signingInput, signature } = parts(token);
        const prepared = await signatures.verificationKey(alg, key.jwk);
        assert.ok(prepared);
        const last = signingInput.length - 1;
        signingInput[last] = (signingInput[last] ?? 0) ^ 1;
        assert.equal(await signatures.verifySignature(prepared, signingInput, signature), false);
      });
    }

    it('refuses a signature made with another key of the same algorithm', async () => {
      const other = generateSigningKey('ES384');
      const key = keys.get('ES384');
      assert.ok(key);
      assert.equal(await check('ES384', key.jwk, signJws({ alg: 'ES384' }, { sub: 'user-1' }, other)), false);
    });

    it('refuses an ECDSA signature of the wrong length (DER instead of R || S)', async () => {
      const key = keys.get('ES256');
      assert.ok(key);
      const prepared = await signatures.verificationKey('ES256', key.jwk);
      assert.ok(prepared);
      const { signingInput, signature } = parts(signJws({ alg: 'ES256' }, { sub: 'user-1' }, key));
      const longer = new Uint8Array(signature.length + 1);
      longer.set(signature);
      assert.equal(await signatures.verifySignature(prepared, signingInput, longer), false);
    });

    it('keeps its answer when the caller reuses the byte arrays straight after the call', async () => {
      const key = keys.get('ES384');
      assert.ok(key);
      const prepared = await signatures.verificationKey('ES384', key.jwk);
      assert.ok(prepared);
      const { signingInput, signature } = parts(signJws({ alg: 'ES384' }, { sub: 'user-1' }, key));
      const answer = signatures.verifySignature(prepared, signingInput, signature);
      signingInput.fill(0);
      signature.fill(0);
      assert.equal(await answer, true);
    });

    it('refuses an RSA key under 2048 bits', async () => {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const jwk = { ...publicKey.export({ format: 'jwk' }), kty: 'RSA' } as Jwk;
      assert.equal(await signatures.verificationKey('RS256', jwk), undefined);
    });

    it('refuses a malformed JWK', async () => {
      assert.equal(await signatures.verificationKey('ES256', { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }), undefined);
    });
  });

  describe(`${layer.name}: scratch buffer`, () => {
    it('decodes canonical base64url of any bytes exactly, at any offset', () => {
      const scratch = layer.scratch(256);
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 96 }), fc.nat(64), (bytes, offset) => {
          const length = scratch.decodeBase64url(Buffer.from(bytes).toString('base64url'), offset);
          assert.equal(length, bytes.length);
          assert.deepEqual(Uint8Array.from(scratch.bytes.subarray(offset, offset + length)), bytes);
        }),
      );
    });

    it('reads UTF-8 text, replacing invalid sequences', () => {
      const scratch = layer.scratch(64);
      const encoded = new TextEncoder().encode('{"name":"Zoë ✓"}');
      scratch.bytes.set(encoded, 3);
      assert.equal(scratch.text(3, 3 + encoded.length), '{"name":"Zoë ✓"}');
      scratch.bytes.set([0x61, 0xff, 0x62], 0);
      assert.equal(scratch.text(0, 3), 'a\ufffdb');
    });

    it('writes the first characters of a text as Latin-1 at the start', () => {
      const scratch = layer.scratch(64);
      assert.equal(scratch.writeLatin1('eyJh.eyJz.sig', 9), 9);
      assert.deepEqual(Uint8Array.from(scratch.bytes.subarray(0, 9)), new TextEncoder().encode('eyJh.eyJz'));
    });
  });
}
