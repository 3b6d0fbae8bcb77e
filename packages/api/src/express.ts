import type { Request, RequestHandler, Response } from 'express';
import type { AuthResult } from './auth-result.ts';
import { extractBearerToken } from './bearer.ts';
import { ApiAuthError, isApiAuthError } from './errors.ts';
import { type AccessRequirements, assertAudienceConfigured } from './requirements.ts';
import { resolveVerifier, type VerifierChoice } from './verifier-choice.ts';

declare global {
  namespace Express {
    interface Request {
      /** The verified caller, set by `requireAuth()` from `@logto-kit/api`. */
      auth?: AuthResult;
    }
  }
}

/** A route's requirements for {@link requireAuth}; `organizationId` may be read from the request. */
export interface RequireAuthRequirements extends Omit<AccessRequirements, 'organizationId'> {
  /**
   * The organization the route acts on, e.g. `(req) => req.params.id` for
   * `/organizations/:id/projects` (see {@link AccessRequirements.organizationId}). A request for
   * which the function gives no non-empty string is refused.
   */
  readonly organizationId?: string | ((req: Request) => unknown);
}

/** Options of {@link requireAuth}: a verifier (or how to create one) and the route's requirements. */
export type RequireAuthOptions = VerifierChoice & RequireAuthRequirements;

/**
 * Express middleware that lets a request through only with a valid access token meeting the route's
 * requirements, and sets `req.auth` ({@link AuthResult}). Otherwise it answers 401, 403 or 503 with
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
  const verifier = resolveVerifier(options);
  const { organizationId } = options;
  if (organizationId === undefined) assertAudienceConfigured({ audience: options.audience }, verifier.audience);
  const requirements: AccessRequirements = {
    audience: options.audience,
    scopes: options.scopes,
    anyScopes: options.anyScopes,
    organizationId: typeof organizationId === 'string' ? organizationId : undefined,
  };
  const requirementsOf =
    typeof organizationId === 'function'
      ? (req: Request): AccessRequirements => {
          const id = organizationId(req);
          if (typeof id !== 'string' || id === '') {
            throw new ApiAuthError('invalid_token', 'The request names no organization for the access token.');
          }
          return { ...requirements, organizationId: id };
        }
      : (): AccessRequirements => requirements;

  return (req, res, next) => {
    let token: string;
    let routeRequirements: AccessRequirements;
    try {
      token = extractBearerToken(req.headers.authorization);
      routeRequirements = requirementsOf(req);
    } catch (error) {
      if (isApiAuthError(error)) return sendAuthError(res, error);
      return next(error);
    }
    verifier.verify(token, routeRequirements).then(
      (auth) => {
        req.auth = auth;
        next();
      },
      (error: unknown) => (isApiAuthError(error) ? sendAuthError(res, error) : next(error)),
    );
  };
}

/** Answers an {@link ApiAuthError} on an Express response (status, `WWW-Authenticate`, JSON body). */
export function sendAuthError(res: Response, error: ApiAuthError): void {
  const challenge = error.wwwAuthenticate;
  if (challenge !== undefined) res.setHeader('WWW-Authenticate', challenge);
  res.setHeader('Cache-Control', 'no-store');
  res.status(error.status).json(error.body);
}
