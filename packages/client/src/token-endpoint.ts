import { LogtoError } from './errors.ts';
import { defaultTimeoutMs, describeFetchError, isJsonObject } from './fetch-json.ts';
import { providerErrorDetails } from './provider-error.ts';

/** A confidential client's credentials, for `client_secret_basic`. */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** How the token endpoint is reached. */
export interface EndpointOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** A successful token response (RFC 6749 §5.1), validated. */
export interface TokenResponse {
  access_token: string;
  /** Always `Bearer` (compared case-insensitively on receipt). */
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
}

/** RFC 6749 Appendix B: `application/x-www-form-urlencoded` encoding of one value. */
function formEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/**
 * The `Authorization` header of `client_secret_basic`. RFC 6749 §2.3.1: the id and the secret are
 * form-urlencoded before being joined with `:` and base64-encoded, so a `:` in either stays unambiguous.
 */
export function basicAuthorization({ clientId, clientSecret }: ClientCredentials): string {
  return `Basic ${btoa(`${formEncode(clientId)}:${formEncode(clientSecret)}`)}`;
}

async function post(
  url: string,
  params: URLSearchParams,
  credentials: ClientCredentials,
  options: EndpointOptions,
  what: string,
): Promise<{ status: number; body: unknown }> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: {
        authorization: basicAuthorization(credentials),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: params.toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? defaultTimeoutMs),
    });
  } catch (cause) {
    throw new LogtoError(
      'token_request_failed',
      `The ${what} request to ${url} failed: ${describeFetchError(cause)}. Check that the identity server is reachable.`,
      { cause },
    );
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const details = providerErrorDetails(body);
    const { error, errorDescription } = details;
    throw new LogtoError(
      'token_request_failed',
      `The ${what} request was refused (HTTP ${response.status}${error ? `, ${error}` : ''}${errorDescription ? `: ${errorDescription}` : ''}).`,
      { status: response.status, ...details },
    );
  }
  return { status: response.status, body };
}

/**
 * POSTs a grant to the token endpoint with `client_secret_basic` and validates the answer.
 *
 * @throws {LogtoError} `token_request_failed`, with the provider's `error` / `error_description` attached.
 */
export async function requestToken(
  tokenEndpoint: string,
  params: Record<string, string | undefined>,
  credentials: ClientCredentials,
  options: EndpointOptions = {},
): Promise<TokenResponse> {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) form.append(name, value);
  }
  const { body } = await post(tokenEndpoint, form, credentials, options, 'token');
  const invalid = (detail: string) =>
    new LogtoError('token_request_failed', `The token endpoint ${tokenEndpoint} answered ${detail}.`);
  if (!isJsonObject(body)) throw invalid('something other than a JSON object');
  if (typeof body.access_token !== 'string' || body.access_token === '') throw invalid('no access_token');
  // RFC 6749 §5.1: the token type is case-insensitive.
  if (typeof body.token_type !== 'string' || body.token_type.toLowerCase() !== 'bearer') {
    throw invalid(`the token_type ${JSON.stringify(body.token_type)} (expected Bearer)`);
  }
  const expiresIn =
    typeof body.expires_in === 'number'
      ? body.expires_in
      : typeof body.expires_in === 'string' && /^\d+$/.test(body.expires_in)
        ? Number(body.expires_in)
        : undefined;
  for (const field of ['refresh_token', 'id_token', 'scope'] as const) {
    if (body[field] !== undefined && typeof body[field] !== 'string') throw invalid(`a malformed ${field}`);
  }
  return {
    access_token: body.access_token,
    token_type: body.token_type,
    expires_in: expiresIn,
    refresh_token: body.refresh_token as string | undefined,
    id_token: body.id_token as string | undefined,
    scope: body.scope as string | undefined,
  };
}

/**
 * Revokes a token at the RFC 7009 revocation endpoint.
 *
 * @throws {LogtoError} `token_request_failed` when the provider refuses or is unreachable.
 */
export async function revokeToken(
  revocationEndpoint: string,
  token: string,
  tokenTypeHint: 'refresh_token' | 'access_token',
  credentials: ClientCredentials,
  options: EndpointOptions = {},
): Promise<void> {
  const form = new URLSearchParams({ token, token_type_hint: tokenTypeHint });
  await post(revocationEndpoint, form, credentials, options, 'revocation');
}
