/**
 * The answers the adapters give by themselves, as plain data each framework sends its own way:
 * 401 for a signed-out user, 503 while the session store is unreachable, 502 while the identity
 * provider is.
 */
import { LogtoError } from '@logto-kit/client';
import { prefersJson } from './accept.ts';
import { callbackErrorPage, callbackErrorStatus, sessionUnavailablePage } from './error-page.ts';

/** An HTTP answer: status, headers and body text. */
export interface PlainAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The `Content-Type` of JSON answers. */
export const jsonContentType = 'application/json; charset=utf-8';
/** The `Content-Type` of HTML answers. */
export const htmlContentType = 'text/html; charset=utf-8';

/**
 * Headers of every answer that depends on the user's session (the routes and every response of
 * `authenticated()`): no shared cache may keep it, no cache may give it to another user.
 */
export const privateCacheHeaders = { 'Cache-Control': 'private, no-store', Vary: 'Cookie' } as const;

/**
 * The `Vary` header value of an answer that depends on the session: `existing` (what the handler
 * set, if anything) with `Cookie` added unless it is already there.
 */
export function varyByCookie(existing: string | undefined): string {
  if (!existing) return privateCacheHeaders.Vary;
  return /(?:^|,)\s*(?:cookie|\*)\s*(?:,|$)/i.test(existing) ? existing : `${existing}, ${privateCacheHeaders.Vary}`;
}

/**
 * The headers removed from a response whose session could not be saved, before it is replaced by
 * the 503 answer: nothing of the first response (its cookies, its redirect, its body's headers)
 * may survive. Lower-case, as HTTP/2 and `Headers` name them.
 */
export const droppedOnFailure: readonly string[] = Object.freeze([
  'set-cookie',
  'location',
  'content-length',
  'content-type',
  'etag',
]);

/** The JSON body answered to a signed-out user by `authenticated()` (401). */
export const notAuthenticatedBody = { error: 'Not authenticated' } as const;

const notAuthenticatedJson = JSON.stringify(notAuthenticatedBody);

/** The 401 answer of `authenticated()` to a signed-out user: `{"error":"Not authenticated"}`. */
export function notAuthenticatedAnswer(): PlainAnswer {
  return {
    status: 401,
    headers: { ...privateCacheHeaders, 'Content-Type': jsonContentType },
    body: notAuthenticatedJson,
  };
}

/** A redirect (302) to `location`, private to the user like every answer that depends on a session. */
export function redirectAnswer(location: string): PlainAnswer {
  return { status: 302, headers: { ...privateCacheHeaders, Location: location }, body: '' };
}

/**
 * The default answer to a failed sign-in callback: the error page (`callbackErrorPage`) with
 * `callbackErrorStatus(error)` (400; 502 when the provider is unreachable; 500
 * `session_too_large`; 503 while the store is down).
 */
export function callbackErrorAnswer(error: unknown): PlainAnswer {
  return {
    status: callbackErrorStatus(error),
    headers: { ...privateCacheHeaders, 'Content-Type': htmlContentType },
    body: callbackErrorPage(error),
  };
}

/**
 * Answered (503) when the session store cannot be reached: the user is not signed out because of
 * an outage. JSON for clients that prefer it, otherwise a small HTML page.
 */
export function sessionUnavailableAnswer(accept: string | null | undefined): PlainAnswer {
  const json = prefersJson(accept);
  return {
    status: 503,
    headers: {
      'Retry-After': '5',
      ...privateCacheHeaders,
      'Content-Type': json ? jsonContentType : htmlContentType,
    },
    body: json ? JSON.stringify({ error: 'Session store unavailable' }) : sessionUnavailablePage(),
  };
}

/**
 * Answered (502) when a sign-in cannot start because the identity provider cannot be reached or
 * gives an unusable answer (`error` a provider failure, see `isProviderFailure`): the sign-in
 * error page naming the error code, or JSON `{ error, code }` for clients that prefer it. The
 * provider's URLs stay out of the answer.
 */
export function providerUnavailableAnswer(error: unknown, accept: string | null | undefined): PlainAnswer {
  const json = prefersJson(accept);
  return {
    status: 502,
    headers: { ...privateCacheHeaders, 'Content-Type': json ? jsonContentType : htmlContentType },
    body: json
      ? JSON.stringify({
          error: 'Identity provider unavailable',
          code: error instanceof LogtoError ? error.code : 'internal_error',
        })
      : callbackErrorPage(error),
  };
}
