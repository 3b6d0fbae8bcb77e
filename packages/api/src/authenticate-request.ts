import type { AuthResult } from './auth-result.ts';
import { extractBearerToken } from './bearer.ts';
import type { ApiAuthError } from './errors.ts';
import { authErrorAnswer } from './request-guard.ts';
import type { AccessRequirements } from './requirements.ts';
import { resolveVerifier, type VerifierChoice } from './verifier-choice.ts';

/** Options of {@link authenticateRequest}: a verifier (or how to create one) and the route's requirements. */
export type AuthenticateRequestOptions = VerifierChoice & AccessRequirements;

/**
 * Authenticates a web-standard `Request` (fetch handlers, Bun, Deno, edge runtimes, Hono…): extracts
 * the Bearer token and verifies it against the requirements.
 *
 * Pass a `verifier` created once, or an options object created once: a verifier made from options is
 * kept per options object, so options built inside the handler would verify every request from
 * scratch.
 *
 * @throws {ApiAuthError} turn it into the answer with {@link authErrorResponse}.
 *
 * @example
 * ```ts
 * const verifier = createAccessTokenVerifier({ endpoint: 'http://localhost:3001' }, { audience: 'https://shopping.your-app.com/api' });
 * export default {
 *   async fetch(request: Request) {
 *     try {
 *       const auth = await authenticateRequest(request, { verifier, scopes: ['shopping:read'] });
 *       return Response.json({ sub: auth.sub });
 *     } catch (error) {
 *       if (error instanceof ApiAuthError) return authErrorResponse(error);
 *       throw error;
 *     }
 *   },
 * };
 * ```
 */
export function authenticateRequest(request: Request, options: AuthenticateRequestOptions): Promise<AuthResult> {
  try {
    const token = extractBearerToken(request.headers.get('authorization'));
    return resolveVerifier(options).verify(token, options);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * The HTTP answer for an {@link ApiAuthError}: its status, the RFC 6750 `WWW-Authenticate` header
 * (when it has one) and the JSON body `{ code, message }`.
 */
export function authErrorResponse(error: ApiAuthError): Response {
  const { status, headers, body } = authErrorAnswer(error);
  return new Response(body, { status, headers });
}
