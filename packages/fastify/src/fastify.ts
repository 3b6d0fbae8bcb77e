import type { AuthResult } from '@logto-kit/api';
import * as web from '@logto-kit/web';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { authenticated } from './authenticated.ts';
import { sendAnswer } from './send-answer.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's Logto context (`client`, `session`, `paths`). Set by the Logto plugin. */
    logto: web.LogtoRequestContext;
    /** The signed-in user. Set by `authenticated()`. */
    user: web.LogtoUser | undefined;
    /** An access token for the `resource` given to `authenticated()`. */
    accessToken: string | undefined;
    /** An organization token for the `organizationId` given to `authenticated()`. */
    organizationToken: string | undefined;
    /** The verified caller. Set by `requireAuth()`. */
    auth: AuthResult | undefined;
  }
}

/** Configuration of {@link createLogto}. */
export interface LogtoFastifyConfig extends web.LogtoCoreConfig {
  /** Renders a failed sign-in callback. Defaults to a small HTML page (status 400, 502 when the provider is unreachable). */
  onCallbackError?: (error: unknown, request: FastifyRequest, reply: FastifyReply) => unknown;
}

/** What {@link createLogto} returns (the same members in every adapter): `middleware` is the plugin to register. */
export type Logto = web.LogtoAdapter<FastifyPluginAsync, typeof authenticated>;

const decorations = ['logto', 'user', 'accessToken', 'organizationToken', 'auth'] as const;

/**
 * Sets up Logto for a Fastify app: `await app.register(logto.middleware)`. Its hooks apply to the
 * whole app; the routes are served before any body is parsed (a sign-out form of any type is fine).
 */
export function createLogto(config: LogtoFastifyConfig): Logto {
  const { onCallbackError, ...coreConfig } = config;
  const core = web.createLogtoCore(coreConfig);
  async function plugin(fastify: FastifyInstance): Promise<void> {
    for (const name of decorations) fastify.decorateRequest(name, undefined);
    fastify.addHook('onRequest', (request, reply, done) => {
      const fail = (error: unknown) => done(error as Error);
      const serve = (route: web.RouteAnswer | undefined) => {
        if (!route) done();
        else if (route.kind === 'answer' || !onCallbackError) sendAnswer(reply, route.answer);
        // Its promise, if any (a reply is one too), rejects into Fastify's error handling.
        else Promise.resolve(onCallbackError(route.error, request, reply.headers(web.privateCacheHeaders))).catch(fail);
      };
      const opened = (result: web.OpenResult) => {
        if (result.kind === 'unavailable') return void sendAnswer(reply, result.answer);
        request.logto = result.context;
        web.whenReady(core.route(result.context), serve, fail);
      };
      web.whenReady(core.open(web.describeNodeRequest(request.raw, request.protocol === 'https')), opened, fail);
    });
    fastify.addHook('onSend', (request, reply, payload, done) => {
      const commit = request.logto && core.commit(request.logto);
      if (!commit) return done(null, payload);
      void commit.then((result) => {
        if (result.kind === 'cookies') reply.header('set-cookie', result.setCookie);
        else for (const header of result.drop) reply.removeHeader(header);
        // Unsaved: the reply being sent gets the answer's status and headers, and its body as the payload.
        if (result.kind !== 'cookies') reply.code(result.answer.status).headers(result.answer.headers);
        done(null, result.kind === 'cookies' ? payload : result.answer.body);
      });
    });
  }
  return web.logtoAdapter(core, fp(plugin, { name: '@logto-kit/fastify', fastify: '5.x' }), authenticated);
}
