/**
 * What the Logto middleware adds to Express requests: the typing of `req.logto`, `req.user`, …
 * and the per-request context `authenticated()` reads.
 */
import type { LogtoClient } from '@logto-kit/client';
import type { LogtoPaths, LogtoUser, Session } from '@logto-kit/web';
import type { Request } from 'express';

declare global {
  namespace Express {
    interface Request {
      /** This request's Logto client, its storage being the user's session. Set by the Logto middleware. */
      logto?: LogtoClient;
      /** This request's session. Set by the Logto middleware. */
      logtoSession?: Session;
      /** The signed-in user. Set by `authenticated()`. */
      user?: LogtoUser;
      /** An access token for the `resource` given to `authenticated()`. */
      accessToken?: string;
      /** An organization token for the `organizationId` given to `authenticated()`. */
      organizationToken?: string;
    }
  }
}

/** @internal What the middleware tells later handlers of the same request. */
export interface RequestContext {
  paths: LogtoPaths;
}

// A symbol-keyed property rather than a WeakMap: set on every request, it costs the garbage
// collector nothing extra.
const contextKey = Symbol('logto-kit.requestContext');
type WithContext = { [contextKey]?: RequestContext };

/** @internal */
export function setRequestContext(req: Request, context: RequestContext): void {
  (req as unknown as WithContext)[contextKey] = context;
}

/** @internal */
export function requestContext(req: Request): RequestContext | undefined {
  return (req as unknown as WithContext)[contextKey];
}

/**
 * @internal The request body as text: read from the stream, or, when a body parser consumed it
 * first (e.g. `express.urlencoded()`), re-encoded from `req.body`. At most 64 KB.
 */
export async function readBody(req: Request): Promise<string> {
  const parsed: unknown = req.body;
  if (typeof parsed === 'string') return parsed;
  if (req.readableEnded) {
    if (typeof parsed !== 'object' || parsed === null) return '';
    return new URLSearchParams(
      Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    ).toString();
  }
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 65_536) throw new Error('The request body is larger than 64 KB.');
  }
  return text;
}

/**
 * The user `authenticated()` put on `req.user`, typed as {@link LogtoUser} even in projects where
 * another library's declaration of `req.user` wins (e.g. `@logto/node` declares it globally).
 */
export function userOf(req: Request): LogtoUser | undefined {
  return (req as unknown as { user?: LogtoUser }).user;
}
