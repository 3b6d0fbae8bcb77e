// Signatures on Node.js, with node:crypto directly (rather than a JOSE library or Web Crypto):
// verification runs on every request with a new token, synchronously, and this module adds nothing
// to the cost of `crypto.verify`.
import {
  constants,
  createPublicKey,
  type JsonWebKey,
  type KeyObject,
  type VerifyKeyObjectInput,
  verify,
} from 'node:crypto';
import type { Jwk } from '@logto-kit/client';
import {
  type AccessTokenAlgorithm,
  type AlgorithmRule,
  algorithmRules,
  minimumRsaModulusBits,
  publicJwkOf,
} from './algorithms.ts';
import { nodeKeyObjects as keyObjects } from './process-caches.ts';
import type { PreparedKey, SignatureLayer } from './runtime-layer.ts';

/**
 * A public key prepared for one algorithm: the key argument of `crypto.verify` (with its padding or
 * signature encoding) and the hash, built once per key and algorithm rather than per token.
 */
export interface VerificationKey extends PreparedKey {
  readonly hash: AlgorithmRule['hash'];
  readonly key: KeyObject | VerifyKeyObjectInput;
  /** ECDSA signatures are R || S (RFC 7518 §3.4), of a fixed length. */
  readonly signatureLength: number | undefined;
}

function publicKeyOf(jwk: Jwk): KeyObject | undefined {
  let key = keyObjects.get(jwk);
  if (key === undefined) {
    key = convert(jwk);
    keyObjects.set(jwk, key);
  }
  return key ?? undefined;
}

function convert(jwk: Jwk): KeyObject | null {
  try {
    const key = createPublicKey({ key: publicJwkOf(jwk) as JsonWebKey, format: 'jwk' });
    const modulusLength = key.asymmetricKeyDetails?.modulusLength;
    if (key.asymmetricKeyType === 'rsa' && (modulusLength === undefined || modulusLength < minimumRsaModulusBits)) {
      return null;
    }
    return key;
  } catch {
    return null;
  }
}

/** See {@link SignatureLayer.verificationKey}; always synchronous here. */
export function verificationKey(
  alg: AccessTokenAlgorithm,
  jwk: Jwk,
): VerificationKey | undefined | Promise<VerificationKey | undefined> {
  const key = publicKeyOf(jwk);
  if (key === undefined) return undefined;
  const rule = algorithmRules[alg];
  const prepared: KeyObject | VerifyKeyObjectInput =
    rule.ecdsaSignatureLength !== undefined
      ? { key, dsaEncoding: 'ieee-p1363' }
      : rule.pssSaltLength !== undefined
        ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: rule.pssSaltLength }
        : key;
  return Object.freeze({ alg, hash: rule.hash, key: prepared, signatureLength: rule.ecdsaSignatureLength });
}

/** See {@link SignatureLayer.verifySignature}; always synchronous here. */
export function verifySignature(
  key: VerificationKey,
  signingInput: Uint8Array,
  signature: Uint8Array,
): boolean | Promise<boolean> {
  if (key.signatureLength !== undefined && signature.length !== key.signatureLength) return false;
  return verify(key.hash, signingInput, key.key, signature);
}
