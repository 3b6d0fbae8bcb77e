import {
  type AuthResult,
  authErrorAnswer,
  createEagerRequestGuard,
  type GuardOptions,
  isApiAuthError,
} from '@logto-kit/api';
import type { Context, MiddlewareHandler } from 'hono';
import { sendAnswer } from './send-answer.ts';

/** Set by `requireAuth()` before the protected handler runs. */
export interface AuthVariables {
  /** The verified caller. */
  auth: AuthResult;
}

/** Options of {@link requireAuth}: a verifier (or how to create one) and the route's requirements. */
export type RequireAuthOptions = GuardOptions<Context>;

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
  const guard = createEagerRequestGuard(options);
  const refuse = (error: unknown) => {
    if (isApiAuthError(error)) return sendAnswer(authErrorAnswer(error));
    throw error;
  };
  return (c, next) => {
    let auth: AuthResult | Promise<AuthResult>;
    try {
      auth = guard(authorizationOf(c), c);
    } catch (error) {
      return Promise.resolve().then(() => refuse(error));
    }
    if (auth instanceof Promise) {
      return auth.then((verified) => {
        c.set('auth', verified);
        return next();
      }, refuse);
    }
    // A reused token: on at once, without a promise of our own.
    c.set('auth', auth);
    return next();
  };
}

/** What `@hono/node-server` puts in `c.env`: Node's request. */
interface NodeBindings {
  readonly incoming?: { readonly rawHeaders?: unknown; readonly httpVersionMajor?: unknown };
}

/**
 * The `Authorization` header. On Node (`@hono/node-server`), a single HTTP/1 header is read from
 * the raw header list, as `c.req.header()` would give it: asking Node's request for one header
 * builds its whole header object (a visible share of a reused token's cost). Anything else (other
 * runtimes, HTTP/2, a repeated header that Hono joins) goes through `c.req.header()`.
 */
function authorizationOf(c: Context): string | undefined {
  const incoming = (c.env as NodeBindings | undefined)?.incoming;
  const raw = incoming?.rawHeaders;
  if (incoming?.httpVersionMajor !== 1 || !Array.isArray(raw)) return c.req.header('authorization');
  let found: unknown;
  for (let i = 0; i < raw.length; i += 2) {
    const name: unknown = raw[i];
    if (
      name === 'authorization' ||
      (typeof name === 'string' && name.length === 13 && name.toLowerCase() === 'authorization')
    ) {
      if (found !== undefined) return c.req.header('authorization');
      found = raw[i + 1];
    }
  }
  return typeof found === 'string' ? found : c.req.header('authorization');
}
