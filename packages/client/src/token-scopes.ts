import { LogtoError } from './errors.ts';

/** RFC 6749 §3.3: a scope token is one or more printable ASCII characters other than space, `"` and `\`. */
const scopeToken = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The scopes asked of a token request, checked, without duplicates and sorted (so that the same
 * set always makes the same cache key); undefined when none are asked.
 *
 * @throws {LogtoError} `invalid_config` for an empty list or a malformed scope.
 */
export function normalizeTokenScopes(scopes: readonly string[] | undefined): string[] | undefined {
  if (scopes === undefined) return undefined;
  if (!Array.isArray(scopes) || scopes.length === 0) {
    throw new LogtoError(
      'invalid_config',
      '`scopes` must be a non-empty array of scope names; leave it out to get every scope granted.',
    );
  }
  for (const scope of scopes) {
    if (typeof scope !== 'string' || !scopeToken.test(scope)) {
      throw new LogtoError(
        'invalid_config',
        `${JSON.stringify(scope)} is not a scope name (RFC 6749 §3.3: printable ASCII without spaces, quotes or backslashes).`,
      );
    }
  }
  return [...new Set(scopes)].sort();
}
