// The claims of an access token (RFC 7519 §4.1, RFC 9068 §2.2) checked before its signature, so
// that an expired or foreign token costs no signature check; nothing is accepted on them alone.
import type { AccessTokenClaims, AuthResult } from './auth-result.ts';
import { audienceOf, scopesOf } from './claim-values.ts';
import { invalidToken } from './errors.ts';

const noScopes: readonly string[] = Object.freeze([]);

/**
 * The caller a token's `claims` describe, once `iss` is exactly `issuer`, `exp` is present and not
 * passed, `nbf` and `iat` are not in the future (each with `toleranceSeconds` of clock skew), `sub`
 * is a non-empty string and `aud`, `scope`, `client_id` and `organization_id` are well-typed.
 *
 * @throws {ApiAuthError} 401 `invalid_token` naming the first claim that fails.
 */
export function checkClaims(
  claims: Readonly<Record<string, unknown>>,
  issuer: string,
  nowSeconds: number,
  toleranceSeconds: number,
): AuthResult {
  const { iss, sub, aud, exp, nbf, iat, scope, client_id: clientId, organization_id: organizationId } = claims;
  if (typeof iss !== 'string' || iss !== issuer) {
    throw invalidToken(`The access token was not issued by ${issuer}.`);
  }
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw invalidToken('The access token has no valid "exp" (expiry) claim.');
  }
  if (nowSeconds - toleranceSeconds >= exp) {
    throw invalidToken('The access token has expired. Get a new one from the identity provider.');
  }
  if (nbf !== undefined && (typeof nbf !== 'number' || !Number.isFinite(nbf) || nbf > nowSeconds + toleranceSeconds)) {
    throw invalidToken('The access token is not valid yet ("nbf" is in the future).');
  }
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat) || iat > nowSeconds + toleranceSeconds)) {
    throw invalidToken('The access token\'s "iat" (issued at) claim is invalid or in the future.');
  }
  if (typeof sub !== 'string' || sub === '') {
    throw invalidToken('The access token has no "sub" (subject) claim.');
  }
  const audience = audienceOf(aud);
  if (audience === undefined) {
    throw invalidToken('The access token has no valid "aud" (audience) claim.');
  }
  if (scope !== undefined && typeof scope !== 'string') {
    throw invalidToken('The access token\'s "scope" claim is not a string.');
  }
  if (clientId !== undefined && typeof clientId !== 'string') {
    throw invalidToken('The access token\'s "client_id" claim is not a string.');
  }
  if (organizationId !== undefined && typeof organizationId !== 'string') {
    throw invalidToken('The access token\'s "organization_id" claim is not a string.');
  }
  return Object.freeze({
    sub,
    clientId,
    scopes: scope === undefined ? noScopes : scopesOf(scope),
    organizationId: organizationId ?? audience.organizationId,
    audience: audience.audience,
    claims: Object.freeze(claims) as AccessTokenClaims,
  });
}
