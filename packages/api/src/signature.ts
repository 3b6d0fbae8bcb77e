// Signature verification with node:crypto for the asymmetric JWS algorithms of RFC 7518 §3 and
// RFC 8037. node:crypto is used directly (rather than a JOSE library) because verification runs on
// every request with a new token; this module adds nothing to the cost of `crypto.verify`.
import {
  constants,
  createPublicKey,
  type JsonWebKey,
  type KeyObject,
  type VerifyKeyObjectInput,
  verify,
} from 'node:crypto';
import type { Jwk } from '@logto-kit/client';

/** The JWS algorithms an access token may be signed with: asymmetric only (never `none`, never HS*). */
export type AccessTokenAlgorithm =
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'EdDSA';

interface AlgorithmRule {
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  readonly kty: 'EC' | 'RSA' | 'OKP';
  /** Accepted JWK `crv` values (EC and OKP). */
  readonly curves?: readonly string[];
  /** ECDSA signatures are R || S (RFC 7518 §3.4), of a fixed length. */
  readonly ecdsaSignatureLength?: number;
  /** RSASSA-PSS with a salt as long as the hash (RFC 7518 §3.5). */
  readonly pssSaltLength?: number;
}

const rules: Readonly<Record<AccessTokenAlgorithm, AlgorithmRule>> = {
  ES256: { hash: 'sha256', kty: 'EC', curves: ['P-256'], ecdsaSignatureLength: 64 },
  ES384: { hash: 'sha384', kty: 'EC', curves: ['P-384'], ecdsaSignatureLength: 96 },
  ES512: { hash: 'sha512', kty: 'EC', curves: ['P-521'], ecdsaSignatureLength: 132 },
  RS256: { hash: 'sha256', kty: 'RSA' },
  RS384: { hash: 'sha384', kty: 'RSA' },
  RS512: { hash: 'sha512', kty: 'RSA' },
  PS256: { hash: 'sha256', kty: 'RSA', pssSaltLength: 32 },
  PS384: { hash: 'sha384', kty: 'RSA', pssSaltLength: 48 },
  PS512: { hash: 'sha512', kty: 'RSA', pssSaltLength: 64 },
  EdDSA: { hash: null, kty: 'OKP', curves: ['Ed25519', 'Ed448'] },
};

/** Every algorithm {@link AccessTokenAlgorithm} names, the default allow-list. */
export const accessTokenAlgorithms: readonly AccessTokenAlgorithm[] = Object.freeze(
  Object.keys(rules) as AccessTokenAlgorithm[],
);

/** Whether `alg` (a header value, untrusted) is one of the supported asymmetric algorithms. */
export function isAccessTokenAlgorithm(alg: unknown): alg is AccessTokenAlgorithm {
  return typeof alg === 'string' && Object.hasOwn(rules, alg);
}

/** RSA keys shorter than this are refused (RFC 7518 §3.3 requires at least 2048 bits). */
const minimumRsaModulusBits = 2048;

/**
 * Whether a JWK from the provider's key set may verify a token signed with `alg`: key type and
 * curve must fit the algorithm, the key's own `alg` (when given) must be the same, and its `use` /
 * `key_ops` (when given) must allow verification. This is what stops an RSA key being used for an
 * HMAC "signature" and similar algorithm-confusion attacks.
 */
export function jwkFitsAlgorithm(jwk: Jwk, alg: AccessTokenAlgorithm): boolean {
  const rule = rules[alg];
  if (jwk.kty !== rule.kty) return false;
  if (rule.curves && (typeof jwk.crv !== 'string' || !rule.curves.includes(jwk.crv))) return false;
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) return false;
  return true;
}

// Converting a JWK is far more expensive than verifying with the result, so each JWK object of the
// (immutable, cached) key set is converted once. `null` marks a JWK that cannot be used.
const keyObjects = new WeakMap<Jwk, KeyObject | null>();

/**
 * The public `KeyObject` of a JWK, memoized per JWK object; `undefined` when the JWK is not a usable
 * public key (malformed, or an RSA modulus under 2048 bits). Private members are never read.
 */
export function publicKeyOf(jwk: Jwk): KeyObject | undefined {
  let key = keyObjects.get(jwk);
  if (key === undefined) {
    key = convert(jwk);
    keyObjects.set(jwk, key);
  }
  return key ?? undefined;
}

const publicMembers = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const;

function convert(jwk: Jwk): KeyObject | null {
  const publicJwk: Record<string, unknown> = {};
  for (const member of publicMembers) {
    if (jwk[member] !== undefined) publicJwk[member] = jwk[member];
  }
  try {
    const key = createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' });
    const modulusLength = key.asymmetricKeyDetails?.modulusLength;
    if (key.asymmetricKeyType === 'rsa' && (modulusLength === undefined || modulusLength < minimumRsaModulusBits)) {
      return null;
    }
    return key;
  } catch {
    return null;
  }
}

/**
 * A public key prepared for one algorithm: the key argument of `crypto.verify` (with its padding or
 * signature encoding) and the hash, built once per key and algorithm rather than per token.
 */
export interface VerificationKey {
  readonly alg: AccessTokenAlgorithm;
  readonly hash: AlgorithmRule['hash'];
  readonly key: KeyObject | VerifyKeyObjectInput;
  /** ECDSA signatures are R || S (RFC 7518 §3.4), of a fixed length. */
  readonly signatureLength: number | undefined;
}

/** Prepares `key` (which must fit `alg`: see {@link jwkFitsAlgorithm}) to verify `alg` signatures. */
export function verificationKey(alg: AccessTokenAlgorithm, key: KeyObject): VerificationKey {
  const rule = rules[alg];
  const prepared: KeyObject | VerifyKeyObjectInput =
    rule.ecdsaSignatureLength !== undefined
      ? { key, dsaEncoding: 'ieee-p1363' }
      : rule.pssSaltLength !== undefined
        ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: rule.pssSaltLength }
        : key;
  return Object.freeze({ alg, hash: rule.hash, key: prepared, signatureLength: rule.ecdsaSignatureLength });
}

/** Verifies a JWS signature (`signingInput` is the ASCII of `BASE64URL(header) "." BASE64URL(payload)`). */
export function verifySignature(key: VerificationKey, signingInput: Uint8Array, signature: Uint8Array): boolean {
  if (key.signatureLength !== undefined && signature.length !== key.signatureLength) return false;
  return verify(key.hash, signingInput, key.key, signature);
}
