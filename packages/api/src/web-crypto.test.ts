// The verifier's suites again, on the web-standard layer (Web Crypto, Uint8Array, TextDecoder) that
// the package resolves to wherever the `node` condition does not apply (Bun, Deno, workerd): the
// package's `#signature` and `#scratch` imports are pointed at it before the suites load. Node runs
// each test file in a process of its own, so the other files keep the node:crypto layer.
import assert from 'node:assert/strict';
import { registerHooks } from 'node:module';
import { describe, it } from 'node:test';

const webLayer: Readonly<Record<string, string>> = {
  '#signature': new URL('./signature.web.ts', import.meta.url).href,
  '#scratch': new URL('./scratch.web.ts', import.meta.url).href,
};

registerHooks({
  resolve(specifier, context, nextResolve) {
    const url = webLayer[specifier];
    return url === undefined ? nextResolve(specifier, context) : { url, shortCircuit: true };
  },
});

describe('the suites below run on the Web Crypto layer', () => {
  it('resolves the package imports to the web-standard modules', () => {
    assert.equal(import.meta.resolve('#signature'), webLayer['#signature']);
    assert.equal(import.meta.resolve('#scratch'), webLayer['#scratch']);
  });
});

await import('./compact-jws.test.ts');
await import('./verify-access-token.test.ts');
await import('./authenticate-request.test.ts');
await import('./claim-boundaries.test.ts');
await import('./signature.test.ts');
await import('./claim-types.test.ts');

describe('the Web Crypto signature layer on its own', async () => {
  const { generateKeyPairSync, sign } = await import('node:crypto');
  const { verificationKey, verifySignature } = await import('./signature.web.ts');
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;

  it('answers false, not a rejection or undefined, when Web Crypto refuses the verification itself', async () => {
    const key = await verificationKey('ES256', jwk as never);
    assert.ok(key);
    // The EC key with RSA parameters: crypto.subtle.verify rejects (InvalidAccessError).
    const mismatched = { ...key, params: { name: 'RSASSA-PKCS1-v1_5' } };
    assert.equal(await verifySignature(mismatched, new Uint8Array(8), new Uint8Array(64)), false);
  });

  it('verifies the bytes as they were when called, though the caller reuses its buffers', async () => {
    const key = await verificationKey('ES256', jwk as never);
    assert.ok(key);
    const input = new TextEncoder().encode('header.payload');
    const signature = new Uint8Array(sign('sha256', input, { key: pair.privateKey, dsaEncoding: 'ieee-p1363' }));
    const answer = verifySignature(key, input, signature);
    input.fill(0);
    signature.fill(0);
    assert.equal(await answer, true);
  });

  it('imports a published key once per algorithm, however many tokens use it', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const first = verificationKey('ES256', other as never);
    assert.equal(verificationKey('ES256', other as never), first, 'the same import, not a new one');
    // Another algorithm asked of the same key is imported on its own, and the first stays known.
    const asEs384 = verificationKey('ES384', other as never);
    assert.notEqual(asEs384, first);
    assert.equal(verificationKey('ES256', other as never), first);
    await Promise.all([first, asEs384]);
  });
});
