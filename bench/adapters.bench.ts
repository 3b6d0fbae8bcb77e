// `npm run bench -- adapters`: what Logto costs an Express, Hono or Fastify app, over HTTP.
//
// For each framework, the same JSON route several ways, on one server on port 0 in a child process
// (so autocannon, here, does not compete with them): unprotected (no Logto at all); a page behind
// `authenticated()` with a signed-in encrypted-cookie session (signed in through the dev server's
// pages). (`requireAuth()` has a benchmark of its own: `npm run bench -- require-auth`.) The page
// is measured against the unprotected route sent the same `Cookie` header (a browser sends it to
// every page of the site; what the HTTP parser spends on it is not Logto's cost): requests/s in
// autocannon rounds, and the server CPU time added per request from alternating blocks of
// pipelined requests to the two (`pairedCostsInProcesses` in http-load.ts), which a machine shared
// with other work disturbs far less than rounds of seconds; the figure over the cookie-less route
// is printed beside it, from the rounds, and so is what the page's middleware levels cost when they
// do nothing (the framework's own share of the page's cost).
//
// Targets: a signed-in page adds at most 5 µs of CPU per request (and keeps ≥ 0.7× the
// unprotected route's requests/s).
import type { RequestListener } from 'node:http';
import {
  addedCost,
  bestOfRounds,
  comparison,
  type LoadResult,
  type LoadTarget,
  listen,
  mounted,
  pairedCostsInProcesses,
  selectedFrameworks,
  serveWhenChild,
  signedInCookie,
  spreadOf,
  startServerChild,
} from './http-load.ts';

type Target = LoadTarget;

interface FrameworkTargets {
  name: string;
  unprotected: Target;
  /** The unprotected route sent the page's `Cookie` header: the page's baseline. */
  unprotectedWithCookie: Target;
  page: Target;
  /**
   * The page's shape without Logto: the unprotected route behind the same middleware levels, each
   * doing nothing (Express and Hono: one for the app and one on the route; Fastify: the same hooks).
   */
  shape: Target;
}

/** The most CPU time a signed-in page with `authenticated()` may add per request, in microseconds. */
const pageTargetMicros = 5;

if (!(await serveWhenChild(serve))) await measure();

/** Child process: a dev server, then per framework an unprotected app, a web app and an API. */
async function serve(): Promise<FrameworkTargets[]> {
  const { startDevServer } = await import('@logto-kit/dev-server');
  const { demoWorldFor } = await import('@logto-kit/dev-server/testing');
  const expressKit = await import('@logto-kit/express');
  const { default: express } = await import('express');
  const hono = await import('@logto-kit/hono');
  const fastify = await import('@logto-kit/fastify');
  const { Hono } = await import('hono');
  const { getRequestListener } = await import('@hono/node-server');
  const { default: Fastify } = await import('fastify');

  const products = [{ id: 1, name: 'Logto T-shirt', price: 25 }];
  // The web apps listen first: the dev server must know their callback URLs.
  const expressWeb = await listen((_req, res) => res.end());
  const honoWeb = await listen((_req, res) => res.end());
  const fastifyWeb = await listen((_req, res) => res.end());
  const world = demoWorldFor(expressWeb.url, honoWeb.url, fastifyWeb.url);

  const devServer = await startDevServer({ port: 0, memory: true, config: world });
  const endpoint = devServer.url.replace(/\/+$/, '');
  const logtoConfig = (baseUrl: string) => ({
    endpoint,
    appId: 'sample-web-app',
    appSecret: 'sample-web-app-secret',
    baseUrl,
    session: { secrets: ['adapters-bench-session-secret-0123456789abcdef'] },
  });

  // Express
  const expressPlain = express();
  expressPlain.get('/me', (_req, res) => {
    res.json({ sub: 'anonymous', products });
  });
  const expressApp = express();
  expressApp.use(expressKit.createLogto(logtoConfig(expressWeb.url)).middleware);
  expressApp.get('/me', expressKit.authenticated(), (req, res) => {
    res.json({ sub: expressKit.userOf(req)?.sub, products });
  });
  const expressShape = express();
  expressShape.use((_req, _res, next) => next());
  expressShape.get(
    '/me',
    (_req, _res, next) => next(),
    (_req, res) => {
      res.json({ sub: 'anonymous', products });
    },
  );
  expressWeb.set(mounted({ unprotected: expressPlain, page: expressApp, shape: expressShape }, expressApp));

  // Hono
  const honoPlain = new Hono();
  honoPlain.get('/me', (c) => c.json({ sub: 'anonymous', products }));
  const honoLogto = hono.createLogto(logtoConfig(honoWeb.url));
  const honoApp = new Hono<import('@logto-kit/hono').LogtoEnv>();
  honoApp.use(honoLogto.middleware);
  honoApp.get('/me', hono.authenticated(), (c) => c.json({ sub: c.get('user').sub, products }));
  const honoShape = new Hono();
  honoShape.use(async (_c, next) => {
    await next();
  });
  honoShape.get(
    '/me',
    (_c, next) => next(),
    (c) => c.json({ sub: 'anonymous', products }),
  );
  const honoPage = getRequestListener(honoApp.fetch);
  const honoListeners = {
    unprotected: getRequestListener(honoPlain.fetch),
    shape: getRequestListener(honoShape.fetch),
  };
  honoWeb.set(mounted({ ...honoListeners, page: honoPage }, honoPage));

  // Fastify
  const fastifyListener = async (app: import('fastify').FastifyInstance): Promise<RequestListener> => {
    await app.ready();
    return (req, res) => app.routing(req, res);
  };
  const fastifyPlain = Fastify();
  fastifyPlain.get('/me', async () => ({ sub: 'anonymous', products }));
  const fastifyApp = Fastify();
  await fastifyApp.register(fastify.createLogto(logtoConfig(fastifyWeb.url)).middleware);
  fastifyApp.get('/me', { preHandler: fastify.authenticated() }, async (request) => ({
    sub: request.user?.sub,
    products,
  }));
  const fastifyShape = Fastify();
  fastifyShape.addHook('onRequest', (_request, _reply, done) => done());
  fastifyShape.addHook('onSend', (_request, _reply, payload, done) => done(null, payload));
  fastifyShape.get('/me', { preHandler: (_request, _reply, done) => done() }, async () => ({
    sub: 'anonymous',
    products,
  }));
  const fastifyPage = await fastifyListener(fastifyApp);
  const fastifyListeners = {
    unprotected: await fastifyListener(fastifyPlain),
    shape: await fastifyListener(fastifyShape),
  };
  fastifyWeb.set(mounted({ ...fastifyListeners, page: fastifyPage }, fastifyPage));

  /**
   * A framework's targets, on one server: its unprotected app (also sent the page's cookie) and its
   * signed-in page.
   */
  const pageTargets = async (name: string, webUrl: string, pageTitle: string) => {
    const cookie = await signedInCookie(webUrl);
    return {
      name,
      unprotected: { title: `${name} unprotected`, url: `${webUrl}/unprotected/me` },
      unprotectedWithCookie: {
        title: `${name} unprotected, same cookie`,
        url: `${webUrl}/unprotected/me`,
        headers: { cookie },
      },
      page: { title: `${name} ${pageTitle}`, url: `${webUrl}/page/me`, headers: { cookie } },
      shape: { title: `${name} the page's middleware levels, empty`, url: `${webUrl}/shape/me`, headers: { cookie } },
    };
  };
  return [
    await pageTargets('Express', expressWeb.url, 'authenticated() page'),
    await pageTargets('Hono', honoWeb.url, 'authenticated() page'),
    await pageTargets('Fastify', fastifyWeb.url, 'authenticated page'),
  ];
}

async function measure(): Promise<void> {
  const first = await startServerChild<FrameworkTargets[]>(import.meta.url);
  try {
    // `npm run bench -- adapters:hono` measures one framework only.
    const measured = selectedFrameworks(first.targets);
    const targets = measured.flatMap((framework) => [
      framework.unprotected,
      framework.unprotectedWithCookie,
      framework.page,
    ]);
    const results = await bestOfRounds(first.child, targets);
    const best = new Map<Target, LoadResult>(targets.map((target, index) => [target, results[index]!]));
    const costs = await pairedCostsInProcesses(import.meta.url, first, (frameworks) =>
      selectedFrameworks(frameworks).flatMap((framework) => [
        [framework.unprotectedWithCookie, framework.page] as const,
        [framework.unprotectedWithCookie, framework.shape] as const,
      ]),
    );
    console.log('');
    for (const [index, framework] of measured.entries()) {
      const plain = best.get(framework.unprotected)!;
      const sameCookie = best.get(framework.unprotectedWithCookie)!;
      const page = best.get(framework.page)!;
      console.log(
        addedCost(`${framework.name}: a signed-in page with authenticated()`, costs[2 * index]!, pageTargetMicros),
      );
      const shape = costs[2 * index + 1]!;
      console.log(
        `    (for information: the same middleware levels doing nothing add ${shape.added.toFixed(1)} µs on ${framework.name}: ${spreadOf(shape)})`,
      );
      console.log(
        `    (informational) over the unprotected route sent no cookie: ${(page.cpuPerRequest - plain.cpuPerRequest).toFixed(1)} µs`,
      );
      console.log(
        comparison(`${framework.name} authenticated page vs unprotected:`, page, sameCookie, { minimum: 0.7 }),
      );
    }
  } finally {
    first.child.kill('SIGTERM');
  }
}
