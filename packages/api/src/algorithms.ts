// The asymmetric JWS algorithms of RFC 7518 §3 and RFC 8037 that an access token may be signed
// with, and which provider keys may verify each. Shared by every runtime: only preparing a key and
// checking a signature differ (signature.node.ts with node:crypto, signature.web.ts with Web Crypto).
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

/** What an algorithm requires of its key and signature. */
export interface AlgorithmRule {
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  readonly kty: 'EC' | 'RSA' | 'OKP';
  /** Accepted JWK `crv` values (EC and OKP). */
  readonly curves?: readonly string[];
  /** ECDSA signatures are R || S (RFC 7518 §3.4), of a fixed length. */
  readonly ecdsaSignatureLength?: number;
  /** RSASSA-PSS with a salt as long as the hash (RFC 7518 §3.5). */
  readonly pssSaltLength?: number;
}

/** The rule of each supported algorithm. */
export const algorithmRules: Readonly<Record<AccessTokenAlgorithm, AlgorithmRule>> = {
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
  Object.keys(algorithmRules) as AccessTokenAlgorithm[],
);

/** Whether `alg` (a header value, untrusted) is one of the supported asymmetric algorithms. */
export function isAccessTokenAlgorithm(alg: unknown): alg is AccessTokenAlgorithm {
  return typeof alg === 'string' && Object.hasOwn(algorithmRules, alg);
}

/** RSA keys shorter than this are refused (RFC 7518 §3.3 requires at least 2048 bits). */
export const minimumRsaModulusBits = 2048;

/**
 * Whether a JWK from the provider's key set may verify a token signed with `alg`: key type and
 * curve must fit the algorithm, the key's own `alg` (when given) must be the same, and its `use` /
 * `key_ops` (when given) must allow verification. This is what stops an RSA key being used for an
 * HMAC "signature" and similar algorithm-confusion attacks.
 */
export function jwkFitsAlgorithm(jwk: Jwk, alg: AccessTokenAlgorithm): boolean {
  const rule = algorithmRules[alg];
  if (jwk.kty !== rule.kty) return false;
  if (rule.curves && (typeof jwk.crv !== 'string' || !rule.curves.includes(jwk.crv))) return false;
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) return false;
  return true;
}

const publicMembers = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const;

/** The public members of a JWK (`kty`, `crv`, `x`, `y`, `n`, `e`): private members are never read. */
export function publicJwkOf(jwk: Jwk): Record<string, unknown> {
  const publicJwk: Record<string, unknown> = {};
  for (const member of publicMembers) {
    if (jwk[member] !== undefined) publicJwk[member] = jwk[member];
  }
  return publicJwk;
}
