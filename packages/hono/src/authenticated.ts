import * as web from '@logto-kit/web';
import type { Context, MiddlewareHandler, Next } from 'hono';
import { type NodeBindings, replaceResponse } from './hono.ts';

/** Set by `authenticated()` before the protected handler runs. */
export interface AuthenticatedVariables {
  /** The signed-in user: ID token claims, or the userinfo response with `fetchUserInfo`. */
  user: web.LogtoUser;
  /** An access token for the `resource` given to `authenticated()`. */
  accessToken: string | undefined;
  /** An organization token for the `organizationId` given to `authenticated()`. */
  organizationToken: string | undefined;
}

/**
 * Protects a route, as the guide's `@authenticated` decorator: a signed-out user gets 401
 * `{"error":"Not authenticated"}`, or with `shouldRedirect` a redirect to sign-in that returns
 * here. A signed-in user's claims are `c.get('user')` (`c.get('accessToken')`,
 * `c.get('organizationToken')` with `resource`, `organizationId`). Needs the Logto middleware.
 */
export function authenticated(
  options: web.AuthenticatedOptions = {},
): MiddlewareHandler<{ Variables: { logto: web.LogtoRequestContext } & AuthenticatedVariables }> {
  return (c, next) => {
    const context = c.get('logto');
    if (!context) throw new Error('authenticated() needs the Logto middleware first: app.use(logto.middleware).');
    const decision = web.decideAuthenticated(context, options);
    // Usually decided at once: then no promise of its own, only the one `next()` gives.
    return decision instanceof Promise
      ? decision.then((known) => applyDecision(known, c, next))
      : applyDecision(decision, c, next);
  };
}

function applyDecision(decision: web.AuthenticatedDecision, c: Context, next: Next): ReturnType<MiddlewareHandler> {
  if (decision.kind === 'answer') return Promise.resolve(web.toResponse(decision.answer));
  c.set('user', decision.user);
  c.set('accessToken', decision.accessToken);
  c.set('organizationToken', decision.organizationToken);
  // Under `@hono/node-server`, on the Node.js response (cheaper than the `Response`'s `Headers`).
  const outgoing = (c.env as NodeBindings)?.outgoing;
  if (outgoing) web.markPrivateBeforeHeaders(outgoing);
  return outgoing ? next() : next().then(() => replaceResponse(c, web.markPrivate(c.res)));
}
