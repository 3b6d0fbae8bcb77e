// `npm run bench -- require-auth`: what `requireAuth()` with a reused access token adds to a route,
// on Express, Hono and Fastify, over HTTP, in one run.
//
// For each framework, the same JSON route twice, on servers on port 0 in a child process (so
// autocannon, here, does not compete with them): unprotected, and behind the framework's
// `requireAuth()` with one ES384 token on every request (the verified-token cache's case). Both
// receive the same requests, Authorization header included, so that the difference is what the
// guard does, not the parsing of a header the client sends either way. The token is signed
// locally and its keys served by a local JWKS endpoint; no dev server.
//
// Target, per framework: at most 3 µs more server CPU time per request than the unprotected route
// (CPU time per request is far less sensitive than requests/s to other load on the machine). For
// information, a third route with one middleware that does nothing shows what the framework itself
// charges for a middleware (on Hono, most of the budget: a route with a middleware answers through
// `compose` and a promise, where a single handler answers synchronously).
import {
  addedCost,
  bestOfRounds,
  type LoadResult,
  type LoadTarget,
  listen,
  selectedFrameworks,
  serveWhenChild,
  startServerChild,
} from './http-load.ts';

/** The most CPU time per request `requireAuth()` may add, in microseconds. */
const maxAddedMicros = 3;

interface FrameworkTargets {
  name: string;
  unprotected: LoadTarget;
  /** For information: the framework's own cost of one middleware that does nothing. */
  noop: LoadTarget;
  guarded: LoadTarget;
}

if (!(await serveWhenChild(serve))) await measure();

/** Child process: a local provider, then per framework an unprotected app and a guarded one. */
async function serve(): Promise<FrameworkTargets[]> {
  const { audience, generateKey, signToken, startJwksServer } = await import('./local-provider.ts');
  const { createAccessTokenVerifier } = await import('@logto-kit/api');
  const expressKit = await import('@logto-kit/express');
  const honoKit = await import('@logto-kit/hono');
  const fastifyKit = await import('@logto-kit/fastify');
  const { default: express } = await import('express');
  const { Hono } = await import('hono');
  const { getRequestListener } = await import('@hono/node-server');
  const { default: Fastify } = await import('fastify');

  const key = generateKey('ES384');
  const provider = await startJwksServer([key]);
  const verifier = createAccessTokenVerifier({ issuer: provider.issuer, jwksUri: provider.jwksUri }, { audience });
  const guard = { verifier, scopes: ['shopping:read'] };
  const products = [{ id: 1, name: 'Logto T-shirt', price: 25 }];
  const token = signToken(key, provider.issuer, 'reused');
  await verifier.verify(token); // loads the keys once
  const authorization = { authorization: `Bearer ${token}` };

  const expressPlain = express();
  expressPlain.get('/me', (_req, res) => {
    res.json({ sub: 'anonymous', products });
  });
  const expressNoop = express();
  expressNoop.get(
    '/me',
    (_req, _res, next) => next(),
    (_req, res) => {
      res.json({ sub: 'anonymous', products });
    },
  );
  const expressGuarded = express();
  expressGuarded.get('/me', expressKit.requireAuth(guard), (req, res) => {
    res.json({ sub: req.auth?.sub, products });
  });

  const honoPlain = new Hono();
  honoPlain.get('/me', (c) => c.json({ sub: 'anonymous', products }));
  const honoNoop = new Hono();
  honoNoop.get(
    '/me',
    (_c, next) => next(),
    (c) => c.json({ sub: 'anonymous', products }),
  );
  const honoGuarded = new Hono();
  honoGuarded.get('/me', honoKit.requireAuth(guard), (c) => c.json({ sub: c.get('auth').sub, products }));

  const fastifyListener = async (app: import('fastify').FastifyInstance) => {
    await app.ready();
    return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => app.routing(req, res);
  };
  const fastifyPlain = Fastify();
  fastifyPlain.get('/me', async () => ({ sub: 'anonymous', products }));
  const fastifyNoop = Fastify();
  fastifyNoop.get('/me', { preHandler: (_request, _reply, done) => done() }, async () => ({
    sub: 'anonymous',
    products,
  }));
  const fastifyGuarded = Fastify();
  fastifyGuarded.get('/me', { preHandler: fastifyKit.requireAuth(guard) }, async (request) => ({
    sub: request.auth?.sub,
    products,
  }));

  const servers = {
    expressPlain: await listen(expressPlain),
    expressNoop: await listen(expressNoop),
    expressGuarded: await listen(expressGuarded),
    honoPlain: await listen(getRequestListener(honoPlain.fetch)),
    honoNoop: await listen(getRequestListener(honoNoop.fetch)),
    honoGuarded: await listen(getRequestListener(honoGuarded.fetch)),
    fastifyPlain: await listen(await fastifyListener(fastifyPlain)),
    fastifyNoop: await listen(await fastifyListener(fastifyNoop)),
    fastifyGuarded: await listen(await fastifyListener(fastifyGuarded)),
  };
  const targets = (name: string, ...[plain, noop, guarded]: { url: string }[]): FrameworkTargets => ({
    name,
    unprotected: { title: `${name} unprotected`, url: `${plain?.url}/me`, headers: authorization },
    noop: { title: `${name} no-op middleware`, url: `${noop?.url}/me`, headers: authorization },
    guarded: { title: `${name} requireAuth()`, url: `${guarded?.url}/me`, headers: authorization },
  });
  return [
    targets('Express', servers.expressPlain, servers.expressNoop, servers.expressGuarded),
    targets('Hono', servers.honoPlain, servers.honoNoop, servers.honoGuarded),
    targets('Fastify', servers.fastifyPlain, servers.fastifyNoop, servers.fastifyGuarded),
  ];
}

async function measure(): Promise<void> {
  const { child, targets: frameworks } = await startServerChild<FrameworkTargets[]>(import.meta.url);
  try {
    // `npm run bench -- require-auth:hono` measures one framework only.
    const measured = selectedFrameworks(frameworks);
    const targets = measured.flatMap((framework) => [framework.unprotected, framework.noop, framework.guarded]);
    // Differences of a microsecond or two: more rounds than the other benchmarks, so that each
    // target's best round is near its true cost on a machine shared with other work.
    const results = await bestOfRounds(child, targets, Number(process.env.LOGTO_KIT_BENCH_ROUNDS ?? 5));
    const best = new Map<LoadTarget, LoadResult>(targets.map((target, index) => [target, results[index]!]));
    console.log('');
    for (const framework of measured) {
      const plain = best.get(framework.unprotected)!;
      const noop = best.get(framework.noop)!;
      console.log(addedCost(`${framework.name} requireAuth()`, best.get(framework.guarded)!, plain, maxAddedMicros));
      console.log(
        `    (for information: one no-op middleware adds ${(noop.cpuPerRequest - plain.cpuPerRequest).toFixed(1)} µs on ${framework.name})`,
      );
    }
  } finally {
    child.kill('SIGTERM');
  }
}
