import {
  type AuthenticatedOptions,
  decideAuthenticated,
  type LogtoUser,
  notAuthenticatedBody,
  privateCacheHeaders,
} from '@logto-kit/web';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { requestContext } from './express-request.ts';
import { sendSessionUnavailable } from './session-unavailable.ts';

export type { AuthenticatedOptions } from '@logto-kit/web';

/**
 * Protects a route, as the guide's `@authenticated` decorator: a signed-out user gets 401
 * `{"error":"Not authenticated"}`, or with `shouldRedirect` a redirect to sign-in that returns
 * here. A signed-in user's claims are on `req.user` (`req.accessToken`, `req.organizationToken`
 * with `resource`, `organizationId`). Needs the Logto middleware before it.
 */
export function authenticated(options: AuthenticatedOptions = {}): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const client = req.logto;
    const context = requestContext(req);
    if (!client || !context) {
      next(new Error('authenticated() needs the Logto middleware first: app.use(createLogto({ ... })).'));
      return;
    }
    try {
      const decision = await decideAuthenticated(
        client,
        options,
        { method: req.method, url: req.originalUrl },
        context.paths,
      );
      // Personal, whatever the outcome: no shared cache may keep it.
      // Node's setHeader: Express's res.set() and res.vary() cost microseconds on every request.
      res.setHeader('Cache-Control', privateCacheHeaders['Cache-Control']);
      if (res.getHeader('Vary') === undefined) res.setHeader('Vary', privateCacheHeaders.Vary);
      else res.vary(privateCacheHeaders.Vary);
      switch (decision.kind) {
        case 'user':
          // Written without relying on the type of `req.user`: other libraries (e.g. @logto/node) declare it differently.
          (req as unknown as { user: LogtoUser }).user = decision.user;
          if (decision.accessToken !== undefined) req.accessToken = decision.accessToken;
          if (decision.organizationToken !== undefined) req.organizationToken = decision.organizationToken;
          next();
          return;
        case 'redirect':
          res.redirect(302, decision.location);
          return;
        case 'unauthorized':
          res.status(401).json(notAuthenticatedBody);
          return;
        case 'unavailable':
          if (res.headersSent) next(decision.error);
          else sendSessionUnavailable(req, res);
      }
    } catch (error) {
      next(error);
    }
  };
}
