import { createEagerRequestGuard, type GuardOptions, runRequestGuard } from '@logto-kit/api';
import type { FastifyRequest, preHandlerHookHandler } from 'fastify';
import { sendAnswer } from './send-answer.ts';

/** Options of {@link requireAuth}: a verifier (or how to create one) and the route's requirements. */
export type RequireAuthOptions = GuardOptions<FastifyRequest>;

/**
 * A `preHandler` that lets a request through only with a valid access token meeting the route's
 * requirements, and sets `request.auth` (`AuthResult` of `@logto-kit/api`). Otherwise it answers
 * 401, 403 or 503 with the RFC 6750 `WWW-Authenticate` header and a JSON body `{ code, message }`.
 * Needs no plugin.
 *
 * @throws {TypeError} at once, when the route names neither an audience nor an organization.
 *
 * @example
 * ```ts
 * const verifier = createAccessTokenVerifier({ endpoint: 'http://localhost:3001' }, { audience: 'https://shopping.your-app.com/api' });
 * app.get('/api/products', { preHandler: requireAuth({ verifier, scopes: ['shopping:read'] }) }, async (request) => ({ sub: request.auth?.sub }));
 * ```
 */
export function requireAuth(options: RequireAuthOptions): preHandlerHookHandler {
  const guard = createEagerRequestGuard(options);
  // Callback style, so that a reused token goes on at once, without a promise.
  return (request, reply, done) => {
    runRequestGuard(
      guard,
      request.headers.authorization,
      request,
      (auth) => {
        request.auth = auth;
        done();
      },
      (answer) => sendAnswer(reply, answer),
      (error) => done(error as Error),
    );
  };
}
