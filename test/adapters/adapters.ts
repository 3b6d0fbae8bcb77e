/**
 * The adapters under the shared behaviour suite. Each builds the same two apps as a Node request
 * listener: a web app (the Logto middleware and a few protected routes) and an API (requireAuth
 * routes). The routes, their options and their answers are identical in every adapter, so any
 * difference the suite sees is a difference of the adapters.
 *
 * Web app routes: `GET /` (200 "home"), `GET /me` (`authenticated()`, the user as JSON),
 * `GET|POST /page` (`authenticated({ shouldRedirect: true })`, `{ sub }`), `GET /shopping`
 * (`authenticated({ resource })`, `{ accessToken }`).
 * API routes: `GET /products` (scope `shopping:read`, `{ sub, scopes }`),
 * `GET /organizations/:id/projects` (the organization from the path, `{ sub, organizationId }`),
 * `GET /down` (a verifier whose provider is unreachable).
 */
import type { RequestListener } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { AccessTokenVerifier } from '@logto-kit/api';
import {
  createLogto as createExpressLogto,
  authenticated as expressAuthenticated,
  requireAuth as expressRequireAuth,
  userOf,
} from '@logto-kit/express';
import {
  createLogto as createFastifyLogto,
  authenticated as fastifyAuthenticated,
  requireAuth as fastifyRequireAuth,
} from '@logto-kit/fastify';
import {
  createLogto as createHonoLogto,
  authenticated as honoAuthenticated,
  requireAuth as honoRequireAuth,
  type LogtoEnv,
} from '@logto-kit/hono';
import { createLogto as createNextLogto } from '@logto-kit/next';
import type { LogtoCoreConfig } from '@logto-kit/web';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { Hono } from 'hono';

/** The verifiers the API routes use. */
export interface ApiVerifiers {
  /** For `/products` and `/organizations/:id/projects`. */
  verifier: AccessTokenVerifier;
  /** For `/down`: its provider cannot be reached. */
  down: AccessTokenVerifier;
}

/** One framework adapter, as the suite drives it. */
export interface Adapter {
  name: string;
  webApp(config: LogtoCoreConfig): Promise<RequestListener>;
  /** Absent for an adapter without an API guard of its own (Next.js: use `@logto-kit/api` in a Route Handler). */
  api?(verifiers: ApiVerifiers): Promise<RequestListener>;
}

export const shoppingApi = 'https://shopping.your-app.com/api';

export const expressAdapter: Adapter = {
  name: '@logto-kit/express',
  async webApp(config) {
    const app = express();
    app.use(createExpressLogto(config).middleware);
    app.get('/', (_req, res) => {
      res.send('home');
    });
    app.get('/me', expressAuthenticated(), (req, res) => {
      res.json(userOf(req));
    });
    const page: express.RequestHandler = (req, res) => {
      res.json({ sub: userOf(req)?.sub });
    };
    app.get('/page', expressAuthenticated({ shouldRedirect: true }), page);
    app.post('/page', expressAuthenticated({ shouldRedirect: true }), page);
    app.get('/shopping', expressAuthenticated({ resource: shoppingApi }), (req, res) => {
      res.json({ accessToken: req.accessToken });
    });
    return app;
  },
  async api({ verifier, down }) {
    const app = express();
    app.get('/products', expressRequireAuth({ verifier, scopes: ['shopping:read'] }), (req, res) => {
      res.json({ sub: req.auth?.sub, scopes: req.auth?.scopes });
    });
    app.get(
      '/organizations/:id/projects',
      expressRequireAuth({ verifier, organizationId: (req) => req.params.id, scopes: ['read:projects'] }),
      (req, res) => {
        res.json({ sub: req.auth?.sub, organizationId: req.auth?.organizationId });
      },
    );
    app.get('/down', expressRequireAuth({ verifier: down }), (_req, res) => {
      res.json({ passed: true });
    });
    return app;
  },
};

export const honoAdapter: Adapter = {
  name: '@logto-kit/hono',
  async webApp(config) {
    const logto = createHonoLogto(config);
    const app = new Hono<LogtoEnv>();
    app.use(logto.middleware);
    app.get('/', (c) => c.text('home'));
    app.get('/me', honoAuthenticated(), (c) => c.json(c.get('user')));
    app.on(['GET', 'POST'], '/page', honoAuthenticated({ shouldRedirect: true }), (c) =>
      c.json({ sub: c.get('user').sub }),
    );
    app.get('/shopping', honoAuthenticated({ resource: shoppingApi }), (c) =>
      c.json({ accessToken: c.get('accessToken') }),
    );
    return getRequestListener(app.fetch);
  },
  async api({ verifier, down }) {
    const app = new Hono();
    app.get('/products', honoRequireAuth({ verifier, scopes: ['shopping:read'] }), (c) =>
      c.json({ sub: c.get('auth').sub, scopes: c.get('auth').scopes }),
    );
    app.get(
      '/organizations/:id/projects',
      honoRequireAuth({ verifier, organizationId: (c) => c.req.param('id'), scopes: ['read:projects'] }),
      (c) => c.json({ sub: c.get('auth').sub, organizationId: c.get('auth').organizationId }),
    );
    app.get('/down', honoRequireAuth({ verifier: down }), (c) => c.json({ passed: true }));
    return getRequestListener(app.fetch);
  },
};

/** A ready Fastify app as a Node request listener (the server was started before the app knew its URL). */
async function fastifyListener(app: FastifyInstance): Promise<RequestListener> {
  await app.ready();
  return (req, res) => app.routing(req, res);
}

export const fastifyAdapter: Adapter = {
  name: '@logto-kit/fastify',
  async webApp(config) {
    const app = Fastify();
    await app.register(createFastifyLogto(config).middleware);
    app.get('/', async () => 'home');
    app.get('/me', { preHandler: fastifyAuthenticated() }, async (request) => request.user);
    app.route({
      method: ['GET', 'POST'],
      url: '/page',
      preHandler: fastifyAuthenticated({ shouldRedirect: true }),
      handler: async (request) => ({ sub: request.user?.sub }),
    });
    app.get('/shopping', { preHandler: fastifyAuthenticated({ resource: shoppingApi }) }, async (request) => ({
      accessToken: request.accessToken,
    }));
    return fastifyListener(app);
  },
  async api({ verifier, down }) {
    const app = Fastify();
    app.get(
      '/products',
      { preHandler: fastifyRequireAuth({ verifier, scopes: ['shopping:read'] }) },
      async (request) => ({
        sub: request.auth?.sub,
        scopes: request.auth?.scopes,
      }),
    );
    app.get<{ Params: { id: string } }>(
      '/organizations/:id/projects',
      {
        preHandler: fastifyRequireAuth({
          verifier,
          organizationId: (request) => (request.params as { id?: string }).id,
          scopes: ['read:projects'],
        }),
      },
      async (request) => ({ sub: request.auth?.sub, organizationId: request.auth?.organizationId }),
    );
    app.get('/down', { preHandler: fastifyRequireAuth({ verifier: down }) }, async () => ({ passed: true }));
    return fastifyListener(app);
  },
};

/**
 * Next.js Route Handlers, routed as the App Router routes them: the app's own routes first, then
 * `app/[logto]/route.ts` (`logto.handlers`) for the rest. Route Handlers are web-standard
 * (`Request` in, `Response` out), so the suite runs them on Node.js without Next.js; the Server
 * Component and Server Action parts are tested on `next start` (test/next/).
 */
export const nextAdapter: Adapter = {
  name: '@logto-kit/next',
  async webApp(config) {
    const logto = createNextLogto(config);
    const me = logto.authenticated({}, (_request, { user }) => Response.json(user));
    const page = logto.authenticated({ shouldRedirect: true }, (_request, { user }) =>
      Response.json({ sub: user.sub }),
    );
    const shopping = logto.authenticated({ resource: shoppingApi }, (_request, { accessToken }) =>
      Response.json({ accessToken }),
    );
    return getRequestListener(async (request) => {
      const { pathname } = new URL(request.url);
      const { method } = request;
      if (pathname === '/' && method === 'GET') return new Response('home');
      if (pathname === '/me' && method === 'GET') return me(request, undefined);
      if (pathname === '/page' && (method === 'GET' || method === 'POST')) return page(request, undefined);
      if (pathname === '/shopping' && method === 'GET') return shopping(request, undefined);
      // As Next.js does when a route exports GET but no HEAD: HEAD runs GET, without the body.
      if (method === 'HEAD') {
        const answer = await logto.handlers.GET(request);
        return new Response(null, answer);
      }
      if (method === 'GET') return logto.handlers.GET(request);
      if (method === 'POST') return logto.handlers.POST(request);
      return new Response(null, { status: 405 });
    });
  },
};

export const adapters: readonly Adapter[] = [expressAdapter, honoAdapter, fastifyAdapter, nextAdapter];
