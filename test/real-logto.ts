// The real Logto server (open source, v1.37.1) for tests that compare logto-kit with it: located,
// started on free ports with a database of its own, seeded with the demo world, stopped.
//
// Where it comes from: `LOGTO_KIT_REAL_LOGTO` names either the folder that holds `build.sh`,
// `start.sh` and `seed.mjs` (its build goes to `REAL_LOGTO_HOME`, default
// `~/.cache/real-logto-v1.37.1`) or a build home that holds `.built-v1.37.1`; without it, the folder
// `shared/real-logto` beside the repository's clone is used.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, existsSync, openSync, realpathSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The demo world that the real Logto's seed script creates (its `world.json`). */
export interface RealLogtoWorld {
  endpoint: string;
  issuer: string;
  webApp: {
    id: string;
    secret: string;
    type: string;
    oidcClientMetadata: { redirectUris: string[]; postLogoutRedirectUris: string[] };
  };
  /** The machine-to-machine app that may call the Management API (`client_credentials`). */
  managementM2m: { id: string; secret: string; resource: string; scope: string };
  sampleM2m: { id: string; secret: string; roles: string[] };
  /** Per API resource indicator: its id and its scope ids by scope name. */
  resources: Record<string, { id: string; scopeIds: Record<string, string> }>;
  /** Role ids by role name (`shopper`, `admin`, `service`). */
  roles: Record<string, string>;
  /** User ids by username (`demo`, `alice`, `admin`). */
  users: Record<string, string>;
  /** Organization scope ids by name. */
  orgScopes: Record<string, string>;
  /** Organization role ids by name. */
  orgRoles: Record<string, string>;
  /** Organization ids by name (`Acme Inc.`, `Globex`, `Initech`). */
  organizations: Record<string, string>;
  /** The sign-in experience's `signIn` settings. */
  signIn: unknown;
}

/** URIs to add to an application's registration. */
export interface AppUris {
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
}

/** A running real Logto, seeded with the demo world. */
export interface RealLogto {
  /** `http://localhost:<port>`: the default tenant. */
  endpoint: string;
  /** `<endpoint>/oidc`. */
  issuer: string;
  world: RealLogtoWorld;
  /** Calls the Management API (`/api<path>`) with the seed's machine-to-machine app; throws on a non-2xx answer. */
  management(method: string, path: string, body?: unknown): Promise<unknown>;
  /** Adds redirect and post-logout redirect URIs to an app (default `sample-web-app`), keeping the existing ones. */
  registerUris(uris: AppUris, appId?: string): Promise<void>;
  /** Stops the server and drops its database. */
  close(): Promise<void>;
}

/** Where the real Logto's scripts and build are, or why they cannot be used. */
export type RealLogtoLocation =
  | { available: true; scripts: string; home: string }
  | { available: false; reason: string };

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const builtMarker = '.built-v1.37.1';
const postgresAdminUrl = process.env.LOGTO_KIT_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const execFileAsync = promisify(execFile);

/** The one line `npm test` prints when the real-Logto half cannot run. */
export function realLogtoNotice(reason: string): string {
  return (
    `Real-Logto conformance not run: ${reason}. Point LOGTO_KIT_REAL_LOGTO at a folder with Logto v1.37.1's ` +
    'build.sh, start.sh and seed.mjs (and run its build.sh), or at a built home.'
  );
}

/** Finds the real Logto's scripts and a finished build. */
export function locateRealLogto(env: NodeJS.ProcessEnv = process.env): RealLogtoLocation {
  const defaultHome =
    env.REAL_LOGTO_HOME ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'real-logto-v1.37.1');
  const sibling = resolve(repositoryRoot, '..', 'shared', 'real-logto');
  const named = env.LOGTO_KIT_REAL_LOGTO ? resolve(env.LOGTO_KIT_REAL_LOGTO) : undefined;
  let scripts: string | undefined;
  let home = defaultHome;
  if (named && existsSync(join(named, builtMarker))) {
    home = named;
    scripts = [join(named, 'scripts'), sibling].find((folder) => existsSync(join(folder, 'seed.mjs')));
  } else if (named) {
    if (!existsSync(join(named, 'seed.mjs'))) {
      return { available: false, reason: `${named} holds neither seed.mjs nor ${builtMarker}` };
    }
    scripts = named;
  } else if (existsSync(join(sibling, 'seed.mjs'))) {
    scripts = sibling;
  }
  if (!scripts) return { available: false, reason: `no Logto source beside the repository (${sibling})` };
  if (!existsSync(join(home, builtMarker)) || !existsSync(join(home, 'logto', 'packages', 'core'))) {
    return { available: false, reason: `Logto is not built in ${home} (run ${join(scripts, 'build.sh')})` };
  }
  return { available: true, scripts, home };
}

/** The environment variable through which a started server is shared with test processes. */
const sharedServerVariable = 'LOGTO_KIT_REAL_LOGTO_SERVER';

/**
 * Starts a real Logto on free ports with a fresh database, seeded with the demo world; `undefined`
 * when no built Logto is available (under `CI=true` that is an error instead: CI never skips it).
 * Start one per test process (about 5 s), not one per test. When `npm test` started one for the
 * whole run ({@link shareRealLogto}), that one is returned, and its `close()` leaves it running.
 */
export async function startRealLogto(): Promise<RealLogto | undefined> {
  const shared = process.env[sharedServerVariable];
  if (shared) {
    const { endpoint, world } = JSON.parse(shared) as { endpoint: string; world: RealLogtoWorld };
    return serverHandle(endpoint, world, async () => {});
  }
  const location = locateRealLogto();
  if (!location.available) {
    if (process.env.CI === 'true') throw new Error(realLogtoNotice(location.reason));
    return undefined;
  }
  try {
    return await launch(location);
  } catch (error) {
    // A loaded machine can make Logto's first database connection time out: one more try.
    process.stderr.write(`${(error as Error).message}\nStarting the real Logto again.\n`);
    return launch(location);
  }
}

/** The environment that makes test processes reuse `logto` instead of starting their own. */
export function shareRealLogto(logto: RealLogto): Record<string, string> {
  return { [sharedServerVariable]: JSON.stringify({ endpoint: logto.endpoint, world: logto.world }) };
}

async function launch(location: { scripts: string; home: string }): Promise<RealLogto> {
  const [port, adminPort] = await freePorts(2);
  const endpoint = `http://localhost:${port}`;
  const database = `logto_kit_real_${process.pid}_${randomBytes(4).toString('hex')}`;
  const dbUrl = new URL(postgresAdminUrl);
  dbUrl.pathname = `/${database}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DB_URL: dbUrl.href,
    PORT: String(port),
    ADMIN_PORT: String(adminPort),
    ENDPOINT: endpoint,
    ADMIN_ENDPOINT: `http://localhost:${adminPort}`,
    NODE_ENV: 'production',
    TRUST_PROXY_HEADER: '0',
    // Logto's default (5 s) is too short on a busy 2-core machine running the other tests.
    DATABASE_CONNECTION_TIMEOUT: '60000',
  };
  delete env.REDIS_URL;
  delete env[sharedServerVariable];
  const logto = join(location.home, 'logto');
  const worldHome = await mkdtemp(join(tmpdir(), 'logto-kit-real-'));
  const logFile = join(worldHome, 'core.log');
  let core: ChildProcess | undefined;
  const stop = async () => {
    if (core && core.exitCode === null && core.signalCode === null) {
      const exited = once(core, 'exit');
      core.kill('SIGTERM');
      await exited;
    }
    await rm(worldHome, { recursive: true, force: true });
    await dropDatabase(database);
  };
  try {
    await execFileAsync(process.execPath, ['packages/cli/bin/logto.js', 'db', 'seed', '--swe'], { cwd: logto, env });
    // Its output goes to a file: a pipe would stall Logto while this process's event loop is busy.
    const output = openSync(logFile, 'a');
    core = spawn(process.execPath, ['.'], {
      cwd: join(logto, 'packages', 'core'),
      env,
      stdio: ['ignore', output, output],
    });
    closeSync(output);
    const child = core;
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    await waitForDiscovery(endpoint, child, logFile);
    // seed.mjs writes world.json into REAL_LOGTO_HOME: a private one per run, so runs never read each other's ids.
    // By its real path: seed.mjs runs only when started as itself (argv[1] equal to its resolved
    // module URL), which a scripts folder reached through a symbolic link would not be.
    await execFileAsync(process.execPath, [realpathSync(join(location.scripts, 'seed.mjs'))], {
      env: { ...env, REAL_LOGTO_HOME: worldHome },
    });
    const world = JSON.parse(await readFile(join(worldHome, 'world.json'), 'utf8')) as RealLogtoWorld;
    // Logto's default password policy asks api.pwnedpasswords.com about every new password: a test
    // machine may have no internet, and registration would answer 500. Everything else stays.
    await managementClient(endpoint, world)('PATCH', '/sign-in-exp', {
      passwordPolicy: {
        length: { min: 8, max: 256 },
        characterTypes: { min: 1 },
        rejects: { pwned: false, repetitionAndSequence: true, userInfo: true, words: [] },
      },
    });
    return serverHandle(endpoint, world, stop);
  } catch (error) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    await stop().catch(() => {});
    throw new Error(`The real Logto did not start: ${(error as Error).message}\n${log.slice(-4000)}`);
  }
}

function serverHandle(endpoint: string, world: RealLogtoWorld, close: () => Promise<void>): RealLogto {
  const management = managementClient(endpoint, world);
  return {
    endpoint,
    issuer: `${endpoint}/oidc`,
    world,
    management,
    async registerUris(uris, appId = world.webApp.id) {
      const app = (await management('GET', `/applications/${encodeURIComponent(appId)}`)) as {
        oidcClientMetadata: { redirectUris: string[]; postLogoutRedirectUris: string[] };
      };
      const { redirectUris, postLogoutRedirectUris } = app.oidcClientMetadata;
      await management('PATCH', `/applications/${encodeURIComponent(appId)}`, {
        oidcClientMetadata: {
          ...app.oidcClientMetadata,
          redirectUris: [...new Set([...redirectUris, ...(uris.redirectUris ?? [])])],
          postLogoutRedirectUris: [...new Set([...postLogoutRedirectUris, ...(uris.postLogoutRedirectUris ?? [])])],
        },
      });
    },
    close,
  };
}

/** A Management API caller that fetches (and renews) its token with `client_credentials`. */
function managementClient(endpoint: string, world: RealLogtoWorld): RealLogto['management'] {
  let token: { value: string; expiresAt: number } | undefined;
  const accessToken = async () => {
    if (token && token.expiresAt > Date.now() + 60_000) return token.value;
    const { id, secret, resource, scope } = world.managementM2m;
    const response = await fetch(`${endpoint}/oidc/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }),
    });
    const body = (await response.json()) as { access_token: string; expires_in: number };
    if (!response.ok) throw new Error(`Management API token: ${response.status} ${JSON.stringify(body)}`);
    token = { value: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 };
    return token.value;
  };
  return async (method, path, body) => {
    const response = await fetch(`${endpoint}/api${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await accessToken()}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} /api${path}: ${response.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
}

/** Ports that were free a moment ago (Logto binds its own; the race is harmless on a test machine). */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  const ports: number[] = [];
  for (const server of servers) {
    server.listen(0);
    await once(server, 'listening');
    ports.push((server.address() as { port: number }).port);
  }
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
}

async function waitForDiscovery(endpoint: string, core: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (core.exitCode !== null) {
      throw new Error(`Logto exited with ${core.exitCode}: ${(await readFile(logFile, 'utf8')).slice(-2000)}`);
    }
    try {
      const response = await fetch(`${endpoint}/oidc/.well-known/openid-configuration`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error('Logto did not answer within 120 s');
}

async function dropDatabase(database: string): Promise<void> {
  await execFileAsync('psql', [
    postgresAdminUrl,
    '-v',
    'ON_ERROR_STOP=1',
    '-tAc',
    `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`,
  ]).catch(() => {});
}
