import { createEagerRequestGuard, type GuardOptions, type GuardRequirements, runRequestGuard } from '@logto-kit/api';
import type { Request, RequestHandler } from 'express';
import { sendAnswer } from './send-answer.ts';

/** A route's requirements for {@link requireAuth}; `organizationId` may be read from the request. */
export type RequireAuthRequirements = GuardRequirements<Request>;

/** Options of {@link requireAuth}: a verifier (or how to create one) and the route's requirements. */
export type RequireAuthOptions = GuardOptions<Request>;

/**
 * Express middleware that lets a request through only with a valid access token meeting the route's
 * requirements, and sets `req.auth` (`AuthResult`). Otherwise it answers 401, 403 or 503 with
 * the RFC 6750 `WWW-Authenticate` header and a JSON body `{ code, message }`.
 *
 * @throws {TypeError} at once, when the route names neither an audience nor an organization.
 *
 * @example
 * ```ts
 * const verifier = createAccessTokenVerifier({ endpoint: 'http://localhost:3001' }, { audience: 'https://shopping.your-app.com/api' });
 * app.get('/api/products', requireAuth({ verifier, scopes: ['shopping:read'] }), (req, res) => {
 *   res.json({ sub: req.auth?.sub });
 * });
 * ```
 */
export function requireAuth(options: RequireAuthOptions): RequestHandler {
  const guard = createEagerRequestGuard(options);
  return (req, res, next) => {
    runRequestGuard(
      guard,
      req.headers.authorization,
      req,
      (auth) => {
        req.auth = auth;
        next();
      },
      (answer) => sendAnswer(res, answer),
      next,
    );
  };
}
