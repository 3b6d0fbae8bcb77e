import { ApiAuthError } from './errors.ts';

/**
 * Extracts the access token from an `Authorization: Bearer <token>` header value, with the error
 * codes of Logto's "protect your API" guide (all 401):
 *
 * - no header, or an empty one: `auth.authorization_header_missing`;
 * - not exactly two space-separated parts: `auth.authorization_token_invalid_format`;
 * - a scheme other than `Bearer`: `auth.authorization_token_type_not_supported`.
 *
 * The scheme is compared case-insensitively (RFC 7235 §2.1). The token itself is checked later by
 * the verifier.
 *
 * @param authorization - The header value (`undefined` or `null` when absent).
 * @throws {ApiAuthError}
 */
export function extractBearerToken(authorization: string | null | undefined): string {
  if (!authorization) {
    throw new ApiAuthError(
      'auth.authorization_header_missing',
      'The Authorization header is missing. Send "Authorization: Bearer <access token>".',
    );
  }
  const parts = authorization.trim().split(/\s+/);
  const [scheme, token] = parts;
  if (parts.length !== 2 || scheme === undefined || token === undefined) {
    throw new ApiAuthError(
      'auth.authorization_token_invalid_format',
      'The Authorization header must be "Bearer <access token>".',
    );
  }
  if (scheme.toLowerCase() !== 'bearer') {
    throw new ApiAuthError(
      'auth.authorization_token_type_not_supported',
      'Only the Bearer authorization scheme is supported. Send "Authorization: Bearer <access token>".',
    );
  }
  return token;
}
