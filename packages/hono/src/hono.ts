/**
 * The Hono adapter: one middleware that loads the session, gives each request its own
 * `LogtoClient` (`c.get('logto')`), serves the sign-in, sign-up, callback and sign-out routes and
 * commits the session on the way out. The behaviour itself lives in `@logto-kit/web`; this file
 * uses web standards only.
 */
import {
  callbackErrorPage,
  callbackErrorStatus,
  createLogtoCore,
  htmlContentType,
  type LogtoCoreConfig,
  type LogtoPaths,
  type LogtoRoutes,
  parseCookieHeader,
  privateCacheHeaders,
  type Session,
  type SessionManager,
  sessionUnavailableAnswer,
} from '@logto-kit/web';
import type { Context, MiddlewareHandler } from 'hono';
import { type AuthenticatedOptions, authenticated } from './authenticated.ts';
import { requestTarget } from './request-target.ts';
import { type LogtoEnv, toResponse } from './variables.ts';

/** Configuration of {@link createLogto}. */
export interface LogtoHonoConfig extends LogtoCoreConfig {
  /** Renders a failed sign-in callback. Defaults to a small HTML page (status 400, 502 when the provider is unreachable). */
  onCallbackError?: (error: unknown, c: Context<LogtoEnv>) => Response | Promise<Response>;
}

/** What {@link createLogto} returns. */
export interface Logto {
  /** The middleware: `app.use(logto.middleware)`. */
  middleware: MiddlewareHandler<LogtoEnv>;
  /** The exported {@link authenticated}, also reachable from here. */
  authenticated: typeof authenticated;
  /** The route paths, e.g. for links. */
  paths: LogtoPaths;
  /** The framework-free route behaviour, for custom routes. */
  routes: LogtoRoutes;
  /** The session manager. */
  sessions: SessionManager;
}

function defaultCallbackError(error: unknown): Response {
  return new Response(callbackErrorPage(error), {
    status: callbackErrorStatus(error),
    headers: { 'content-type': htmlContentType },
  });
}

/**
 * Sets up Logto for a Hono app.
 *
 * @example
 * ```ts
 * const logto = createLogto({
 *   endpoint: 'http://localhost:3001',
 *   appId: 'sample-web-app',
 *   appSecret: 'sample-web-app-secret',
 *   baseUrl: 'http://localhost:3000',
 *   session: { secrets: [env.SESSION_SECRET] },
 * });
 * const app = new Hono<LogtoEnv>();
 * app.use(logto.middleware);
 * app.get('/protected', authenticated({ shouldRedirect: true }), (c) => c.json(c.get('user')));
 * ```
 */
export function createLogto(config: LogtoHonoConfig): Logto {
  const { onCallbackError, ...coreConfig } = config;
  const core = createLogtoCore(coreConfig);
  const { paths, sessions } = core;
  const renderError = onCallbackError ?? defaultCallbackError;

  async function commit(c: Context<LogtoEnv>, session: Session): Promise<void> {
    if (!session.needsCommit()) return;
    try {
      for (const cookie of await session.commit()) c.header('Set-Cookie', cookie, { append: true });
    } catch (error) {
      sessions.reportStoreFailure(error);
      // Answer the failure instead of a response that depends on a session that does not exist:
      // nothing of the first response (its cookies, its redirect) may survive.
      c.res = undefined;
      c.res = toResponse(sessionUnavailableAnswer(c.req.header('accept')));
    }
  }

  const middleware: MiddlewareHandler<LogtoEnv> = async (c, next) => {
    const href = c.req.url;
    let session: Session;
    try {
      session = await sessions.load({
        cookies: parseCookieHeader(c.req.header('cookie')),
        secure: href.startsWith('https:'),
      });
    } catch (error) {
      // Only the session store can fail here; an outage must not look like being signed out.
      sessions.reportStoreFailure(error);
      return toResponse(sessionUnavailableAnswer(c.req.header('accept')));
    }
    c.set('logtoSession', session);
    c.set('logto', core.clientFor(session));
    c.set('logtoPaths', paths);
    const { path, search } = requestTarget(href);
    const header = (name: string) => c.req.header(name);
    const text = () => c.req.text();
    const answer = core.isRoutePath(path)
      ? await core.serveRoute(session, { method: c.req.method, path, search, header, text })
      : undefined;
    if (answer) {
      c.res =
        answer.kind === 'redirect'
          ? new Response(null, { status: 302, headers: { location: answer.location } })
          : answer.kind === 'page'
            ? toResponse(answer.answer)
            : await renderError(answer.error, c);
      c.header('Cache-Control', privateCacheHeaders['Cache-Control']);
      c.header('Vary', privateCacheHeaders.Vary, { append: true });
    } else {
      await next();
    }
    await commit(c, session);
    return c.res;
  };

  return { middleware, authenticated, paths, routes: core.routes, sessions };
}

export type { AuthenticatedOptions };
