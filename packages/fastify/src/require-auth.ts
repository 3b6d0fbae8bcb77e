import { authErrorAnswer, createRequestGuard, type GuardOptions, isApiAuthError } from '@logto-kit/api';
import type { FastifyRequest, preHandlerAsyncHookHandler as LogtoPreHandler } from 'fastify';
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
export function requireAuth(options: RequireAuthOptions): LogtoPreHandler {
  const guard = createRequestGuard(options);
  return async (request, reply) => {
    try {
      request.auth = await guard(request.headers.authorization, request);
      return undefined;
    } catch (error) {
      if (isApiAuthError(error)) return sendAnswer(reply, authErrorAnswer(error));
      throw error;
    }
  };
}
