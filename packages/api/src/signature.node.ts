// Signatures on Node.js, with node:crypto directly (rather than a JOSE library or Web Crypto):
// verification runs on every request with a new token, synchronously, and this module adds nothing
// to the cost of `crypto.verify`.
//
// `crypto.verify` is fastest given a bare `KeyObject`: given options (`{ key, dsaEncoding }`), it
// first tries the object as a `KeyObject` and as a `CryptoKey`, and each try fails with an exception,
// which costs nearly a third of an ES256 check (76 rather than 53 µs on Node.js 24). So ECDSA keys are passed bare, with the JWS signature
// (R || S) re-encoded as the DER that `crypto.verify` expects by default; only RSASSA-PSS, whose
// padding has no default, takes the options.
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
  /** ECDSA signatures are R || S (RFC 7518 §3.4), of a fixed length; re-encoded as DER here. */
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
    rule.pssSaltLength !== undefined
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
  if (key.signatureLength === undefined) return verify(key.hash, signingInput, key.key, signature);
  if (signature.length !== key.signatureLength) return false;
  return verify(key.hash, signingInput, key.key, derSignatureOf(signature));
}

// The longest DER signature: ES512's R and S of 66 bytes each, each with a leading zero.
const der = new Uint8Array(3 + 2 * (2 + 67));

/**
 * The DER encoding (`SEQUENCE { INTEGER r, INTEGER s }`, RFC 3279 §2.2.3) of an ECDSA signature
 * given as R || S, in a buffer reused by the next call. Each integer is minimal: leading zero bytes
 * dropped, one zero byte put back where the first remaining byte has its top bit set (else it would
 * read as negative). Exported for the fresh-token benchmark's baseline, not by the package.
 */
export function derSignatureOf(signature: Uint8Array): Uint8Array {
  const half = signature.length / 2;
  const rLength = integerLength(signature, 0, half);
  const sLength = integerLength(signature, half, signature.length);
  const content = 2 + rLength + 2 + sLength;
  // The content is at most 2 × 69 bytes: past 127, its length takes a second byte (ES512).
  let at = 0;
  der[at++] = 0x30;
  if (content > 0x7f) der[at++] = 0x81;
  der[at++] = content;
  at = writeInteger(signature, 0, half, rLength, at);
  at = writeInteger(signature, half, signature.length, sLength, at);
  return der.subarray(0, at);
}

/** The length of the DER INTEGER content for the unsigned big-endian bytes from `start` to `end`. */
function integerLength(bytes: Uint8Array, start: number, end: number): number {
  let first = start;
  while (first < end - 1 && bytes[first] === 0) first += 1;
  return end - first + ((bytes[first] ?? 0) & 0x80 ? 1 : 0);
}

/** Writes the INTEGER of `length` content bytes (see {@link integerLength}) at `at`; returns where it ends. */
function writeInteger(bytes: Uint8Array, start: number, end: number, length: number, at: number): number {
  der[at++] = 0x02;
  der[at++] = length;
  const digits = bytes.subarray(end - Math.min(length, end - start), end);
  if (length > digits.length) der[at++] = 0;
  der.set(digits, at);
  return at + digits.length;
}
