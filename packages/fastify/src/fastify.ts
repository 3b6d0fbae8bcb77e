/**
 * The Fastify adapter: a plugin (encapsulation-breaking, like `fastify-plugin` plugins) that loads
 * the session on every request, gives it its own `LogtoClient` (`request.logto`), serves the
 * sign-in, sign-up, callback and sign-out routes and commits the session as the reply is sent.
 * The behaviour itself lives in `@logto-kit/web`.
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
  type SessionManager,
} from '@logto-kit/web';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type AuthenticatedOptions, authenticated } from './authenticated.ts';
import { sendAnswer, sessionUnavailable } from './send-answer.ts';
import './fastify-request.ts';

/** Configuration of {@link createLogto}. */
export interface LogtoFastifyConfig extends LogtoCoreConfig {
  /** Renders a failed sign-in callback. Defaults to a small HTML page (status 400, 502 when the provider is unreachable). */
  onCallbackError?: (
    error: unknown,
    request: FastifyRequest,
    reply: FastifyReply,
  ) => FastifyReply | Promise<FastifyReply>;
}

/** What {@link createLogto} returns. */
export interface Logto {
  /** The plugin: `await app.register(logto.plugin)`. Its hooks apply to the whole app. */
  plugin: FastifyPluginAsync;
  /** The exported {@link authenticated}, also reachable from here. */
  authenticated: (options?: AuthenticatedOptions) => ReturnType<typeof authenticated>;
  /** The route paths, e.g. for links. */
  paths: LogtoPaths;
  /** The framework-free route behaviour, for custom routes. */
  routes: LogtoRoutes;
  /** The session manager. */
  sessions: SessionManager;
}

function defaultCallbackError(error: unknown, _request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(callbackErrorStatus(error)).type(htmlContentType).send(callbackErrorPage(error));
}

/**
 * Sets up Logto for a Fastify app.
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
 * await app.register(logto.plugin);
 * app.get('/protected', { preHandler: authenticated({ shouldRedirect: true }) }, async (request) => request.user);
 * ```
 */
export function createLogto(config: LogtoFastifyConfig): Logto {
  const { onCallbackError, ...coreConfig } = config;
  const core = createLogtoCore(coreConfig);
  const { paths, sessions } = core;
  const renderError = onCallbackError ?? defaultCallbackError;

  async function plugin(fastify: FastifyInstance): Promise<void> {
    fastify.decorateRequest('logto', null as never);
    fastify.decorateRequest('logtoSession', null as never);
    fastify.decorateRequest('logtoPaths', null as never);
    fastify.decorateRequest('user', undefined);
    fastify.decorateRequest('accessToken', undefined);
    fastify.decorateRequest('organizationToken', undefined);
    fastify.decorateRequest('auth', undefined);

    fastify.addHook('onRequest', (request, reply, done) => {
      sessions.load({ cookies: parseCookieHeader(request.headers.cookie), secure: request.protocol === 'https' }).then(
        (session) => {
          request.logtoSession = session;
          request.logto = core.clientFor(session);
          request.logtoPaths = paths;
          done();
        },
        (error: unknown) => {
          // Only the session store can fail here; an outage must not look like being signed out.
          sessions.reportStoreFailure(error);
          sessionUnavailable(request, reply);
        },
      );
    });

    // Callback hooks, not async ones: the usual reply (an unchanged session) then costs no promise here.
    fastify.addHook('onSend', (request, reply, payload, done) => {
      const session = request.logtoSession;
      if (!session?.needsCommit()) {
        done(null, payload);
        return;
      }
      session.commit().then(
        (cookies) => {
          if (cookies.length > 0) reply.header('set-cookie', cookies);
          done(null, payload);
        },
        (error: unknown) => {
          sessions.reportStoreFailure(error);
          // Answer the failure instead of a reply that depends on a session that does not exist.
          for (const header of ['set-cookie', 'location', 'content-length', 'content-type', 'etag']) {
            reply.removeHeader(header);
          }
          done(null, sessionUnavailable(request, reply, false));
        },
      );
    });

    // The routes, in a context of their own: a sign-out form's body is read and ignored whatever its type.
    await fastify.register(async (routes) => {
      routes.removeAllContentTypeParsers();
      routes.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 65_536 }, (_request, body, done) =>
        done(null, body),
      );
      const serve = async (request: FastifyRequest, reply: FastifyReply) => {
        const [path = '', query] = request.url.split(/\?(.*)/s);
        const search = query === undefined ? '' : `?${query}`;
        const header = (name: string) => {
          const value = request.headers[name];
          return Array.isArray(value) ? value[0] : value;
        };
        const text = async () => (typeof request.body === 'string' ? request.body : '');
        const answer = await core.serveRoute(request.logtoSession, {
          method: request.method,
          path,
          search,
          header,
          text,
        });
        reply.headers(privateCacheHeaders);
        if (answer?.kind === 'redirect') return reply.redirect(answer.location, 302);
        if (answer?.kind === 'page') return sendAnswer(reply, answer.answer);
        if (answer?.kind === 'callback_error') return renderError(answer.error, request, reply);
        return reply.callNotFound();
      };
      // GET only (no automatic HEAD route): a prefetch must not start a sign-in or consume a callback.
      for (const url of [paths.signIn, paths.signUp, paths.callback]) {
        routes.route({ method: 'GET', url, exposeHeadRoute: false, handler: serve });
      }
      routes.route({ method: ['GET', 'POST'], url: paths.signOut, exposeHeadRoute: false, handler: serve });
      if (core.isRoutePath(paths.backChannelLogout)) {
        routes.route({ method: 'POST', url: paths.backChannelLogout, handler: serve });
      }
    });
  }

  return {
    plugin: fp(plugin, { name: '@logto-kit/fastify', fastify: '5.x' }),
    authenticated,
    paths,
    routes: core.routes,
    sessions,
  };
}
