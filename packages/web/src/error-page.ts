/** The default page shown when a sign-in callback fails. */
import { LogtoError } from '@logto-kit/client';
import { isSessionStoreError } from './stores/session-store-error.ts';

/** HTML-escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

const upstreamCodes = new Set(['discovery_failed', 'discovery_issuer_mismatch', 'jwks_unavailable']);

/**
 * The HTTP status for a failed callback: 502 when the identity provider could not be reached or
 * misbehaved, 400 for a bad callback (unknown or replayed state, provider error, invalid token),
 * 503 while the session store is down, 500 for a session too large for cookies.
 */
export function callbackErrorStatus(error: unknown): number {
  if (isSessionStoreError(error)) return error.code === 'session_too_large' ? 500 : 503;
  if (error instanceof LogtoError) return isProviderFailure(error) ? 502 : 400;
  return 500;
}

/**
 * Whether `error` says the identity provider could not be reached or misbehaved (discovery, keys,
 * or the token endpoint giving no usable answer), as opposed to refusing a bad request.
 */
export function isProviderFailure(error: unknown): boolean {
  return error instanceof LogtoError && (upstreamCodes.has(error.code) || isTokenEndpointFailure(error));
}

/** What the pages say when the provider failed: its messages name internal URLs, which stay in the logs. */
const providerFailureMessage =
  'The identity provider could not be reached or gave an unusable answer. Please try again in a moment.';

// The token endpoint gave no usable answer (unreachable, timed out, 5xx, not JSON), as opposed to
// refusing the grant with a 4xx OAuth error, which is a bad callback.
function isTokenEndpointFailure(error: LogtoError): boolean {
  if (error.code !== 'token_request_failed') return false;
  return error.status === undefined ? error.error === undefined : error.status >= 500;
}

/** @internal A small, self-contained HTML page. */
export function htmlDocument(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.4rem; }
code { background: #f3f4f6; padding: 0.1rem 0.3rem; border-radius: 4px; }
.detail { color: #57606a; }
a { color: #5d34f2; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>`;
}

/** The page answered (503) while the session store cannot be reached. */
export function sessionUnavailablePage(): string {
  return htmlDocument(
    'Temporarily unavailable',
    `<p>Your session cannot be read or saved right now. Please try again in a moment.</p>
<p class="detail">Error code: <code>session_store_unavailable</code></p>
<p><a href="">Try again</a></p>`,
  );
}

/** A small, self-contained HTML page naming the error code, with a link home. */
export function callbackErrorPage(error: unknown, homeHref = '/'): string {
  const known = error instanceof LogtoError || isSessionStoreError(error);
  const code = known ? error.code : 'internal_error';
  const providerFailure = isProviderFailure(error);
  const message = providerFailure
    ? providerFailureMessage
    : known
      ? error.message
      : 'Something went wrong while signing you in. Please try again.';
  const provider =
    error instanceof LogtoError && error.error && !providerFailure
      ? `<p class="detail">Identity provider: <code>${escapeHtml(error.error)}</code>${
          error.errorDescription ? ` — ${escapeHtml(error.errorDescription)}` : ''
        }</p>`
      : '';
  return htmlDocument(
    'Sign-in failed',
    `<p>${escapeHtml(message)}</p>
<p class="detail">Error code: <code>${escapeHtml(code)}</code></p>
${provider}
<p><a href="${escapeHtml(homeHref)}">Back to the home page</a></p>`,
  );
}
