/**
 * The Express adapter: one middleware that loads the session, gives each request its own
 * `LogtoClient` (`req.logto`) and serves the sign-in, sign-up, callback and sign-out routes
 * (`authenticated.ts` protects routes). The behaviour itself lives in `@logto-kit/web`.
 */
import {
  callbackErrorPage,
  callbackErrorStatus,
  createLogtoCore,
  type LogtoCoreConfig,
  type LogtoPaths,
  type LogtoRoutes,
  parseCookieHeader,
  privateCacheHeaders,
  type Session,
  type SessionManager,
} from '@logto-kit/web';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type AuthenticatedOptions, authenticated } from './authenticated.ts';
import { commitOnResponse } from './commit-on-response.ts';
import { type RequestContext, readBody, setRequestContext } from './express-request.ts';
import { sendSessionUnavailable } from './session-unavailable.ts';

/** Configuration of {@link createLogto}. */
export interface LogtoExpressConfig extends LogtoCoreConfig {
  /** Renders a failed sign-in callback. Defaults to a small HTML page (status 400, 502 when the provider is unreachable). */
  onCallbackError?: (error: unknown, req: Request, res: Response, next: NextFunction) => void;
}

/** What {@link createLogto} returns: usable directly as middleware (`app.use(logto)`). */
export interface Logto extends RequestHandler {
  /** The middleware (the same function as the object itself). */
  middleware: RequestHandler;
  /** The exported {@link authenticated}, also reachable from here. */
  authenticated: (options?: AuthenticatedOptions) => RequestHandler;
  /** The route paths, e.g. for links. */
  paths: LogtoPaths;
  /** The framework-free route behaviour, for custom routes. */
  routes: LogtoRoutes;
  /** The session manager. */
  sessions: SessionManager;
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
  const { onCallbackError, ...coreConfig } = config;
  const core = createLogtoCore(coreConfig);
  const { paths, sessions } = core;
  const context: RequestContext = { paths };
  const renderError =
    onCallbackError ??
    ((error: unknown, _req: Request, res: Response) => {
      res.status(callbackErrorStatus(error)).type('html').send(callbackErrorPage(error));
    });

  async function serveRoute(req: Request, res: Response, next: NextFunction, session: Session): Promise<boolean> {
    const search = new URL(req.originalUrl, 'http://route.invalid').search;
    const header = (name: string) => req.get(name);
    const text = () => readBody(req);
    const answer = await core.serveRoute(session, { method: req.method, path: req.path, search, header, text });
    if (!answer) return false;
    res.set(privateCacheHeaders);
    if (answer.kind === 'redirect') res.redirect(302, answer.location);
    else if (answer.kind === 'page')
      res.status(answer.answer.status).set(answer.answer.headers).send(answer.answer.body);
    else renderError(answer.error, req, res, next);
    return true;
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
      req.logto = core.clientFor(session);
      setRequestContext(req, context);
      if (!core.isRoutePath(req.path) || !(await serveRoute(req, res, next, session))) next();
    } catch (error) {
      next(error);
    }
  };

  return Object.assign(middleware as RequestHandler, {
    middleware: middleware as RequestHandler,
    authenticated,
    paths,
    routes: core.routes,
    sessions,
  });
}
