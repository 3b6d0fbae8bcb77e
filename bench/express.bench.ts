// `npm run bench -- express`: what `authenticated()` costs a web app, over HTTP.
//
// The same route several ways, each on its own Express server: unprotected (no middleware);
// protected by @logto-kit/express with a signed-in encrypted-cookie session (and, for information,
// with a MemoryStore session); protected by the official @logto/express + express-session with a
// signed-in session. The servers and a dev server
// run in a child process, so autocannon (here) does not compete with them for the event loop.
// Sessions are real: each app is signed into through the dev server's pages before measuring.
//
// Targets: ≥ 0.7× unprotected, faster than @logto/express.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const seconds = Number(process.env.LOGTO_KIT_BENCH_SECONDS ?? 3);
const connections = 32;
const rounds = Number(process.env.LOGTO_KIT_BENCH_ROUNDS ?? 3);

/** The part of `@logto/express` used here. */
interface OfficialLogtoExpress {
  handleAuthRoutes(config: Record<string, unknown>): RequestListener & import('express').Router;
  withLogto(config: Record<string, unknown>): import('express').RequestHandler;
}

interface Targets {
  unprotected: string;
  logtoKit: { url: string; cookie: string };
  logtoKitStore: { url: string; cookie: string };
  official: { url: string; cookie: string };
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

async function listen(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Child process: dev server, the three apps, signed-in sessions for the two protected ones. */
async function serve(): Promise<Targets> {
  const { demoWorld, startDevServer } = await import('@logto-kit/dev-server');
  const { CookieJar, signInThroughForms } = await import('@logto-kit/dev-server/testing');
  const { authenticated, createLogto, MemoryStore, userOf } = await import('@logto-kit/express');
  // Loaded by a computed name so its global `req.user` typing stays out of this project's types.
  const officialName = '@logto/express';
  const official = (await import(officialName)) as OfficialLogtoExpress;
  const { default: session } = await import('express-session');
  const { default: express } = await import('express');

  const handlers: Record<'plain' | 'kit' | 'kitStore' | 'official', RequestListener> = {
    plain: (_req, res) => res.end(),
    kit: (_req, res) => res.end(),
    kitStore: (_req, res) => res.end(),
    official: (_req, res) => res.end(),
  };
  const plain = await listen((req, res) => handlers.plain(req, res));
  const kit = await listen((req, res) => handlers.kit(req, res));
  const kitStore = await listen((req, res) => handlers.kitStore(req, res));
  const off = await listen((req, res) => handlers.official(req, res));

  const devServer = await startDevServer({
    port: 0,
    memory: true,
    config: {
      ...demoWorld,
      applications: demoWorld.applications.map((application) =>
        application.id === 'sample-web-app'
          ? {
              ...application,
              redirectUris: [`${kit.url}/callback`, `${kitStore.url}/callback`, `${off.url}/logto/sign-in-callback`],
              postLogoutRedirectUris: [`${kit.url}/`, `${kitStore.url}/`, off.url],
            }
          : application,
      ),
    },
  });
  const client = { endpoint: devServer.url, appId: 'sample-web-app', appSecret: 'sample-web-app-secret' };
  const answer = (sub: string) => ({ sub, products: [{ id: 1, name: 'Logto T-shirt', price: 25 }] });

  const plainApp = express();
  plainApp.get('/me', (_req, res) => {
    res.json(answer('anonymous'));
  });
  handlers.plain = plainApp;

  const kitApp = express();
  kitApp.use(
    createLogto({ ...client, baseUrl: kit.url, session: { secrets: ['bench-session-secret-0123456789abcdefgh'] } }),
  );
  kitApp.get('/me', authenticated(), (req, res) => {
    res.json(answer(userOf(req)!.sub));
  });
  handlers.kit = kitApp;

  const kitStoreApp = express();
  kitStoreApp.use(
    createLogto({
      ...client,
      baseUrl: kitStore.url,
      session: { secrets: ['bench-session-secret-0123456789abcdefgh'], store: new MemoryStore() },
    }),
  );
  kitStoreApp.get('/me', authenticated(), (req, res) => {
    res.json(answer(userOf(req)!.sub));
  });
  handlers.kitStore = kitStoreApp;

  const officialConfig = { ...client, baseUrl: off.url };
  const officialApp = express();
  officialApp.use(
    session({
      secret: 'bench-session-secret',
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: 14 * 24 * 3600 * 1000 },
    }),
  );
  officialApp.use(official.handleAuthRoutes(officialConfig));
  officialApp.get('/me', official.withLogto(officialConfig), (req, res) => {
    // @logto/express's own typing of req.user differs from ours; this route reads its context.
    const user = (req as unknown as { user: { isAuthenticated: boolean; claims?: { sub: string } } }).user;
    if (!user.isAuthenticated || !user.claims) {
      res.status(401).json({ error: 'Not authenticated' });
      return;
    }
    res.json(answer(user.claims.sub));
  });
  handlers.official = officialApp;

  async function signIn(appUrl: string, start: string): Promise<string> {
    const jar = new CookieJar();
    const get = async (url: string) => {
      const response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(url) } });
      jar.store(url, response.headers);
      await response.body?.cancel();
      return response;
    };
    const started = await get(`${appUrl}${start}`);
    const location = new URL(started.headers.get('location')!, appUrl).href;
    const callbackUrl = await signInThroughForms(location, { username: 'demo', password: 'demo-password' });
    const callback = await get(callbackUrl);
    if (callback.status !== 302) throw new Error(`sign-in at ${appUrl} failed: ${callback.status}`);
    const cookie = jar.header(`${appUrl}/me`);
    const me = await fetch(`${appUrl}/me`, { headers: { cookie } });
    if (me.status !== 200) throw new Error(`signed-in request at ${appUrl} answered ${me.status}`);
    return cookie;
  }

  return {
    unprotected: `${plain.url}/me`,
    logtoKit: { url: `${kit.url}/me`, cookie: await signIn(kit.url, '/sign-in') },
    logtoKitStore: { url: `${kitStore.url}/me`, cookie: await signIn(kitStore.url, '/sign-in') },
    official: { url: `${off.url}/me`, cookie: await signIn(off.url, '/logto/sign-in') },
  };
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

async function run(child: ChildProcess, title: string, url: string, cookie?: string): Promise<RunResult> {
  const headers = cookie ? { cookie } : undefined;
  const cpuBefore = await serverCpu(child);
  const result = await autocannon({ url, connections, duration: seconds, headers });
  const cpu = (await serverCpu(child)) - cpuBefore;
  const failures = result.non2xx + result.errors + result.timeouts;
  if (failures > 0) throw new Error(`${title}: ${failures} failed requests of ${result.requests.total}`);
  return { rate: result.requests.average, cpuPerRequest: cpu / result.requests.total };
}

async function measure(): Promise<void> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(process.env.LOGTO_KIT_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []),
      '--conditions=@logto-kit/source',
      fileURLToPath(import.meta.url),
    ],
    { env: { ...process.env, LOGTO_KIT_BENCH_ROLE: 'server' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  try {
    const [targets] = (await Promise.race([
      once(child, 'message'),
      once(child, 'exit').then(([code]) => {
        throw new Error(`the benchmark server exited (${code}) before it was ready`);
      }),
    ])) as [Targets];
    const variants = [
      { title: 'unprotected (no middleware)', url: targets.unprotected, cookie: undefined },
      { title: '@logto-kit/express authenticated()', ...targets.logtoKit },
      { title: '@logto-kit/express, MemoryStore sessions', ...targets.logtoKitStore },
      { title: '@logto/express withLogto + express-session', ...targets.official },
    ];
    // LOGTO_KIT_BENCH_ONLY=logto-kit measures one variant alone (e.g. with LOGTO_KIT_BENCH_PROFILE=1).
    const only = process.env.LOGTO_KIT_BENCH_ONLY;
    if (only) {
      for (const variant of variants.filter((candidate) => candidate.title.includes(only))) {
        const { rate, cpuPerRequest } = await run(child, variant.title, variant.url, variant.cookie);
        console.log(`  ${variant.title}: ${rate.toFixed(0)} req/s, ${cpuPerRequest.toFixed(0)} µs CPU/request`);
      }
      return;
    }
    console.log(`GET /me, ${connections} connections, ${rounds} interleaved rounds of ${seconds} s (autocannon).`);
    console.log('Best round per variant, and the server CPU time per request (less sensitive to other load).\n');
    for (const variant of variants) await run(child, variant.title, variant.url, variant.cookie); // warm-up
    const best = variants.map(() => ({ rate: 0, cpuPerRequest: Number.POSITIVE_INFINITY }));
    for (let round = 0; round < rounds; round += 1) {
      for (const [index, variant] of variants.entries()) {
        const result = await run(child, variant.title, variant.url, variant.cookie);
        best[index] = {
          rate: Math.max(best[index]!.rate, result.rate),
          cpuPerRequest: Math.min(best[index]!.cpuPerRequest, result.cpuPerRequest),
        };
      }
    }
    for (const [index, variant] of variants.entries()) {
      const { rate, cpuPerRequest } = best[index]!;
      console.log(
        `  ${variant.title.padEnd(44)} ${rate.toFixed(0).padStart(8)} req/s   ${cpuPerRequest.toFixed(0).padStart(5)} µs CPU/request`,
      );
    }
    const [plain, kit, kitStore, official] = best as [RunResult, RunResult, RunResult, RunResult];
    const line = (
      label: string,
      rateRatio: number,
      cpuRatio: number,
      target: string,
      met: (ratio: number) => boolean,
    ) =>
      `  ${label.padEnd(38)} ${rateRatio.toFixed(2)}× req/s, ${cpuRatio.toFixed(2)}× by CPU per request   (target ${target}) ${
        met(rateRatio) ? '✔' : '✖'
      }`;
    console.log(`
${line('@logto-kit/express vs unprotected:', kit.rate / plain.rate, plain.cpuPerRequest / kit.cpuPerRequest, '≥ 0.70×', (ratio) => ratio >= 0.7)}
${line('@logto-kit/express vs @logto/express:', kit.rate / official.rate, official.cpuPerRequest / kit.cpuPerRequest, '> 1×', (ratio) => ratio > 1)}
  (informational) MemoryStore sessions vs cookie sessions: ${(kitStore.rate / kit.rate).toFixed(2)}× req/s`);
  } finally {
    child.kill();
  }
}
