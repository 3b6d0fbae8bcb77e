import { LogtoError } from '@logto-kit/client';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type LogtoUser, requestContext } from './express-request.ts';
import { sendSessionUnavailable } from './session-unavailable.ts';
import { isSessionStoreError } from './stores/session-store-error.ts';

/** Options of {@link authenticated}, as the guide's decorator. */
export interface AuthenticatedOptions {
  /** Redirect a signed-out user to sign-in (and back here afterwards) instead of answering 401 JSON. */
  shouldRedirect?: boolean;
  /** Set `req.user` from the userinfo endpoint (includes `custom_data`) instead of the ID token. */
  fetchUserInfo?: boolean;
  /** Also obtain an access token for this API resource, as `req.accessToken`. */
  resource?: string;
  /** Also obtain an organization token for this organization, as `req.organizationToken`. */
  organizationId?: string;
}

/**
 * Protects a route, as the guide's `@authenticated` decorator: a signed-out user gets 401
 * `{"error":"Not authenticated"}`, or with `shouldRedirect` a redirect to sign-in that returns
 * here. A signed-in user's claims are on `req.user`. Needs the Logto middleware before it.
 */
export function authenticated(options: AuthenticatedOptions = {}): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const client = req.logto;
    const context = requestContext(req);
    if (!client || !context) {
      next(new Error('authenticated() needs the Logto middleware first: app.use(createLogto({ ... })).'));
      return;
    }
    const deny = () => {
      if (options.shouldRedirect) {
        const isRead = req.method === 'GET' || req.method === 'HEAD';
        const target = isRead
          ? `${context.paths.signIn}?returnTo=${encodeURIComponent(req.originalUrl)}`
          : context.paths.signIn;
        res.redirect(302, target);
      } else {
        res.status(401).json({ error: 'Not authenticated' });
      }
    };
    try {
      if (!(await client.isAuthenticated())) {
        deny();
        return;
      }
      const user = options.fetchUserInfo ? await client.fetchUserInfo() : await client.getIdTokenClaims();
      // Written without relying on the type of `req.user`: other libraries (e.g. @logto/node) declare it differently.
      (req as unknown as { user: LogtoUser }).user = user;
      if (options.resource) req.accessToken = await client.getAccessToken(options.resource);
      if (options.organizationId) req.organizationToken = await client.getOrganizationToken(options.organizationId);
      next();
    } catch (error) {
      if (error instanceof LogtoError && error.code === 'not_authenticated') deny();
      // The shared store or refresh lock is down: an outage, not a sign-out.
      else if (isSessionStoreError(error) && !res.headersSent) sendSessionUnavailable(req, res);
      else next(error);
    }
  };
}
