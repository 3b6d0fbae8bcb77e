/**
 * The guard every framework's `requireAuth()` is made of: set up once per route, it verifies a
 * request's `Authorization` header against the route's requirements, the organization possibly
 * read from the request. Adapters only read the header and send the answer.
 */
import type { AuthResult } from './auth-result.ts';
import { extractBearerToken } from './bearer.ts';
import { ApiAuthError, isApiAuthError } from './errors.ts';
import { eagerVerifiers } from './process-caches.ts';
import { type AccessRequirements, assertAudienceConfigured, checkRequirements } from './requirements.ts';
import { resolveVerifier, type VerifierChoice } from './verifier-choice.ts';

/** A route's requirements; `organizationId` may be read from the framework's request `Req`. */
export interface GuardRequirements<Req> extends Omit<AccessRequirements, 'organizationId'> {
  /**
   * The organization the route acts on, e.g. `(req) => req.params.id` for
   * `/organizations/:id/projects` (see {@link AccessRequirements.organizationId}). A request for
   * which the function gives no non-empty string is refused; a fixed id must not be empty.
   */
  readonly organizationId?: string | ((req: Req) => unknown);
}

/** Options of {@link createRequestGuard}: a verifier (or how to create one) and the route's requirements. */
export type GuardOptions<Req> = VerifierChoice & GuardRequirements<Req>;

/** Verifies one request: its `Authorization` header and the request itself (for `organizationId`). */
export type RequestGuard<Req> = (authorization: string | null | undefined, req: Req) => Promise<AuthResult>;

/**
 * A {@link RequestGuard} that answers without a promise whenever it can: the caller itself for a
 * token of the verified-token cache (or one verified synchronously), a promise otherwise. A refusal
 * is thrown, or the promise rejects, with {@link ApiAuthError}.
 */
export type EagerRequestGuard<Req> = (
  authorization: string | null | undefined,
  req: Req,
) => AuthResult | Promise<AuthResult>;

/**
 * Prepares a route's guard. The promise it gives rejects with {@link ApiAuthError} for a refused
 * request (answer it with `authErrorAnswer`).
 *
 * @throws {TypeError} at once, when the route names neither an audience nor an organization.
 */
export function createRequestGuard<Req>(options: GuardOptions<Req>): RequestGuard<Req> {
  const guard = createEagerRequestGuard(options);
  return (authorization, req) => {
    try {
      return Promise.resolve(guard(authorization, req));
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/**
 * Prepares a route's guard that answers synchronously whenever it can (see
 * {@link EagerRequestGuard}), for adapters that can then go on without a promise: a request with a
 * reused token then costs no promise and no turn of the event loop.
 *
 * @throws {TypeError} at once, when the route names neither an audience nor an organization, or an
 *   `organizationId` that is neither a non-empty string nor a function.
 */
export function createEagerRequestGuard<Req>(options: GuardOptions<Req>): EagerRequestGuard<Req> {
  const verifier = resolveVerifier(options);
  const eager = eagerVerifiers.get(verifier);
  const { organizationId } = options;
  if (organizationId === undefined) assertAudienceConfigured({ audience: options.audience }, verifier.audience);
  // A route configured with no usable id would otherwise check no organization at all.
  else if (typeof organizationId !== 'function' && (typeof organizationId !== 'string' || organizationId === '')) {
    throw new TypeError('`organizationId` must be a non-empty string or a function of the request.');
  }
  const requirements: AccessRequirements = {
    audience: options.audience,
    scopes: options.scopes,
    anyScopes: options.anyScopes,
    organizationId: typeof organizationId === 'string' ? organizationId : undefined,
  };
  const requirementsOf =
    typeof organizationId === 'function'
      ? (req: Req): AccessRequirements => {
          const id = organizationId(req);
          if (typeof id !== 'string' || id === '') {
            throw new ApiAuthError('invalid_token', 'The request names no organization for the access token.');
          }
          return { ...requirements, organizationId: id };
        }
      : (): AccessRequirements => requirements;

  return (authorization, req) => {
    // A reused token is looked up without the strict parse of the header, which could only give the
    // same token: a cached token is a compact JWS, with no whitespace in it.
    if (eager !== undefined && authorization && hasBearerScheme(authorization)) {
      const reused = eager.cached(authorization.slice(bearerPrefixLength));
      if (reused !== undefined) {
        checkRequirements(reused, requirementsOf(req), verifier.audience);
        return reused;
      }
    }
    const token = extractBearerToken(authorization);
    const requirements = requirementsOf(req);
    return eager !== undefined ? eager.verifyNow(token, requirements) : verifier.verify(token, requirements);
  };
}

/**
 * Runs a route's eager guard for one request and goes on: `pass` with the verified caller (at once,
 * without a promise, for a reused token), `refuse` with the answer to send for a refused request
 * ({@link ApiAuthError}), `fail` with any other error. What an adapter's `requireAuth` does, with
 * its framework's way to continue, answer and fail.
 */
export function runRequestGuard<Req, R>(
  guard: EagerRequestGuard<Req>,
  authorization: string | null | undefined,
  req: Req,
  pass: (auth: AuthResult) => R,
  refuse: (answer: AuthErrorAnswer) => R,
  fail: (error: unknown) => R,
): R | Promise<Awaited<R>> {
  const settle = (error: unknown): R => (isApiAuthError(error) ? refuse(authErrorAnswer(error)) : fail(error));
  let auth: AuthResult | Promise<AuthResult>;
  try {
    auth = guard(authorization, req);
  } catch (error) {
    return settle(error);
  }
  return auth instanceof Promise ? (auth.then(pass, settle) as Promise<Awaited<R>>) : pass(auth);
}

/**
 * The one `Authorization` header of a Node.js HTTP/1 request (`IncomingMessage`), read from its raw
 * header list as a framework would give it: reading one header from Node's request builds its whole
 * header object. `undefined` when `incoming` is no such request, for HTTP/2, and when there is no
 * such header or more than one (a framework joins them: ask it).
 */
export function authorizationOfNodeRequest(incoming: unknown): string | undefined {
  const { httpVersionMajor, rawHeaders } = (incoming ?? {}) as { httpVersionMajor?: unknown; rawHeaders?: unknown };
  if (httpVersionMajor !== 1 || !Array.isArray(rawHeaders)) return undefined;
  let found: unknown;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name: unknown = rawHeaders[i];
    if (
      name === 'authorization' ||
      (typeof name === 'string' && name.length === 13 && name.toLowerCase() === 'authorization')
    ) {
      if (found !== undefined) return undefined;
      found = rawHeaders[i + 1];
    }
  }
  return typeof found === 'string' ? found : undefined;
}

/** The length of `Bearer `. */
const bearerPrefixLength = 7;

/** Whether `authorization` starts with `Bearer ` (the scheme in any case, then one space). */
function hasBearerScheme(authorization: string): boolean {
  return (
    authorization.startsWith('Bearer ') ||
    (authorization.charCodeAt(bearerPrefixLength - 1) === 32 &&
      authorization.slice(0, bearerPrefixLength - 1).toLowerCase() === 'bearer')
  );
}

/** An HTTP answer: status, headers and body text. */
export interface AuthErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The answer for an {@link ApiAuthError}: its status, the RFC 6750 `WWW-Authenticate` header
 * (when it has one), `Cache-Control: no-store` and the JSON body `{ code, message }`.
 */
export function authErrorAnswer(error: ApiAuthError): AuthErrorAnswer {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  const challenge = error.wwwAuthenticate;
  if (challenge !== undefined) headers['www-authenticate'] = challenge;
  return { status: error.status, headers, body: JSON.stringify(error.body) };
}
