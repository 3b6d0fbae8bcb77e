// `npm run bench -- adapters`: what Logto costs a Hono or Fastify app, over HTTP.
//
// For each framework, the same JSON route three ways, on servers on port 0 in a child process
// (so autocannon, here, does not compete with them): unprotected (no Logto at all); a page behind
// `authenticated()` with a signed-in encrypted-cookie session (signed in through the dev server's
// pages); an API route behind `requireAuth()` with a reused access token (machine-to-machine,
// from the dev server). Printed as ratios to the unprotected route; bounded durations.
//
// Targets, as for Express and the API guard: page ≥ 0.7×, guard ≥ 0.85× unprotected.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const seconds = Number(process.env.LOGTO_KIT_BENCH_SECONDS ?? 3);
const connections = 32;
const rounds = Number(process.env.LOGTO_KIT_BENCH_ROUNDS ?? 3);
const shoppingApi = 'https://shopping.your-app.com/api';

interface Target {
  title: string;
  url: string;
  headers?: Record<string, string>;
}

interface FrameworkTargets {
  name: string;
  unprotected: Target;
  page: Target;
  guard: Target;
}

if (process.env.LOGTO_KIT_BENCH_ROLE === 'server') {
  const targets = await serve();
  process.on('SIGTERM', () => process.exit(0));
  // The parent asks for this process's CPU time around each run.
  process.on('message', () => process.send?.(process.cpuUsage()));
  process.send?.(targets);
} else {
  await measure();
}

async function listen(
  handler: RequestListener,
): Promise<{ server: Server; url: string; set(h: RequestListener): void }> {
  let current = handler;
  const server = createServer((req, res) => current(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set: (next) => {
      current = next;
    },
  };
}

/** Child process: a dev server, then per framework an unprotected app, a web app and an API. */
async function serve(): Promise<FrameworkTargets[]> {
  const { demoWorld, startDevServer } = await import('@logto-kit/dev-server');
  const { CookieJar, signInThroughForms } = await import('@logto-kit/dev-server/testing');
  const { createAccessTokenVerifier } = await import('@logto-kit/api');
  const hono = await import('@logto-kit/hono');
  const fastify = await import('@logto-kit/fastify');
  const { Hono } = await import('hono');
  const { getRequestListener } = await import('@hono/node-server');
  const { default: Fastify } = await import('fastify');

  const products = [{ id: 1, name: 'Logto T-shirt', price: 25 }];
  // The web apps listen first: the dev server must know their callback URLs.
  const honoWeb = await listen((_req, res) => res.end());
  const fastifyWeb = await listen((_req, res) => res.end());
  const world = {
    ...demoWorld,
    applications: demoWorld.applications.map((application) =>
      application.id === 'sample-web-app'
        ? {
            ...application,
            redirectUris: [`${honoWeb.url}/callback`, `${fastifyWeb.url}/callback`],
            postLogoutRedirectUris: [`${honoWeb.url}/`, `${fastifyWeb.url}/`],
          }
        : application,
    ),
  };
  const devServer = await startDevServer({ port: 0, memory: true, config: world });
  const endpoint = devServer.url.replace(/\/+$/, '');
  const verifier = createAccessTokenVerifier({ endpoint }, { audience: shoppingApi });
  const logtoConfig = (baseUrl: string) => ({
    endpoint,
    appId: 'sample-web-app',
    appSecret: 'sample-web-app-secret',
    baseUrl,
    session: { secrets: ['adapters-bench-session-secret-0123456789abcdef'] },
  });

  // Hono
  const honoPlain = new Hono();
  honoPlain.get('/me', (c) => c.json({ sub: 'anonymous', products }));
  const honoLogto = hono.createLogto(logtoConfig(honoWeb.url));
  const honoApp = new Hono<import('@logto-kit/hono').LogtoEnv>();
  honoApp.use(honoLogto.middleware);
  honoApp.get('/me', hono.authenticated(), (c) => c.json({ sub: c.get('user').sub, products }));
  honoWeb.set(getRequestListener(honoApp.fetch));
  const honoApi = new Hono();
  honoApi.get('/me', hono.requireAuth({ verifier, scopes: ['shopping:read'] }), (c) =>
    c.json({ sub: c.get('auth').sub, products }),
  );

  // Fastify
  const fastifyListener = async (app: import('fastify').FastifyInstance): Promise<RequestListener> => {
    await app.ready();
    return (req, res) => app.routing(req, res);
  };
  const fastifyPlain = Fastify();
  fastifyPlain.get('/me', async () => ({ sub: 'anonymous', products }));
  const fastifyApp = Fastify();
  await fastifyApp.register(fastify.createLogto(logtoConfig(fastifyWeb.url)).plugin);
  fastifyApp.get('/me', { preHandler: fastify.authenticated() }, async (request) => ({
    sub: request.user?.sub,
    products,
  }));
  fastifyWeb.set(await fastifyListener(fastifyApp));
  const fastifyApi = Fastify();
  fastifyApi.get(
    '/me',
    { preHandler: fastify.requireAuth({ verifier, scopes: ['shopping:read'] }) },
    async (request) => ({
      sub: request.auth?.sub,
      products,
    }),
  );

  async function signIn(appUrl: string): Promise<string> {
    const jar = new CookieJar();
    const get = async (url: string) => {
      const cookie = jar.header(url);
      const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
      jar.store(url, response.headers);
      return response;
    };
    const started = await get(`${appUrl}/sign-in`);
    const callbackUrl = await signInThroughForms(started.headers.get('location')!, {
      username: 'demo',
      password: 'demo-password',
    });
    if ((await get(callbackUrl)).status !== 302) throw new Error(`sign-in at ${appUrl} failed`);
    const cookie = jar.header(`${appUrl}/me`);
    const me = await fetch(`${appUrl}/me`, { headers: { cookie } });
    if (me.status !== 200) throw new Error(`signed-in request at ${appUrl} answered ${me.status}`);
    return cookie;
  }

  const tokenResponse = await fetch(`${devServer.issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${btoa('sample-m2m:sample-m2m-secret')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: shoppingApi, scope: 'shopping:read' }),
  });
  const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
  const authorization = { authorization: `Bearer ${token}` };

  const honoPlainServer = await listen(getRequestListener(honoPlain.fetch));
  const honoApiServer = await listen(getRequestListener(honoApi.fetch));
  const fastifyPlainServer = await listen(await fastifyListener(fastifyPlain));
  const fastifyApiServer = await listen(await fastifyListener(fastifyApi));
  return [
    {
      name: 'Hono',
      unprotected: { title: 'Hono unprotected', url: `${honoPlainServer.url}/me` },
      page: {
        title: 'Hono authenticated() page',
        url: `${honoWeb.url}/me`,
        headers: { cookie: await signIn(honoWeb.url) },
      },
      guard: { title: 'Hono requireAuth()', url: `${honoApiServer.url}/me`, headers: authorization },
    },
    {
      name: 'Fastify',
      unprotected: { title: 'Fastify unprotected', url: `${fastifyPlainServer.url}/me` },
      page: {
        title: 'Fastify authenticated page',
        url: `${fastifyWeb.url}/me`,
        headers: { cookie: await signIn(fastifyWeb.url) },
      },
      guard: { title: 'Fastify requireAuth', url: `${fastifyApiServer.url}/me`, headers: authorization },
    },
  ];
}

interface RunResult {
  /** Requests per second. */
  rate: number;
  /** Server CPU time per request, in microseconds. */
  cpuPerRequest: number;
}

async function serverCpu(child: ChildProcess): Promise<number> {
  child.send('cpu');
  const [usage] = (await once(child, 'message')) as [NodeJS.CpuUsage];
  return usage.user + usage.system;
}

async function run(child: ChildProcess, target: Target): Promise<RunResult> {
  const cpuBefore = await serverCpu(child);
  const result = await autocannon({ url: target.url, connections, duration: seconds, headers: target.headers });
  const cpu = (await serverCpu(child)) - cpuBefore;
  const failures = result.non2xx + result.errors + result.timeouts;
  if (failures > 0) throw new Error(`${target.title}: ${failures} failed requests of ${result.requests.total}`);
  return { rate: result.requests.average, cpuPerRequest: cpu / result.requests.total };
}

async function measure(): Promise<void> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      // LOGTO_KIT_BENCH_PROFILE=1 writes the servers' CPU profile to /tmp/prof.
      ...(process.env.LOGTO_KIT_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []),
      '--conditions=@logto-kit/source',
      fileURLToPath(import.meta.url),
    ],
    {
      env: { ...process.env, LOGTO_KIT_BENCH_ROLE: 'server' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  try {
    const [frameworks] = (await Promise.race([
      once(child, 'message'),
      once(child, 'exit').then(([code]) => {
        throw new Error(`the benchmark server exited (${code}) before it was ready`);
      }),
    ])) as [FrameworkTargets[]];
    console.log(`GET /me, ${connections} connections, ${rounds} interleaved rounds of ${seconds} s (autocannon).`);
    console.log('Best round per variant, and the server CPU time per request (less sensitive to other load).\n');
    const targets = frameworks.flatMap((framework) => [framework.unprotected, framework.page, framework.guard]);
    for (const target of targets) await run(child, target); // warm-up
    const best = new Map<Target, RunResult>(
      targets.map((target) => [target, { rate: 0, cpuPerRequest: Number.POSITIVE_INFINITY }]),
    );
    for (let round = 0; round < rounds; round += 1) {
      for (const target of targets) {
        const result = await run(child, target);
        const previous = best.get(target)!;
        best.set(target, {
          rate: Math.max(previous.rate, result.rate),
          cpuPerRequest: Math.min(previous.cpuPerRequest, result.cpuPerRequest),
        });
      }
    }
    for (const target of targets) {
      const { rate, cpuPerRequest } = best.get(target)!;
      console.log(
        `  ${target.title.padEnd(32)} ${rate.toFixed(0).padStart(8)} req/s   ${cpuPerRequest.toFixed(0).padStart(5)} µs CPU/request`,
      );
    }
    console.log('');
    for (const framework of frameworks) {
      const plain = best.get(framework.unprotected)!;
      for (const [label, target, minimum] of [
        ['authenticated page', framework.page, 0.7],
        ['requireAuth guard', framework.guard, 0.85],
      ] as const) {
        const result = best.get(target)!;
        const rateRatio = result.rate / plain.rate;
        const cpuRatio = plain.cpuPerRequest / result.cpuPerRequest;
        console.log(
          `  ${`${framework.name} ${label} vs unprotected:`.padEnd(48)} ${rateRatio.toFixed(2)}× req/s, ${cpuRatio.toFixed(2)}× by CPU per request   (target ≥ ${minimum.toFixed(2)}×) ${
            Math.max(rateRatio, cpuRatio) >= minimum ? '✔' : '✖'
          }`,
        );
      }
    }
  } finally {
    child.kill('SIGTERM');
  }
}
