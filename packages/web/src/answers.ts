/**
 * The answers the adapters give by themselves, as plain data each framework sends its own way:
 * 401 for a signed-out user, 503 while the session store is unreachable, 502 while the identity
 * provider is.
 */
import { LogtoError } from '@logto-kit/client';
import { prefersJson } from './accept.ts';
import { callbackErrorPage, sessionUnavailablePage } from './error-page.ts';

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

/** The JSON body answered to a signed-out user by `authenticated()` (401). */
export const notAuthenticatedBody = { error: 'Not authenticated' } as const;

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
