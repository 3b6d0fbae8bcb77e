/**
 * The Express adapter: one middleware that loads the session, gives each request its own
 * `LogtoClient` (`req.logto`) and serves the sign-in, sign-up, callback and sign-out routes
 * (`authenticated.ts` protects routes). The behaviour itself lives in framework-free modules
 * (`session.ts`, `routes.ts`, `return-to.ts`).
 */
import {
  InProcessRefreshLock,
  LogtoClient,
  type LogtoClientOptions,
  type LogtoConfig,
  type RefreshLock,
  type Storage,
} from '@logto-kit/client';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type AuthenticatedOptions, authenticated } from './authenticated.ts';
import { commitOnResponse } from './commit-on-response.ts';
import { parseCookieHeader } from './cookies.ts';
import { callbackErrorPage, callbackErrorStatus } from './error-page.ts';
import { type LogtoPaths, type RequestContext, setRequestContext } from './express-request.ts';
import { safeReturnTo } from './return-to.ts';
import { LogtoRoutes } from './routes.ts';
import { type Session, SessionManager, type SessionOptions } from './session.ts';
import { sessionStorage } from './session-storage.ts';
import { sendSessionUnavailable } from './session-unavailable.ts';
import { sessionSyncedLock } from './stores/session-synced-lock.ts';

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

/** What {@link createLogto} returns: usable directly as middleware (`app.use(logto)`). */
export interface Logto extends RequestHandler {
  /** The middleware (the same function as the object itself). */
  middleware: RequestHandler;
  /** The exported {@link authenticated}, also reachable from here. */
  authenticated: (options?: AuthenticatedOptions) => RequestHandler;
  /** The route paths, e.g. for links. */
  paths: LogtoPaths;
  /** The framework-free route behaviour, for other adapters or custom routes. */
  routes: LogtoRoutes;
  /** The session manager. */
  sessions: SessionManager;
}

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
  if (safeReturnTo(postSignOutRedirectPath) !== postSignOutRedirectPath) {
    throw new TypeError('postSignOutRedirectPath must be a normalized path on this application, e.g. "/".');
  }
  const paths: LogtoPaths = {
    signIn: `${prefix}/sign-in`,
    signUp: `${prefix}/sign-up`,
    callback: `${prefix}/callback`,
    signOut: `${prefix}/sign-out`,
  };
  const context: RequestContext = { paths };
  const routePaths = new Set(Object.values(paths));
  const sessions = new SessionManager(sessionOptions);
  const createClient = (storage: Storage, lock?: RefreshLock) =>
    new LogtoClient(clientConfig, { ...clientOptions, storage, ...(lock ? { lock } : {}) });
  // With a store: the app's lock (or the given, e.g. cross-instance, one), synced with the store per request.
  const sharedLock = clientOptions?.lock ?? new InProcessRefreshLock();
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
    // GET only: a HEAD (link preview, prefetch) must not start a sign-in or consume a callback.
    const isGet = req.method === 'GET';
    const path = req.path;
    if (isGet && (path === paths.signIn || path === paths.signUp)) {
      const query = req.query as Record<string, unknown>;
      const url = await routes.signIn(session, {
        returnTo: query.returnTo,
        ...(path === paths.signUp ? { firstScreen: 'register' as const } : {}),
      });
      noStoreRedirect(res, url);
      return true;
    }
    if (isGet && path === paths.callback) {
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
    if ((isGet || req.method === 'POST') && path === paths.signOut) {
      noStoreRedirect(res, await routes.signOut(session));
      return true;
    }
    return false;
  }

  const middleware = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    let session: Session;
    try {
      session = await sessions.load({ cookies: parseCookieHeader(req.headers.cookie), secure: req.secure });
    } catch (error) {
      // Only the session store can fail here; an outage must not look like being signed out.
      sessions.reportStoreFailure(error);
      sendSessionUnavailable(req, res);
      return;
    }
    try {
      commitOnResponse(res, session);
      req.logtoSession = session;
      req.logto = createClient(
        sessionStorage(session),
        sessions.usesStore ? sessionSyncedLock(sharedLock, session) : undefined,
      );
      setRequestContext(req, context);
      if (!routePaths.has(req.path) || !(await serveRoute(req, res, next, session))) next();
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

function noStoreRedirect(res: Response, location: string): void {
  res.set('Cache-Control', 'no-store');
  res.redirect(302, location);
}
