// The Server Component and Server Action paths of @logto-kit/next without a Next.js server: the
// request's cookie jar is given as Next.js gives it (in a Server Component its `set` throws), the
// clock is injected. Against a real dev server; refresh grants are counted there. Real Redis and
// PostgreSQL for the server stores; every run uses its own key prefix and schema.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { getRequestListener } from '@hono/node-server';
import { type DevServer, startDevServer } from '@logto-kit/dev-server';
import { AppBrowser, demoWorldFor } from '@logto-kit/dev-server/testing';
import { LogtoError, MemoryStore, PostgresStore, RedisStore, type SessionStore } from '@logto-kit/next';
import { type LogtoCoreConfig, parseCookieHeader } from '@logto-kit/web';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createLogtoIn, type LogtoNext, type RequestCookieJar } from '../../packages/next/src/next.ts';
import { RefreshMemo } from '../../packages/next/src/refresh-memo.ts';
import type { CookieToSet } from '../../packages/next/src/set-cookie.ts';
import { listen } from '../adapters/support.ts';

const shoppingApi = 'https://shopping.your-app.com/api';
const sessionSecret = 'next-server-context-session-secret-0123456789';
const run = randomBytes(6).toString('hex');
const redisPrefix = `logto-kit-test:${run}:next:`;
const schema = `logto_kit_next_${run}`;
const hour = 3_600_000;
/**
 * Access tokens live 60 s here (cached 54 s, the client's margin being 10%): moving the injected
 * clock by 55 s expires them, while ID tokens, which the dev server issues on the real clock, stay
 * valid for the client for the whole test.
 */
const accessTokenSeconds = 60;
const tokenLifetime = 55_000;

/** Thrown by the injected `redirect()`, as Next.js's throws its redirect signal. */
class Redirected extends Error {
  readonly location: string;
  constructor(location: string) {
    super(`redirect to ${location}`);
    this.location = location;
  }
}

/** A cookie jar as Next.js gives one: writable in a Server Action, not in a Server Component. */
class Jar implements RequestCookieJar {
  readonly written: CookieToSet[] = [];
  readonly cookieHeader: string;
  readonly writable: boolean;
  constructor(cookieHeader: string, writable: boolean) {
    this.cookieHeader = cookieHeader;
    this.writable = writable;
  }
  getAll() {
    return [...parseCookieHeader(this.cookieHeader)].map(([name, value]) => ({ name, value }));
  }
  set(cookie: CookieToSet) {
    if (!this.writable) throw new Error('Cookies can only be modified in a Server Action or Route Handler.');
    this.written.push(cookie);
  }
  /** The `Cookie` header a browser sends after taking the written cookies. */
  next(): string {
    const cookies = parseCookieHeader(this.cookieHeader);
    for (const cookie of this.written) {
      if (cookie.maxAge === 0) cookies.delete(cookie.name);
      else cookies.set(cookie.name, cookie.value);
    }
    return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

interface World {
  devServer: DevServer;
  refreshes(): number;
  /** The app under test: its routes on a port, its server context driven by `jar`. */
  app(options?: { store?: SessionStore }): Promise<App>;
  close(): Promise<void>;
}

interface App {
  url: string;
  clock: { now: number };
  /** A `LogtoNext` whose requests carry `jar` (a new one per request, as in Next.js). */
  with(jar: Jar): LogtoNext;
  /** Signs in as demo through the routes; answers the session's `Cookie` header. */
  signIn(): Promise<string>;
}

function isRefresh(ctx: unknown): boolean {
  return (ctx as { oidc?: { params?: { grant_type?: unknown } } }).oidc?.params?.grant_type === 'refresh_token';
}

async function startWorld(options: { rotateRefreshTokenOnEveryUse?: boolean } = {}): Promise<World> {
  const server = await listen();
  const devServer = await startDevServer({
    port: 0,
    memory: true,
    lifetimes: { accessToken: accessTokenSeconds },
    config: demoWorldFor(server.url),
    // Rotation on every use, with no reuse window: a spent refresh token is refused at once.
    ...(options.rotateRefreshTokenOnEveryUse
      ? { rotateRefreshTokenOnEveryUse: true, refreshTokenReuseWindowMs: 0 }
      : {}),
  });
  let refreshes = 0;
  devServer.provider.on('grant.success', (ctx: unknown) => {
    if (isRefresh(ctx)) refreshes += 1;
  });
  devServer.provider.on('grant.error', (ctx: unknown) => {
    if (isRefresh(ctx)) refreshes += 1;
  });
  return {
    devServer,
    refreshes: () => refreshes,
    async app({ store } = {}) {
      const clock = { now: Date.now() };
      const now = () => clock.now;
      const memo = new RefreshMemo({ now });
      const config: LogtoCoreConfig = {
        endpoint: devServer.url,
        appId: 'sample-web-app',
        appSecret: 'sample-web-app-secret',
        baseUrl: server.url,
        scopes: ['urn:logto:scope:organizations', 'shopping:read'],
        resources: [shoppingApi],
        session: { secrets: [sessionSecret], now, ...(store ? { store } : {}) },
        clientOptions: { now },
      };
      const create = (jar: Jar) =>
        createLogtoIn(config, {
          cookies: async () => jar,
          redirect: async (location) => {
            throw new Redirected(location);
          },
          continueResponse: async () => new Response(null, { headers: { 'x-middleware-next': '1' } }),
          memo,
        });
      const routes = create(new Jar('', false));
      server.setHandler(getRequestListener((request) => routes.handlers.GET(request)));
      return {
        url: server.url,
        clock,
        with: create,
        async signIn() {
          const browser = new AppBrowser(server.url);
          const { callback } = await browser.signIn();
          assert.equal(callback.status, 302);
          return browser.cookieHeader();
        },
      };
    },
    async close() {
      await server.close();
      await devServer.close();
    },
  };
}

describe('@logto-kit/next in Server Components and Server Actions', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.close());

  it('reads the session in a Server Component without writing a cookie', async () => {
    const app = await world.app();
    const cookie = await app.signIn();
    const jar = new Jar(cookie, false);
    const session = await app.with(jar).getSession();
    assert.equal(session.isAuthenticated, true);
    assert.equal(session.isAuthenticated && session.claims.username, 'demo');
    assert.deepEqual(await app.with(new Jar('', false)).getSession(), { isAuthenticated: false });
  });

  it('reads a session past its lifetime as signed out', async () => {
    const app = await world.app();
    const jar = new Jar(await app.signIn(), false);
    app.clock.now += 14 * 24 * hour + 1000;
    assert.deepEqual(await app.with(jar).getSession(), { isAuthenticated: false });
  });

  it('refreshes in Server Components at most once per token lifetime, never per request (cookie sessions)', async () => {
    const app = await world.app();
    const cookie = await app.signIn();
    const before = world.refreshes();
    for (let render = 0; render < 4; render += 1) {
      const jar = new Jar(cookie, false);
      assert.match(await app.with(jar).getAccessToken(shoppingApi), /^ey/);
      assert.deepEqual(jar.written, []);
    }
    assert.equal(world.refreshes() - before, 1);
    // Later the token has expired: one more refresh, for all the renders that follow.
    app.clock.now += tokenLifetime;
    const [first, second] = await Promise.all([
      app.with(new Jar(cookie, false)).getAccessToken(shoppingApi),
      app.with(new Jar(cookie, false)).getAccessToken(shoppingApi),
    ]);
    assert.equal(first, second, 'concurrent renders share one refresh');
    for (let render = 0; render < 3; render += 1) await app.with(new Jar(cookie, false)).getAccessToken(shoppingApi);
    assert.equal(world.refreshes() - before, 2);
  });

  it('writes a refresh into the cookie in a Server Action, and later requests use it', async () => {
    const app = await world.app();
    const cookie = await app.signIn();
    const before = world.refreshes();
    const action = new Jar(cookie, true);
    const token = await app.with(action).getOrganizationToken('org-acme');
    assert.ok(action.written.some((written) => written.name === 'logto_session' && written.httpOnly));
    assert.equal(await app.with(new Jar(action.next(), false)).getOrganizationToken('org-acme'), token);
    assert.equal(world.refreshes() - before, 1);
  });

  it('signs in and out with Server Actions, which set cookies and redirect', async () => {
    const app = await world.app();
    const start = new Jar('', true);
    const started = await app
      .with(start)
      .signIn({ returnTo: '/orders' })
      .catch((error: unknown) => error);
    assert.ok(started instanceof Redirected);
    assert.ok(started.location.startsWith(`${world.devServer.url}/oidc/auth?`));
    assert.ok(start.written.some((written) => written.name === 'logto_session' && written.value.length > 0));

    const end = new Jar(await app.signIn(), true);
    const ended = await app
      .with(end)
      .signOut()
      .catch((error: unknown) => error);
    assert.ok(ended instanceof Redirected);
    assert.ok(ended.location.startsWith(`${world.devServer.url}/oidc/session/end?`));
    assert.ok(end.written.some((written) => written.name === 'logto_session' && written.maxAge === 0));
    assert.deepEqual(await app.with(new Jar(end.next(), false)).getSession(), { isAuthenticated: false });
  });

  it('forgets what the memo kept for a cookie once its session signs out: no token for a copy of the old cookie', async () => {
    const app = await world.app();
    const cookie = await app.signIn();
    await app.with(new Jar(cookie, false)).getAccessToken(shoppingApi);
    const action = new Jar(cookie, true);
    await app
      .with(action)
      .signOut()
      .catch(() => undefined);
    await assert.rejects(
      app.with(new Jar(cookie, false)).getAccessToken(shoppingApi),
      (error: unknown) => error instanceof LogtoError && error.code === 'not_authenticated',
    );
  });

  it('marks the session cookie Secure when the public URL is https, also when Next.js sees http behind a proxy', async () => {
    const logto = createLogtoIn(
      {
        endpoint: world.devServer.url,
        appId: 'sample-web-app',
        appSecret: 'sample-web-app-secret',
        baseUrl: 'https://app.example',
        session: { secrets: [sessionSecret] },
      },
      {
        cookies: async () => new Jar('', false),
        redirect: async (location) => {
          throw new Redirected(location);
        },
        continueResponse: async () => new Response(null),
      },
    );
    const started = await logto.handlers.GET(new Request('http://app.example/sign-in'));
    assert.equal(started.status, 302);
    assert.match(started.headers.get('set-cookie') ?? '', /; Secure/);
  });

  it('refuses signIn() while rendering a Server Component, with a message that says where it belongs', async () => {
    const app = await world.app();
    await assert.rejects(app.with(new Jar('', false)).signIn(), /Server Actions/);
  });

  it('remembers a refresh token refused in a Server Component: signed out afterwards, without a refresh each time', async () => {
    const app = await world.app();
    const cookie = await app.signIn();
    // Signed out elsewhere (another tab's sign-out revokes the refresh token at the provider).
    const other = new Jar(cookie, true);
    await app
      .with(other)
      .signOut()
      .catch(() => undefined);
    const before = world.refreshes();
    await assert.rejects(
      app.with(new Jar(cookie, false)).getAccessToken(shoppingApi),
      (error: unknown) => error instanceof LogtoError && error.code === 'not_authenticated',
    );
    assert.deepEqual(await app.with(new Jar(cookie, false)).getSession(), { isAuthenticated: false });
    await assert.rejects(app.with(new Jar(cookie, false)).getAccessToken(shoppingApi));
    assert.equal(world.refreshes() - before, 1);
  });

  it('protects routes in the proxy: a signed-out request goes to sign-in with returnTo, a signed-in one passes', async () => {
    const app = await world.app();
    const proxy = app.with(new Jar('', false)).proxy({ protect: ['/protected/:path*'] });
    const signedOut = await proxy(new Request(`${app.url}/protected/orders?id=1`));
    assert.equal(signedOut?.status, 302);
    assert.equal(signedOut?.headers.get('location'), `${app.url}/sign-in?returnTo=%2Fprotected%2Forders%3Fid%3D1`);
    assert.equal(await proxy(new Request(`${app.url}/public`)), undefined);
    assert.equal(await proxy(new Request(`${app.url}/callback?code=x&state=y`)), undefined);
    const cookie = await app.signIn();
    assert.equal(await proxy(new Request(`${app.url}/protected/orders`, { headers: { cookie } })), undefined);
    // Past half its lifetime, the session cookie is renewed on the way through.
    app.clock.now += 8 * 24 * hour;
    const renewed = await proxy(new Request(`${app.url}/protected/orders`, { headers: { cookie } }));
    assert.equal(renewed?.headers.get('x-middleware-next'), '1');
    assert.match(renewed?.headers.get('set-cookie') ?? '', /^logto_session=/);
  });
});

describe('@logto-kit/next with a provider that rotates the refresh token on every use', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ rotateRefreshTokenOnEveryUse: true });
  });
  after(() => world.close());

  it('keeps the rotated refresh token for the cookie that still holds the spent one, until a Server Action writes it', async () => {
    const app = await world.app();
    const cookie = await app.signIn();
    for (let step = 0; step < 3; step += 1) {
      // The access token expires every step; every render still carries the first cookie.
      for (let render = 0; render < 2; render += 1) {
        assert.match(await app.with(new Jar(cookie, false)).getAccessToken(shoppingApi), /^ey/);
      }
      app.clock.now += tokenLifetime;
    }
    const action = new Jar(cookie, true);
    assert.match(await app.with(action).getAccessToken(shoppingApi), /^ey/);
    assert.ok(action.written.length > 0, 'the action writes the latest tokens into the cookie');
    const later = new Jar(action.next(), false);
    assert.equal((await app.with(later).getSession()).isAuthenticated, true);
    app.clock.now += tokenLifetime;
    assert.match(await app.with(later).getAccessToken(shoppingApi), /^ey/);
  });
});

describe('@logto-kit/next in Server Components with server stores', () => {
  let world: World;
  let redis: Redis;
  let pool: pg.Pool;
  before(async () => {
    world = await startWorld();
    redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
    await redis.connect();
    pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 4 });
    await pool.query(`CREATE SCHEMA ${schema}`);
  });
  after(async () => {
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await pool.end();
    await world.close();
  });

  const stores: [string, () => SessionStore][] = [
    ['MemoryStore', () => new MemoryStore()],
    ['RedisStore', () => new RedisStore({ client: redis, prefix: redisPrefix })],
    ['PostgresStore', () => new PostgresStore({ pool, tableName: `${schema}.sessions` })],
  ];
  for (const [name, store] of stores) {
    it(`${name}: a Server Component's refresh is kept in the store, once for every render that follows`, async () => {
      const app = await world.app({ store: store() });
      const cookie = await app.signIn();
      assert.ok(cookie.length < 400, 'the cookie holds an id');
      const before = world.refreshes();
      const tokens = new Set<string>();
      for (let render = 0; render < 4; render += 1) {
        const jar = new Jar(cookie, false);
        tokens.add(await app.with(jar).getAccessToken(shoppingApi));
        assert.deepEqual(jar.written, []);
      }
      assert.equal(tokens.size, 1);
      assert.equal(world.refreshes() - before, 1);
    });
  }
});
