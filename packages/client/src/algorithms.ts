/**
 * The JWS algorithms accepted for ID tokens (and, in `@logto-kit/api`, access tokens): asymmetric
 * only. `none` and the HMAC family are refused, since an HMAC key would be the client secret, which
 * the client itself holds (RFC 8725 §3.1).
 */
export const allowedAlgorithms: readonly string[] = Object.freeze([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);
