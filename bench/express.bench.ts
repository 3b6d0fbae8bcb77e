// `npm run bench -- express`: what `authenticated()` costs a web app, over HTTP.
//
// The same route several ways, each its own Express app: unprotected (no middleware, on the same
// server as the first Logto app, so that the two are measured over the same connections);
// protected by @logto-kit/express with a signed-in encrypted-cookie session (and, for information,
// with a MemoryStore session); protected by the official @logto/express + express-session with a
// signed-in session. The servers and a dev server
// run in a child process, so autocannon (here) does not compete with them for the event loop.
// Sessions are real: each app is signed into through the dev server's pages before measuring.
//
// Targets: a signed-in page adds at most 5 µs of server CPU per request (≥ 0.7× unprotected by
// requests/s), faster than @logto/express.
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
  serveWhenChild,
  signedInCookie,
  startServerChild,
} from './http-load.ts';

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

if (!(await serveWhenChild(serve))) await measure();

/** Child process: dev server, the three apps, signed-in sessions for the two protected ones. */
async function serve(): Promise<Targets> {
  const { demoWorld, startDevServer } = await import('@logto-kit/dev-server');
  const { authenticated, createLogto, MemoryStore, userOf } = await import('@logto-kit/express');
  // Loaded by a computed name so its global `req.user` typing stays out of this project's types.
  const officialName = '@logto/express';
  const official = (await import(officialName)) as OfficialLogtoExpress;
  const { default: session } = await import('express-session');
  const { default: express } = await import('express');

  const handlers: Record<'kit' | 'kitStore' | 'official', RequestListener> = {
    kit: (_req, res) => res.end(),
    kitStore: (_req, res) => res.end(),
    official: (_req, res) => res.end(),
  };
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

  const kitApp = express();
  kitApp.use(
    createLogto({ ...client, baseUrl: kit.url, session: { secrets: ['bench-session-secret-0123456789abcdefgh'] } })
      .middleware,
  );
  kitApp.get('/me', authenticated(), (req, res) => {
    res.json(answer(userOf(req)!.sub));
  });
  // The unprotected app beside it, on the same server: both are measured over the same connections.
  handlers.kit = mounted({ unprotected: plainApp, page: kitApp }, kitApp);

  const kitStoreApp = express();
  kitStoreApp.use(
    createLogto({
      ...client,
      baseUrl: kitStore.url,
      session: { secrets: ['bench-session-secret-0123456789abcdefgh'], store: new MemoryStore() },
    }).middleware,
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

  return {
    unprotected: `${kit.url}/unprotected/me`,
    logtoKit: { url: `${kit.url}/page/me`, cookie: await signedInCookie(kit.url, '/sign-in') },
    logtoKitStore: { url: `${kitStore.url}/me`, cookie: await signedInCookie(kitStore.url, '/sign-in') },
    official: { url: `${off.url}/me`, cookie: await signedInCookie(off.url, '/logto/sign-in') },
  };
}

async function measure(): Promise<void> {
  const first = await startServerChild<Targets>(import.meta.url);
  const { child, targets } = first;
  try {
    const variants: LoadTarget[] = [
      { title: 'unprotected (no middleware)', url: targets.unprotected },
      {
        title: 'unprotected, sent the same cookie',
        ...withCookie({ url: targets.unprotected, cookie: targets.logtoKit.cookie }),
      },
      { title: '@logto-kit/express authenticated()', ...withCookie(targets.logtoKit) },
      { title: '@logto-kit/express, MemoryStore sessions', ...withCookie(targets.logtoKitStore) },
      { title: '@logto/express withLogto + express-session', ...withCookie(targets.official) },
    ];
    const [plain, sameCookie, kit, kitStore, official] = (await bestOfRounds(child, variants)) as [
      LoadResult,
      LoadResult,
      LoadResult,
      LoadResult,
      LoadResult,
    ];
    console.log('');
    // The baseline is sent the page's cookie: what the HTTP parser spends on it is not Logto's cost.
    const [added] = await pairedCostsInProcesses(import.meta.url, first, (more) => [
      [
        { ...variants[1]!, ...withCookie({ url: more.unprotected, cookie: more.logtoKit.cookie }) },
        { ...variants[2]!, ...withCookie(more.logtoKit) },
      ],
    ]);
    console.log(addedCost('@logto-kit/express: a signed-in page with authenticated()', added!, 5));
    console.log(
      `    (informational) over the unprotected route sent no cookie: ${(kit.cpuPerRequest - plain.cpuPerRequest).toFixed(1)} µs`,
    );
    console.log(comparison('@logto-kit/express vs unprotected:', kit, sameCookie, { minimum: 0.7 }));
    console.log(comparison('@logto-kit/express vs @logto/express:', kit, official, { above: 1 }));
    console.log(
      `  (informational) MemoryStore sessions vs cookie sessions: ${(kitStore.rate / kit.rate).toFixed(2)}× req/s`,
    );
  } finally {
    child.kill();
  }
}

function withCookie(target: { url: string; cookie: string }): { url: string; headers: Record<string, string> } {
  return { url: target.url, headers: { cookie: target.cookie } };
}
