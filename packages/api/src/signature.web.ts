// Signatures with Web Crypto (`crypto.subtle`), the default wherever the `node` condition does not
// apply: Bun, Deno, Cloudflare Workers and other web-standard runtimes. Each answer is a promise.
import type { Jwk } from '@logto-kit/client';
import { type AccessTokenAlgorithm, algorithmRules, minimumRsaModulusBits, publicJwkOf } from './algorithms.ts';
import { webImportedKeys as imported } from './process-caches.ts';
import type { PreparedKey, SignatureLayer } from './runtime-layer.ts';

/** A public `CryptoKey` imported for one algorithm, and the parameters of its `verify` call. */
export interface VerificationKey extends PreparedKey {
  readonly key: CryptoKey;
  readonly params: AlgorithmIdentifier | EcdsaParams | RsaPssParams;
  /** ECDSA signatures are R || S (RFC 7518 §3.4), of a fixed length. */
  readonly signatureLength: number | undefined;
}

const webHashes = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' } as const;

interface WebAlgorithm {
  readonly importParams: AlgorithmIdentifier | EcKeyImportParams | RsaHashedImportParams;
  readonly verifyParams: AlgorithmIdentifier | EcdsaParams | RsaPssParams;
}

function webAlgorithm(alg: AccessTokenAlgorithm, jwk: Jwk): WebAlgorithm {
  const rule = algorithmRules[alg];
  const hash = rule.hash === null ? undefined : webHashes[rule.hash];
  if (rule.kty === 'OKP' || hash === undefined) {
    // RFC 8037: the curve names the algorithm (Ed25519 everywhere, Ed448 where supported).
    const name = String(jwk.crv);
    return { importParams: { name }, verifyParams: { name } };
  }
  if (rule.kty === 'EC') {
    return {
      importParams: { name: 'ECDSA', namedCurve: String(jwk.crv) },
      verifyParams: { name: 'ECDSA', hash },
    };
  }
  if (rule.pssSaltLength !== undefined) {
    return {
      importParams: { name: 'RSA-PSS', hash },
      verifyParams: { name: 'RSA-PSS', saltLength: rule.pssSaltLength },
    };
  }
  return { importParams: { name: 'RSASSA-PKCS1-v1_5', hash }, verifyParams: { name: 'RSASSA-PKCS1-v1_5' } };
}

/** See {@link SignatureLayer.verificationKey}; always a promise here. */
export function verificationKey(
  alg: AccessTokenAlgorithm,
  jwk: Jwk,
): VerificationKey | undefined | Promise<VerificationKey | undefined> {
  let byAlg = imported.get(jwk);
  if (byAlg === undefined) {
    byAlg = new Map();
    imported.set(jwk, byAlg);
  }
  let key = byAlg.get(alg);
  if (key === undefined) {
    key = importKey(alg, jwk);
    byAlg.set(alg, key);
  }
  return key;
}

async function importKey(alg: AccessTokenAlgorithm, jwk: Jwk): Promise<VerificationKey | undefined> {
  const { importParams, verifyParams } = webAlgorithm(alg, jwk);
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey('jwk', publicJwkOf(jwk) as JsonWebKey, importParams, false, ['verify']);
  } catch {
    return undefined;
  }
  if (key.type !== 'public') return undefined;
  if (algorithmRules[alg].kty === 'RSA') {
    const { modulusLength } = key.algorithm as RsaHashedKeyAlgorithm;
    if (!(modulusLength >= minimumRsaModulusBits)) return undefined;
  }
  return Object.freeze({
    alg,
    key,
    params: verifyParams,
    signatureLength: algorithmRules[alg].ecdsaSignatureLength,
  });
}

/** See {@link SignatureLayer.verifySignature}; always a promise here. */
export function verifySignature(
  key: VerificationKey,
  signingInput: Uint8Array,
  signature: Uint8Array,
): boolean | Promise<boolean> {
  if (key.signatureLength !== undefined && signature.length !== key.signatureLength) return Promise.resolve(false);
  // The caller's views are of a reused buffer: copy them before anything can run in between.
  return crypto.subtle.verify(key.params, key.key, signature.slice(), signingInput.slice()).catch(() => false);
}
