/**
 * Every stable error code a {@link LogtoError} can carry. Match on `code`, never on `message`
 * (messages explain what to do and may be reworded).
 */
export type LogtoErrorCode =
  /** No usable session: not signed in, or the session was cleared (e.g. the refresh token was refused). */
  | 'not_authenticated'
  /** The configuration given to `LogtoClient` is incomplete or malformed. */
  | 'invalid_config'
  /** The callback's `state` matches no pending sign-in of this storage (unknown, replayed or expired). */
  | 'callback_state_mismatch'
  /** The callback URL carries neither `code` nor `error`. */
  | 'callback_missing_code'
  /** The identity provider answered the authorization request with an `error`. */
  | 'callback_provider_error'
  /** The callback's RFC 9207 `iss` parameter is missing or names another issuer. */
  | 'callback_iss_mismatch'
  /** The callback URL does not start with the redirect URI the sign-in was started with. */
  | 'callback_redirect_uri_mismatch'
  /** The ID token's signature does not verify with the provider's published keys. */
  | 'id_token_invalid_signature'
  /** The ID token is malformed or a claim (`iss`, `aud`, `azp`, `sub`, …) is wrong or missing. */
  | 'id_token_invalid_claims'
  /** The ID token's `nonce` differs from the one sent with the sign-in. */
  | 'id_token_nonce_mismatch'
  /** The ID token has expired. */
  | 'id_token_expired'
  /** The ID token's `iat` lies in the future beyond the clock tolerance. */
  | 'id_token_iat_in_future'
  /** A refreshed ID token names another issuer or subject than the session's. */
  | 'id_token_sub_changed'
  /** The userinfo response's `sub` differs from the ID token's. */
  | 'userinfo_sub_mismatch'
  /** The userinfo endpoint refused the request or answered something other than a JSON object. */
  | 'userinfo_failed'
  /** The OpenID discovery document could not be fetched or is malformed. */
  | 'discovery_failed'
  /** The discovery document's `issuer` is not exactly the expected issuer. */
  | 'discovery_issuer_mismatch'
  /** No signing keys could be fetched from the provider's JWKS endpoint. */
  | 'jwks_unavailable'
  /** The token endpoint refused a request or answered something unusable. */
  | 'token_request_failed'
  /** The user (or the M2M app) is not a member of the organization, or the session lacks the organizations scope. */
  | 'organization_access_denied'
  /** A token is signed with an algorithm outside the asymmetric allow-list (e.g. `none`, `HS256`). */
  | 'unsupported_algorithm';

/** Options of {@link LogtoError}. */
export interface LogtoErrorOptions {
  /** The OAuth `error` the provider answered, when there was one. */
  error?: string;
  /** The OAuth `error_description` the provider answered, when there was one. */
  errorDescription?: string;
  /** Logto's own error code from the answer's body (e.g. `oidc.access_denied`), when it sent one. */
  logtoCode?: string;
  /** The HTTP status of the provider's answer, when there was one. */
  status?: number;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The one error class of `@logto-kit/client`. `code` is stable; `error` / `errorDescription`
 * carry the identity provider's OAuth error when it sent one, and `logtoCode` Logto's own code for
 * it (`oidc.access_denied`, `oidc.invalid_grant`, `session.invalid_credentials`, …).
 *
 * @example
 * ```ts
 * try {
 *   await client.getAccessToken('https://shopping.your-app.com/api');
 * } catch (error) {
 *   if (error instanceof LogtoError && error.code === 'not_authenticated') return redirect('/sign-in');
 *   throw error;
 * }
 * ```
 */
export class LogtoError extends Error {
  override readonly name = 'LogtoError';
  /** What went wrong, as a stable code. */
  readonly code: LogtoErrorCode;
  /** The provider's OAuth `error`, when it sent one. */
  readonly error: string | undefined;
  /** The provider's OAuth `error_description`, when it sent one. */
  readonly errorDescription: string | undefined;
  /**
   * Logto's own code from the answer's body (`{"code":"oidc.invalid_grant","message":…}`), when it
   * sent one: finer than the OAuth `error` for Logto's own APIs (e.g. `session.invalid_credentials`).
   */
  readonly logtoCode: string | undefined;
  /** The HTTP status of the provider's answer, when there was one. */
  readonly status: number | undefined;

  constructor(code: LogtoErrorCode, message: string, options: LogtoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.error = options.error;
    this.errorDescription = options.errorDescription;
    this.logtoCode = options.logtoCode;
    this.status = options.status;
  }
}
