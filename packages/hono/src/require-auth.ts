import * as api from '@logto-kit/api';
import { toResponse } from '@logto-kit/web';
import type { Context, MiddlewareHandler } from 'hono';
import type { NodeBindings } from './hono.ts';

/** Set by `requireAuth()` before the protected handler runs. */
export interface AuthVariables {
  /** The verified caller. */
  auth: api.AuthResult;
}

/** Options of {@link requireAuth}: a verifier (or how to create one) and the route's requirements. */
export type RequireAuthOptions = api.GuardOptions<Context>;

/**
 * Lets a request through only with a valid access token meeting the route's requirements, and
 * sets `c.get('auth')` (`AuthResult` of `@logto-kit/api`). Otherwise it answers 401, 403 or 503
 * with the RFC 6750 `WWW-Authenticate` header and a JSON body `{ code, message }`.
 *
 * @throws {TypeError} at once, when the route names neither an audience nor an organization.
 *
 * @example
 * ```ts
 * const verifier = createAccessTokenVerifier({ endpoint: 'http://localhost:3001' }, { audience: 'https://shopping.your-app.com/api' });
 * app.get('/api/products', requireAuth({ verifier, scopes: ['shopping:read'] }), (c) => c.json({ sub: c.get('auth').sub }));
 * app.get('/api/organizations/:id/projects', requireAuth({ verifier, organizationId: (c) => c.req.param('id') }), …);
 * ```
 */
export function requireAuth(options: RequireAuthOptions): MiddlewareHandler<{ Variables: AuthVariables }> {
  const guard = api.createEagerRequestGuard(options);
  return (c, next) =>
    api.runRequestGuard<Context, ReturnType<MiddlewareHandler>>(
      guard,
      // Under `@hono/node-server`, from the Node.js request (`c.env.incoming`), without building `Headers`.
      api.authorizationOfNodeRequest((c.env as NodeBindings)?.incoming) ?? c.req.header('authorization'),
      c,
      (auth) => {
        c.set('auth', auth);
        return next();
      },
      (answer) => Promise.resolve(toResponse(answer)),
      (error) => Promise.reject(error),
    );
}
