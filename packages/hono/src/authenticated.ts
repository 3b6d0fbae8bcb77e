import * as web from '@logto-kit/web';
import type { MiddlewareHandler } from 'hono';
import type { NodeBindings } from './hono.ts';

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
  return async (c, next) => {
    const context = c.get('logto');
    if (!context) throw new Error('authenticated() needs the Logto middleware first: app.use(logto.middleware).');
    let decision = web.decideAuthenticated(context, options);
    if (decision instanceof Promise) decision = await decision;
    if (decision.kind === 'answer') return web.toResponse(decision.answer);
    c.set('user', decision.user);
    c.set('accessToken', decision.accessToken);
    c.set('organizationToken', decision.organizationToken);
    // Under `@hono/node-server`, on the Node.js response (cheaper than the `Response`'s `Headers`).
    const outgoing = (c.env as NodeBindings)?.outgoing;
    if (outgoing) web.markPrivateBeforeHeaders(outgoing);
    await next();
    const res = outgoing ? c.res : web.markPrivate(c.res);
    if (res === c.res) return;
    c.res = undefined; // Otherwise Hono merges the first response's headers back in.
    c.res = res;
  };
}
