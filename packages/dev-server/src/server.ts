import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import Koa from 'koa';
import type Provider from 'oidc-provider';
import { UserDirectory } from './accounts.ts';
import type { DevServerConfig } from './config.ts';
import { validateConfig } from './config-validation.ts';
import { createCsrfTokens } from './csrf.ts';
import { demoWorld } from './demo-world.ts';
import { createExperienceRoutes } from './experience/experience-routes.ts';
import { createInteractionRoutes } from './interactions/index.ts';
import { addSigningKey, loadSigningKeys } from './keys.ts';
import type { Lifetimes } from './lifetimes.ts';
import { createProvider } from './provider.ts';
import type { ProviderHandle } from './provider-handle.ts';
import { addSecurityHeaders } from './security-headers.ts';
import { SignInThrottle } from './sign-in-throttle.ts';
import { postgresOptionsFromUrl } from './storage/database-url.ts';
import { createMemoryStore } from './storage/memory-store.ts';
import { openSqliteStore } from './storage/sqlite-store.ts';
import type { DevStore } from './storage/store.ts';

/** Options of {@link startDevServer}. */
export interface DevServerOptions {
  /** TCP port; 0 picks a free one. Default 3001. */
  port?: number;
  /** Interface to listen on. Default `localhost`. */
  host?: string;
  /**
   * Applications, resources, roles, organizations and users. Default: the demo world. Validated at
   * start: a `ConfigError` names the path of the first bad field.
   */
  config?: DevServerConfig;
  /** Where the SQLite file lives. Default `.logto-kit` in the current directory. */
  dataDir?: string;
  /** Keep everything in memory instead of the SQLite file. */
  memory?: boolean;
  /**
   * Keep everything in PostgreSQL instead (requires the `pg` package): a URL,
   * `postgres://user:password@host:port/database[?schema=name]` (default schema `logto_kit_dev`).
   * Several instances sharing one database serve the same sessions, tokens, keys and registered
   * users. `logto-kit-dev-server --database <url>`.
   */
  database?: string;
  /**
   * The public origin when it differs from `http://localhost:<port>` (behind a proxy). The issuer
   * is this + `/oidc`, and the proxy's `X-Forwarded-*` headers are trusted.
   */
  issuerBaseUrl?: string;
  /**
   * The clock (milliseconds since the epoch) of the store's record expiry and of the refresh-token
   * reuse window. oidc-provider itself reads `Date.now()` for token `iat`/`exp` and expiry checks.
   */
  now?: () => number;
  /** How long a consumed refresh token stays usable, in milliseconds. Default 3000, as in Logto. */
  refreshTokenReuseWindowMs?: number;
  /**
   * Rotate the refresh token on every use for every client, as Logto does for public clients only.
   * Default `false`: Logto's rule (confidential apps get the same refresh token back until 70% of
   * its lifetime).
   */
  rotateRefreshTokenOnEveryUse?: boolean;
  /**
   * Lifetimes (seconds) to change from Logto's: `accessToken` 3600, `idToken` 3600,
   * `authorizationCode` 60, `refreshToken` 14 days, `session` 14 days, `interaction` 3600.
   */
  lifetimes?: Partial<Lifetimes>;
  /** Print nothing (the CLI prints the URLs). Reserved: the server itself never prints. */
  quiet?: boolean;
}

/** A running dev server. */
export interface DevServer {
  /** `http://localhost:<port>` (or `issuerBaseUrl`). */
  url: string;
  /** `url + '/oidc'`. */
  issuer: string;
  /** The port the server listens on (useful with `port: 0` and `issuerBaseUrl`). */
  port: number;
  config: DevServerConfig;
  /** The oidc-provider instance, mounted at `/oidc`: its events and interaction details. */
  provider: ProviderHandle;
  /** Stops listening and closes the store. */
  close(): Promise<void>;
}

/** The SQLite file inside a data directory. */
export function databaseFile(dataDir: string): string {
  return join(resolve(dataDir), 'dev-server.sqlite');
}

/** The default data directory: `.logto-kit` in the current directory. */
export const defaultDataDir = '.logto-kit';

/**
 * Passes requests under `prefix` to the provider with the prefix stripped, as koa-mount does;
 * `originalUrl` keeps the full path so the provider builds its URLs under the prefix.
 */
function mountProvider(prefix: string, provider: Provider): Koa.Middleware {
  const handle = provider.callback();
  return async (ctx, next) => {
    if (ctx.path !== prefix && !ctx.path.startsWith(`${prefix}/`)) return next();
    const request = ctx.req as typeof ctx.req & { originalUrl?: string };
    request.originalUrl = ctx.req.url ?? '';
    const rest = (ctx.req.url ?? '').slice(prefix.length);
    ctx.req.url = rest.startsWith('/') ? rest : `/${rest}`;
    ctx.respond = false;
    await handle(ctx.req, ctx.res);
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolvePort((server.address() as AddressInfo).port);
    });
  });
}

/** Where the server keeps its state: PostgreSQL, memory, or (by default) the SQLite file. */
async function openStore(
  options: Pick<DevServerOptions, 'database' | 'memory' | 'dataDir'>,
  now: () => number,
): Promise<DevStore> {
  if (options.database !== undefined) {
    // Loaded on demand: `pg` is only needed by those who ask for PostgreSQL.
    const { openPostgresStore } = await import('./storage/postgres-store.ts');
    return openPostgresStore(postgresOptionsFromUrl(options.database), now);
  }
  return options.memory
    ? createMemoryStore(now)
    : openSqliteStore(databaseFile(options.dataDir ?? defaultDataDir), now);
}

const newSecret = () => randomBytes(32).toString('base64url');

/**
 * Starts the Logto-compatible identity server: oidc-provider at `/oidc` (issuer
 * `http://localhost:<port>/oidc`), Logto's Experience API at `/api/experience`, and the sign-in pages
 * at Logto's screens (`/sign-in`, `/register`, …) posting to `/interaction/*`. Signing keys (EC
 * P-384, ES384) are generated on first start and kept in the store.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  // Fails here, naming the bad field's path, rather than misbehaving later.
  const config = options.config ? validateConfig(options.config) : demoWorld;
  const now = options.now ?? Date.now;
  const store = await openStore(options, now);
  const server = createServer();
  try {
    const users = await UserDirectory.open(store, config, now);
    const signingKeys = await loadSigningKeys(store, now);
    // Kept in the store, so sessions and open sign-in forms survive restarts and work on every instance.
    const cookieKey = await store.secrets.getOrCreate('cookie-key', newSecret);
    const csrfSecret = await store.secrets.getOrCreate('csrf-secret', newSecret);
    const port = await listen(server, options.port ?? 3001, options.host ?? 'localhost');
    const url = (options.issuerBaseUrl ?? `http://localhost:${port}`).replace(/\/+$/, '');
    const issuer = `${url}/oidc`;
    const provider = createProvider({
      issuer,
      config,
      store,
      users,
      signingKeys,
      now,
      ...(options.refreshTokenReuseWindowMs === undefined
        ? {}
        : { refreshTokenReuseWindowMs: options.refreshTokenReuseWindowMs }),
      ...(options.rotateRefreshTokenOnEveryUse ? { rotateRefreshTokenOnEveryUse: true } : {}),
      ...(options.lifetimes ? { lifetimes: options.lifetimes } : {}),
      cookieKeys: [cookieKey],
    });

    const app = new Koa();
    if (options.issuerBaseUrl) {
      // Behind a proxy: endpoint URLs and client addresses come from its X-Forwarded-* headers.
      // Only the last X-Forwarded-For entry is the proxy's own: the ones before it are whatever
      // the client sent, and the sign-in limit must not key on a value the client chooses.
      provider.proxy = true;
      app.proxy = true;
      app.maxIpsCount = 1;
    }
    const throttle = new SignInThrottle({ now });
    app.use(addSecurityHeaders());
    app.use(mountProvider('/oidc', provider));
    app.use(createExperienceRoutes({ provider, accounts: users, throttle }));
    app.use(
      createInteractionRoutes({
        provider,
        accounts: users,
        config,
        now,
        throttle,
        csrf: createCsrfTokens(Buffer.from(csrfSecret, 'base64url')),
      }),
    );
    server.on('request', app.callback());

    let closing: Promise<void> | undefined;
    return {
      url,
      issuer,
      port,
      config,
      provider,
      close() {
        closing ??= new Promise<void>((done, fail) => {
          server.close((error) => (error ? fail(error) : done()));
          server.closeAllConnections();
        }).finally(() => store.close());
        return closing;
      },
    };
  } catch (error) {
    server.close();
    await store.close();
    throw error;
  }
}

/**
 * Adds a new signing key to a data directory's store (`logto-kit-dev-server rotate-keys`). At the next
 * start it signs; the previous keys stay published so existing tokens keep verifying.
 * @returns the new key's `kid`.
 */
export async function rotateKeys(
  options: { dataDir?: string; database?: string; now?: () => number } = {},
): Promise<{ kid: string }> {
  const now = options.now ?? Date.now;
  const store = await openStore(options, now);
  try {
    return { kid: (await addSigningKey(store, now)).jwk.kid };
  } finally {
    await store.close();
  }
}
