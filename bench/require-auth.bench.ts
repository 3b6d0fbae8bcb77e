// `npm run bench -- require-auth`: what `requireAuth()` with a reused access token adds to a route,
// on Express, Hono and Fastify, over HTTP, in one run.
//
// For each framework, the same JSON route twice, on one server on port 0 in a child process (so
// autocannon, here, does not compete with them): unprotected, and behind the framework's
// `requireAuth()` with one ES384 token on every request (the verified-token cache's case). Both
// receive the same requests, Authorization header included, so that the difference is what the
// guard does, not the parsing of a header the client sends either way. The token is signed
// locally and its keys served by a local JWKS endpoint; no dev server.
//
// Target, per framework: at most 3 µs more server CPU time per request than the unprotected route,
// from alternating blocks of pipelined requests to the two (`pairedCost` in http-load.ts: a machine
// shared with other work disturbs it far less than requests/s or rounds of seconds). For
// information, a third route with one middleware that does nothing shows what the framework itself
// charges for a middleware (on Hono, most of the budget: a route with a middleware answers through
// `compose` and a promise, where a single handler answers synchronously).
import type { RequestListener } from 'node:http';
import {
  addedCost,
  bestOfRounds,
  type LoadTarget,
  listen,
  mounted,
  pairedCostsInProcesses,
  selectedFrameworks,
  serveWhenChild,
  spreadOf,
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

  const fastifyListener = async (app: import('fastify').FastifyInstance): Promise<RequestListener> => {
    await app.ready();
    return (req, res) => app.routing(req, res);
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

  /** A framework's three apps on one server, so that they are measured over the same connections. */
  const targets = async (
    name: string,
    unprotected: RequestListener,
    noop: RequestListener,
    guarded: RequestListener,
  ) => {
    const { url } = await listen(mounted({ unprotected, noop, guarded }, unprotected));
    return {
      name,
      unprotected: { title: `${name} unprotected`, url: `${url}/unprotected/me`, headers: authorization },
      noop: { title: `${name} no-op middleware`, url: `${url}/noop/me`, headers: authorization },
      guarded: { title: `${name} requireAuth()`, url: `${url}/guarded/me`, headers: authorization },
    };
  };
  const hono = (app: { fetch: (request: Request) => Response | Promise<Response> }) => getRequestListener(app.fetch);
  return [
    await targets('Express', expressPlain, expressNoop, expressGuarded),
    await targets('Hono', hono(honoPlain), hono(honoNoop), hono(honoGuarded)),
    await targets(
      'Fastify',
      await fastifyListener(fastifyPlain),
      await fastifyListener(fastifyNoop),
      await fastifyListener(fastifyGuarded),
    ),
  ];
}

async function measure(): Promise<void> {
  const first = await startServerChild<FrameworkTargets[]>(import.meta.url);
  try {
    // `npm run bench -- require-auth:hono` measures one framework only.
    const measured = selectedFrameworks(first.targets);
    const targets = measured.flatMap((framework) => [framework.unprotected, framework.noop, framework.guarded]);
    await bestOfRounds(first.child, targets);
    const costs = await pairedCostsInProcesses(import.meta.url, first, (frameworks) =>
      selectedFrameworks(frameworks).flatMap((framework) => [
        [framework.unprotected, framework.guarded] as const,
        [framework.unprotected, framework.noop] as const,
      ]),
    );
    console.log('');
    for (const [index, framework] of measured.entries()) {
      const [guarded, noop] = [costs[2 * index]!, costs[2 * index + 1]!];
      console.log(addedCost(`${framework.name} requireAuth()`, guarded, maxAddedMicros));
      console.log(
        `    (for information: one no-op middleware adds ${noop.added.toFixed(1)} µs on ${framework.name}: ${spreadOf(noop)})`,
      );
    }
  } finally {
    first.child.kill('SIGTERM');
  }
}
