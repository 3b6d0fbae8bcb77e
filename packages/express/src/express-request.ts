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
 * The user `authenticated()` put on `req.user`, typed as {@link LogtoUser} even in projects where
 * another library's declaration of `req.user` wins (e.g. `@logto/node` declares it globally).
 */
export function userOf(req: Request): LogtoUser | undefined {
  return (req as unknown as { user?: LogtoUser }).user;
}
