import * as web from '@logto-kit/web';
import type { Request, RequestHandler } from 'express';
import { sendAnswer } from './send-answer.ts';

/**
 * Protects a route, as the guide's `@authenticated` decorator: a signed-out user gets 401
 * `{"error":"Not authenticated"}`, or with `shouldRedirect` a redirect to sign-in that returns
 * here. A signed-in user's claims are on `req.user` (`req.accessToken`, `req.organizationToken`
 * with `resource`, `organizationId`). Needs the Logto middleware before it.
 */
export function authenticated(options: web.AuthenticatedOptions = {}): RequestHandler {
  return (req, res, next) => {
    if (!req.logto)
      return next(new Error('authenticated() needs the Logto middleware first: app.use(logto.middleware).'));
    web.whenReady(
      web.decideAuthenticated(req.logto, options),
      (decision) => {
        if (decision.kind === 'answer') return sendAnswer(res, decision.answer);
        web.markPrivateBeforeHeaders(res);
        // Not typed through `req.user`: other libraries (e.g. @logto/node) declare it differently.
        (req as { user?: unknown }).user = decision.user;
        if (decision.accessToken !== undefined) req.accessToken = decision.accessToken;
        if (decision.organizationToken !== undefined) req.organizationToken = decision.organizationToken;
        next();
      },
      next,
    );
  };
}

/** The user `authenticated()` put on `req.user`, typed as `LogtoUser` even where another library's `req.user` wins. */
export function userOf(req: Request): web.LogtoUser | undefined {
  return (req as { user?: unknown }).user as web.LogtoUser | undefined;
}
