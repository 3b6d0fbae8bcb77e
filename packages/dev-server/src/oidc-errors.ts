import type { OIDCProviderError } from 'oidc-provider';

/** Gives an oidc-provider error another HTTP status (Logto answers 403 for some it raises as 400). */
export function withStatus(error: OIDCProviderError, status: number): OIDCProviderError {
  error.status = status;
  error.statusCode = status;
  return error;
}
