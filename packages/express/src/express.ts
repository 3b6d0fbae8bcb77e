/**
 * The Express adapter: one middleware that loads the session, gives each request its own
 * `LogtoClient` (`req.logto`) and serves the sign-in, sign-up, callback and sign-out routes; and
 * `authenticated()` to protect routes. The behaviour itself lives in framework-free modules
 * (`session.ts`, `routes.ts`, `return-to.ts`).
 */
import {
  type IdTokenClaims,
  LogtoClient,
  type LogtoClientOptions,
  type LogtoConfig,
  LogtoError,
  type Storage,
  type UserInfoResponse,
} from '@logto-kit/client';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { parseCookieHeader } from './cookies.ts';
import { callbackErrorPage, callbackErrorStatus } from './error-page.ts';
import { LogtoRoutes } from './routes.ts';
import { type Session, SessionManager, type SessionOptions } from './session.ts';
import { sessionStorage } from './session-storage.ts';

/** The signed-in user: ID token claims, or the userinfo response with `fetchUserInfo`. */
export type LogtoUser = IdTokenClaims | UserInfoResponse;

declare global {
  namespace Express {
    interface Request {
      /** This request's Logto client, its storage being the user's session. Set by the Logto middleware. */
      logto?: LogtoClient;
      /** This request's session. Set by the Logto middleware. */
      logtoSession?: Session;
      /** The signed-in user. Set by `authenticated()`. */
      user?: LogtoUser;
      /** An access token for the `resource` given to `authenticated()`. */
      accessToken?: string;
      /** An organization token for the `organizationId` given to `authenticated()`. */
      organizationToken?: string;
    }
  }
}

/** Configuration of {@link createLogto}. */
export interface LogtoExpressConfig extends LogtoConfig {
  /** This application's public URL, e.g. `http://localhost:3000`; callback and post-sign-out URLs derive from it. */
  baseUrl: string;
  /** Session secrets and, optionally, a server-side store. */
  session: SessionOptions;
  routes?: {
    /** Path prefix of the routes, e.g. `/auth` gives `/auth/sign-in`. Defaults to none: `/sign-in`, `/callback`, … */
    prefix?: string;
  };
  /** The same-origin path the provider returns to after sign-out. Defaults to `/`. */
  postSignOutRedirectPath?: string;
  /** Renders a failed sign-in callback. Defaults to a small HTML page (status 400, 502 when the provider is unreachable). */
  onCallbackError?: (error: unknown, req: Request, res: Response, next: NextFunction) => void;
  /** Passed to every `LogtoClient` (e.g. `fetch`, `now`, `lock`). */
  clientOptions?: Omit<LogtoClientOptions, 'storage'>;
}

/** Options of {@link authenticated}, as the guide's decorator. */
export interface AuthenticatedOptions {
  /** Redirect a signed-out user to sign-in (and back here afterwards) instead of answering 401 JSON. */
  shouldRedirect?: boolean;
  /** Set `req.user` from the userinfo endpoint (includes `custom_data`) instead of the ID token. */
  fetchUserInfo?: boolean;
  /** Also obtain an access token for this API resource, as `req.accessToken`. */
  resource?: string;
  /** Also obtain an organization token for this organization, as `req.organizationToken`. */
  organizationId?: string;
}

/** The URL paths of the routes. */
export interface LogtoPaths {
  signIn: string;
  signUp: string;
  callback: string;
  signOut: string;
}

/** What {@link createLogto} returns: usable directly as middleware (`app.use(logto)`). */
export interface Logto extends RequestHandler {
  /** The middleware (the same function as the object itself). */
  middleware: RequestHandler;
  /** {@link authenticated}, bound to nothing more than the standalone function. */
  authenticated: (options?: AuthenticatedOptions) => RequestHandler;
  /** The route paths, e.g. for links. */
  paths: LogtoPaths;
  /** The framework-free route behaviour, for other adapters or custom routes. */
  routes: LogtoRoutes;
  /** The session manager. */
  sessions: SessionManager;
}

interface RequestContext {
  paths: LogtoPaths;
}

const contexts = new WeakMap<Request, RequestContext>();

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Sets up Logto for an Express app.
 *
 * @example
 * ```ts
 * const logto = createLogto({
 *   endpoint: 'http://localhost:3001',
 *   appId: 'sample-web-app',
 *   appSecret: 'sample-web-app-secret',
 *   baseUrl: 'http://localhost:3000',
 *   session: { secrets: [process.env.SESSION_SECRET!] },
 * });
 * app.use(logto);
 * app.get('/protected', authenticated({ shouldRedirect: true }), (req, res) => res.json(req.user));
 * ```
 */
export function createLogto(config: LogtoExpressConfig): Logto {
  const {
    baseUrl,
    session: sessionOptions,
    routes: routeOptions,
    postSignOutRedirectPath = '/',
    onCallbackError,
    clientOptions,
    ...clientConfig
  } = config;
  const base = trimSlash(new URL(baseUrl).href);
  const prefix = trimSlash(routeOptions?.prefix ?? '');
  if (prefix && !/^\/[A-Za-z0-9._~/-]*$/.test(prefix)) throw new TypeError(`Invalid routes.prefix: ${prefix}`);
  if (!postSignOutRedirectPath.startsWith('/') || postSignOutRedirectPath.startsWith('//')) {
    throw new TypeError('postSignOutRedirectPath must be a path on this application, e.g. "/".');
  }
  const paths: LogtoPaths = {
    signIn: `${prefix}/sign-in`,
    signUp: `${prefix}/sign-up`,
    callback: `${prefix}/callback`,
    signOut: `${prefix}/sign-out`,
  };
  const context: RequestContext = { paths };
  const sessions = new SessionManager(sessionOptions);
  const createClient = (storage: Storage) => new LogtoClient(clientConfig, { ...clientOptions, storage });
  const routes = new LogtoRoutes({
    createClient,
    redirectUri: `${base}${paths.callback}`,
    postSignOutRedirectUri: `${base}${postSignOutRedirectPath}`,
  });
  const renderError =
    onCallbackError ??
    ((error: unknown, _req: Request, res: Response) => {
      res.status(callbackErrorStatus(error)).type('html').send(callbackErrorPage(error));
    });

  async function serveRoute(req: Request, res: Response, next: NextFunction, session: Session): Promise<boolean> {
    const isRead = req.method === 'GET' || req.method === 'HEAD';
    const path = req.path;
    if (isRead && (path === paths.signIn || path === paths.signUp)) {
      const query = req.query as Record<string, unknown>;
      const url = await routes.signIn(session, {
        returnTo: query.returnTo,
        ...(path === paths.signUp ? { firstScreen: 'register' as const } : {}),
      });
      noStoreRedirect(res, url);
      return true;
    }
    if (isRead && path === paths.callback) {
      const search = new URL(req.originalUrl, 'http://callback.invalid').search;
      try {
        const returnTo = await routes.handleCallback(session, `${base}${paths.callback}${search}`);
        noStoreRedirect(res, returnTo);
      } catch (error) {
        res.set('Cache-Control', 'no-store');
        renderError(error, req, res, next);
      }
      return true;
    }
    if ((isRead || req.method === 'POST') && path === paths.signOut) {
      noStoreRedirect(res, await routes.signOut(session));
      return true;
    }
    return false;
  }

  const middleware = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const session = await sessions.load({ cookies: parseCookieHeader(req.headers.cookie), secure: req.secure });
      commitOnResponse(res, session);
      req.logtoSession = session;
      req.logto = createClient(sessionStorage(session));
      contexts.set(req, context);
      if (!(await serveRoute(req, res, next, session))) next();
    } catch (error) {
      next(error);
    }
  };

  return Object.assign(middleware as RequestHandler, {
    middleware: middleware as RequestHandler,
    authenticated,
    paths,
    routes,
    sessions,
  });
}

/**
 * The user `authenticated()` put on `req.user`, typed as {@link LogtoUser} even in projects where
 * another library's declaration of `req.user` wins (e.g. `@logto/node` declares it globally).
 */
export function userOf(req: Request): LogtoUser | undefined {
  return (req as unknown as { user?: LogtoUser }).user;
}

function noStoreRedirect(res: Response, location: string): void {
  res.set('Cache-Control', 'no-store');
  res.redirect(302, location);
}

/**
 * Persists the session when the response is sent: `Set-Cookie` headers are added just before the
 * headers go out, and store writes finish before the response ends.
 */
function commitOnResponse(res: Response, session: Session): void {
  let prepared: ReturnType<Session['prepare']> | undefined;
  const prepare = () => {
    if (!prepared) {
      prepared = session.prepare();
      if (prepared.headers.length > 0 && !res.headersSent) res.append('Set-Cookie', prepared.headers);
    }
    return prepared;
  };
  const writeHead = res.writeHead;
  res.writeHead = function (this: Response, ...args: unknown[]) {
    prepare();
    return Reflect.apply(writeHead, this, args);
  } as typeof res.writeHead;
  const end = res.end;
  res.end = function (this: Response, ...args: unknown[]) {
    const { persist } = prepare();
    if (!persist) return Reflect.apply(end, this, args);
    persist().then(
      () => Reflect.apply(end, this, args),
      () => {
        if (!this.headersSent) {
          this.removeHeader('Set-Cookie');
          this.status(500).type('text');
          Reflect.apply(end, this, ['The session could not be saved. Please try again.']);
        } else {
          Reflect.apply(end, this, args);
        }
      },
    );
    return this;
  } as typeof res.end;
}

/**
 * Protects a route, as the guide's `@authenticated` decorator: a signed-out user gets 401
 * `{"error":"Not authenticated"}`, or with `shouldRedirect` a redirect to sign-in that returns
 * here. A signed-in user's claims are on `req.user`. Needs the Logto middleware before it.
 */
export function authenticated(options: AuthenticatedOptions = {}): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const client = req.logto;
    const context = contexts.get(req);
    if (!client || !context) {
      next(new Error('authenticated() needs the Logto middleware first: app.use(createLogto({ ... })).'));
      return;
    }
    const deny = () => {
      if (options.shouldRedirect) {
        const isRead = req.method === 'GET' || req.method === 'HEAD';
        const target = isRead
          ? `${context.paths.signIn}?returnTo=${encodeURIComponent(req.originalUrl)}`
          : context.paths.signIn;
        res.redirect(302, target);
      } else {
        res.status(401).json({ error: 'Not authenticated' });
      }
    };
    try {
      if (!(await client.isAuthenticated())) {
        deny();
        return;
      }
      const user = options.fetchUserInfo ? await client.fetchUserInfo() : await client.getIdTokenClaims();
      // Written without relying on the type of `req.user`: other libraries (e.g. @logto/node) declare it differently.
      (req as unknown as { user: LogtoUser }).user = user;
      if (options.resource) req.accessToken = await client.getAccessToken(options.resource);
      if (options.organizationId) req.organizationToken = await client.getOrganizationToken(options.organizationId);
      next();
    } catch (error) {
      if (error instanceof LogtoError && error.code === 'not_authenticated') deny();
      else next(error);
    }
  };
}
