/**
 * Every failure of `@logto-kit/api` is an {@link ApiAuthError} with a stable `code`.
 *
 * - `auth.authorization_header_missing`, `auth.authorization_token_invalid_format`,
 *   `auth.authorization_token_type_not_supported`: the Bearer extraction codes of Logto's
 *   "protect your API" guide (401).
 * - `invalid_token`: the token is malformed, forged, expired, or meant for someone else (401).
 * - `insufficient_scope`: the token is valid but lacks a required scope (403).
 * - `provider_unavailable`: no signing keys are known and the identity provider cannot be reached,
 *   so no token can be verified (503). A request is never let through in that case.
 */
export type ApiAuthErrorCode =
  | 'auth.authorization_header_missing'
  | 'auth.authorization_token_invalid_format'
  | 'auth.authorization_token_type_not_supported'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'provider_unavailable';

const statusOf: Record<ApiAuthErrorCode, 401 | 403 | 503> = {
  'auth.authorization_header_missing': 401,
  'auth.authorization_token_invalid_format': 401,
  'auth.authorization_token_type_not_supported': 401,
  invalid_token: 401,
  insufficient_scope: 403,
  provider_unavailable: 503,
};

/** Options of {@link ApiAuthError}. */
export interface ApiAuthErrorOptions {
  /** For `insufficient_scope`: the scopes the resource requires (sent as `scope="…"`). */
  readonly requiredScopes?: readonly string[];
  /** The underlying failure, for logs. Never sent to the client. */
  readonly cause?: unknown;
}

/**
 * The one error class of `@logto-kit/api`. `status` is the HTTP status to answer with;
 * {@link ApiAuthError.wwwAuthenticate} and {@link ApiAuthError.body} are the RFC 6750 response.
 * Messages explain what went wrong and never contain the token.
 */
export class ApiAuthError extends Error {
  override readonly name = 'ApiAuthError';
  /** Stable machine-readable code. */
  readonly code: ApiAuthErrorCode;
  /** HTTP status: 401, 403 or 503. */
  readonly status: 401 | 403 | 503;
  /** For `insufficient_scope`: the scopes that the resource requires. */
  readonly requiredScopes: readonly string[];

  constructor(code: ApiAuthErrorCode, message: string, options: ApiAuthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = statusOf[code];
    this.requiredScopes = options.requiredScopes ?? [];
  }

  /**
   * The `WWW-Authenticate` header value (RFC 6750 §3), or `undefined` for 503.
   *
   * A request without any credentials gets a bare `Bearer` challenge (RFC 6750 §3.1: no error code
   * when authentication information is absent); a malformed `Authorization` header is
   * `invalid_request`; a bad token `invalid_token`; a missing scope `insufficient_scope` with the
   * required `scope`.
   */
  get wwwAuthenticate(): string | undefined {
    return challengeFor(this);
  }

  /** The JSON response body: `{ code, message }`. */
  get body(): { readonly code: ApiAuthErrorCode; readonly message: string } {
    return { code: this.code, message: this.message };
  }
}

function challengeFor(error: ApiAuthError): string | undefined {
  switch (error.code) {
    case 'provider_unavailable':
      return undefined;
    case 'auth.authorization_header_missing':
      return 'Bearer';
    case 'auth.authorization_token_invalid_format':
    case 'auth.authorization_token_type_not_supported':
      return challenge('invalid_request', error.message);
    case 'invalid_token':
      return challenge('invalid_token', error.message);
    case 'insufficient_scope':
      return `${challenge('insufficient_scope', error.message)}, scope="${quote(error.requiredScopes.join(' '))}"`;
  }
}

function challenge(error: string, description: string): string {
  return `Bearer error="${error}", error_description="${quote(description)}"`;
}

// RFC 6750 §3: error_description and scope values are limited to printable ASCII without `"` and `\`.
function quote(value: string): string {
  return value.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '');
}

/** Whether `error` is an {@link ApiAuthError}. */
export function isApiAuthError(error: unknown): error is ApiAuthError {
  return error instanceof ApiAuthError;
}

/** A 401 `invalid_token` refusal with `message`. */
export function invalidToken(message: string): ApiAuthError {
  return new ApiAuthError('invalid_token', message);
}

/** A 503 `provider_unavailable`: no signing keys are known and the provider cannot be reached. */
export function providerUnavailable(cause: unknown): ApiAuthError {
  return new ApiAuthError(
    'provider_unavailable',
    "The identity provider's signing keys are unavailable, so the access token cannot be verified. Try again later.",
    { cause },
  );
}
