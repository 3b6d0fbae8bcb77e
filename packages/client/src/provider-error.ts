import type { LogtoError, LogtoErrorOptions } from './errors.ts';
import { isJsonObject } from './fetch-json.ts';

/** What an identity server's error answer says about itself. */
export type ProviderErrorDetails = Pick<LogtoErrorOptions, 'error' | 'errorDescription' | 'logtoCode'>;

/**
 * Reads an error body: the OAuth `error` / `error_description` (RFC 6749 §5.2) and Logto's own
 * `code` (`{"code":"oidc.invalid_grant","message":…}`). Fields of the wrong type are ignored.
 */
export function providerErrorDetails(body: unknown): ProviderErrorDetails {
  if (!isJsonObject(body)) return {};
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const details: ProviderErrorDetails = {};
  const error = text(body.error);
  const errorDescription = text(body.error_description);
  const logtoCode = text(body.code);
  if (error !== undefined) details.error = error;
  if (errorDescription !== undefined) details.errorDescription = errorDescription;
  if (logtoCode !== undefined) details.logtoCode = logtoCode;
  return details;
}

/** The provider's answer carried by `error`, for a new error that wraps it. */
export function providerDetailsOf(error: LogtoError): ProviderErrorDetails & Pick<LogtoErrorOptions, 'status'> {
  return {
    error: error.error,
    errorDescription: error.errorDescription,
    logtoCode: error.logtoCode,
    status: error.status,
  };
}
