import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InProcessRefreshLock, LogtoError, type RefreshLock } from '@logto-kit/client';
import { createFakeProvider } from '../../client/src/test-support/fake-provider.ts';
import { type AdapterRequest, splitTarget } from './adapter-request.ts';
import { decideAuthenticated } from './authenticated.ts';
import { createLogtoCore, type LogtoCore, type LogtoCoreConfig, logtoAdapter } from './logto-core.ts';
import type { LogtoRequestContext } from './request-context.ts';
import { MemoryStore, type SessionStore } from './session-store.ts';
import { SessionStoreError } from './stores/session-store-error.ts';
import {
  commit,
  cookieHeader,
  cookiesAfter,
  coreOf,
  location,
  open as openFlow,
  send,
  startSignIn,
} from './test-support/core-flow.ts';

const config: LogtoCoreConfig = {
  endpoint: 'http://127.0.0.1:9',
  appId: 'app',
  appSecret: 'secret',
  baseUrl: 'https://app.example/',
  session: { secrets: ['logto-core-test-secret-0123456789abcdef'] },
};

function describeRequest(request: Partial<AdapterRequest> & { path: string }): AdapterRequest {
  return { method: 'GET', query: '', cookies: undefined, secure: true, header: () => undefined, ...request };
}

/** Opens a request without a cookie. */
async function open(
  core: LogtoCore,
  request: Partial<AdapterRequest> & { path: string },
): Promise<LogtoRequestContext> {
  const opened = await core.open(describeRequest(request));
  assert.equal(opened.kind, 'opened');
  return opened.kind === 'opened' ? opened.context : assert.fail();
}

/** The route's answer to a request without a cookie. */
async function route(core: LogtoCore, request: Partial<AdapterRequest> & { path: string }) {
  return core.route(await open(core, request));
}

describe('createLogtoCore', () => {
  it('derives the route paths from the prefix', () => {
    assert.deepEqual(createLogtoCore({ ...config, routes: { prefix: '/auth/' } }).paths, {
      signIn: '/auth/sign-in',
      signUp: '/auth/sign-up',
      callback: '/auth/callback',
      signOut: '/auth/sign-out',
      backChannelLogout: '/auth/backchannel-logout',
    });
    assert.equal(createLogtoCore(config).paths.signIn, '/sign-in');
  });

  it('refuses an invalid prefix and a post-sign-out target off the application', () => {
    for (const prefix of ['auth', '/a b', '/a?b', '//evil.example', '/a//b']) {
      assert.throws(() => createLogtoCore({ ...config, routes: { prefix } }), TypeError, prefix);
    }
    for (const target of ['//evil.com', 'https://evil.com', '/\\evil.com', 'relative']) {
      assert.throws(() => createLogtoCore({ ...config, postSignOutRedirectPath: target }), TypeError, target);
    }
  });

  it('serves back-channel logout only when configured, and only by POST', async () => {
    const core = createLogtoCore(config);
    assert.equal(await route(core, { method: 'POST', path: '/backchannel-logout' }), undefined);
    const enabled = createLogtoCore({ ...config, backChannelLogout: {} });
    assert.equal(await route(enabled, { path: '/backchannel-logout' }), undefined);
    const post = await route(enabled, {
      method: 'POST',
      path: '/backchannel-logout',
      text: async () => 'logout_token=',
    });
    assert.equal(post?.answer.status, 400);
    let read = false;
    const oversized = await route(enabled, {
      method: 'POST',
      path: '/backchannel-logout',
      header: (name) => (name === 'content-length' ? String(10 * 1024 * 1024) : undefined),
      text: async () => {
        read = true;
        return '';
      },
    });
    assert.equal(oversized?.answer.status, 400);
    assert.equal(read, false, 'a 10 MB body is not read');
  });

  it('answers GET /sign-out with the confirmation page and refuses a POST without a same-origin header', async () => {
    const core = createLogtoCore(config);
    const page = await route(core, { path: '/sign-out' });
    assert.equal(page?.answer.status, 200);
    assert.equal(page?.answer.headers['Cache-Control'], 'private, no-store');
    const refused = await route(core, { method: 'POST', path: '/sign-out' });
    assert.equal(refused?.answer.status, 403);
  });

  it('serves only its routes, with GET (and POST for sign-out)', async () => {
    const core = createLogtoCore(config);
    assert.equal(core.route(await open(core, { path: '/sign-in/' })), undefined, 'not a route: answered at once');
    for (const [method, path] of [
      ['HEAD', '/sign-in'],
      ['POST', '/sign-in'],
      ['HEAD', '/callback'],
      ['PUT', '/sign-out'],
      ['GET', '/elsewhere'],
    ] as const) {
      const context = await open(core, { method, path });
      assert.equal(await core.route(context), undefined, `${method} ${path}`);
      assert.equal(context.session.dirty, false, 'nothing was written to the session');
    }
  });

  it('answers a sign-in with a private redirect to the provider, and commits the pending sign-in', async () => {
    const core = createLogtoCore({
      ...config,
      clientOptions: {
        fetch: async () =>
          Response.json({
            issuer: 'http://127.0.0.1:9/oidc',
            authorization_endpoint: 'http://127.0.0.1:9/oidc/auth',
            token_endpoint: 'http://127.0.0.1:9/oidc/token',
            end_session_endpoint: 'http://127.0.0.1:9/oidc/session/end',
            jwks_uri: 'http://127.0.0.1:9/oidc/jwks',
            userinfo_endpoint: 'http://127.0.0.1:9/oidc/me',
          }),
      },
    });
    const context = await open(core, { path: '/sign-in', query: '?returnTo=%2Forders' });
    const answer = await core.route(context);
    assert.equal(answer?.answer.status, 302);
    assert.match(answer?.answer.headers.Location ?? '', /^http:\/\/127\.0\.0\.1:9\/oidc\/auth\?/);
    assert.equal(answer?.answer.headers['Cache-Control'], 'private, no-store');
    const commit = await core.commit(context);
    assert.equal(commit?.kind, 'cookies');
    assert.match(
      commit?.kind === 'cookies' ? commit.setCookie[0]! : '',
      /^logto_session=.+; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    const unchanged = await open(core, { path: '/elsewhere' });
    assert.equal(core.commit(unchanged), undefined, 'nothing to commit: answered at once');
  });

  it('answers a failed callback as an error to render, with its default page', async () => {
    const core = createLogtoCore(config);
    const answer = await route(core, { path: '/callback', query: '?code=c&state=unknown' });
    assert.equal(answer?.kind, 'callback_error');
    assert.equal(answer?.answer.status, 400);
  });

  it('answers 503, not "signed out", when the store cannot be read, and when it cannot be written', async () => {
    const outage = storeWithOutage();
    const failing = outage.store;
    const errors: unknown[] = [];
    const core = createLogtoCore({
      ...config,
      session: { ...config.session, store: failing, logger: { debug: () => {}, error: (_m, e) => errors.push(e) } },
    });
    const context = await open(core, { path: '/' });
    context.session.set('logto.idToken', 'x');
    const commit = await core.commit(context);
    const cookie = commit?.kind === 'cookies' ? commit.setCookie[0]!.split(';')[0]! : assert.fail();
    outage.down = true;
    const opened = await core.open(describeRequest({ path: '/', cookies: cookie, header: () => 'application/json' }));
    assert.equal(opened.kind === 'unavailable' && opened.answer.status, 503);
    const fresh = await open(core, { path: '/', header: () => 'text/html' });
    fresh.session.set('logto.idToken', 'y');
    const failed = await core.commit(fresh);
    assert.equal(failed?.kind, 'unavailable');
    assert.deepEqual(failed?.kind === 'unavailable' && failed.drop, [
      'set-cookie',
      'location',
      'content-length',
      'content-type',
      'etag',
    ]);
    assert.match(failed?.kind === 'unavailable' ? failed.answer.headers['Content-Type']! : '', /html/);
    assert.equal(errors.length, 2);
  });
});

/** A memory store whose reads and writes fail while `down` is set. */
function storeWithOutage() {
  const inner = new MemoryStore();
  const outage = { down: false, store: undefined as unknown as SessionStore };
  const failWhileDown = <T>(operation: () => Promise<T>) =>
    outage.down ? Promise.reject(new Error('store down')) : operation();
  outage.store = {
    get: (id) => failWhileDown(() => inner.get(id)),
    set: (id, data, ttl) => failWhileDown(() => inner.set(id, data, ttl)),
    destroy: (id) => inner.destroy(id),
    take: (id) => inner.take(id),
  };
  return outage;
}

/** An application over a fresh in-memory provider, with `extra` configuration. */
async function appWith(extra: Partial<LogtoCoreConfig> = {}) {
  const provider = await createFakeProvider();
  return { provider, core: coreOf(provider, { secrets: ['logto-core-test-secret-0123456789abcdef'] }, extra) };
}

const sameOrigin = (name: string) => (name === 'origin' ? 'https://app.example' : undefined);

describe('createLogtoCore configuration', () => {
  it('returns the same members from every adapter’s createLogto', () => {
    const core = createLogtoCore(config);
    const middleware = () => {};
    const authenticated = () => {};
    const adapter = logtoAdapter(core, middleware, authenticated);
    assert.equal(adapter.middleware, middleware);
    assert.equal(adapter.authenticated, authenticated);
    assert.equal(adapter.paths, core.paths);
    assert.equal(adapter.routes, core.routes);
    assert.equal(adapter.sessions, core.sessions);
  });

  it('accepts a prefix of several segments, and trailing slashes on it', () => {
    assert.equal(createLogtoCore({ ...config, routes: { prefix: '/auth/v1' } }).paths.callback, '/auth/v1/callback');
    assert.equal(createLogtoCore({ ...config, routes: { prefix: '/auth//' } }).paths.signIn, '/auth/sign-in');
  });

  it('names postSignOutRedirectPath when it refuses it', () => {
    assert.throws(
      () => createLogtoCore({ ...config, postSignOutRedirectPath: '/a/../b' }),
      /postSignOutRedirectPath must be a normalized path/,
    );
  });

  it('keeps its own copy of the scopes: changing the array given changes no sign-in', async () => {
    const scopes = ['email'];
    const { core } = await appWith({ scopes });
    scopes.push('phone');
    scopes[0] = 'address';
    const answer = await send(core, '/sign-in');
    const scope = new URL(location(answer.answer) ?? assert.fail()).searchParams.get('scope')?.split(' ') ?? [];
    assert.ok(scope.includes('email'), scope.join(' '));
    assert.ok(!scope.includes('phone') && !scope.includes('address'), scope.join(' '));
  });

  it('creates clients of this application over a given storage', async () => {
    const { core, provider } = await appWith();
    const values = new Map<string, string>();
    const client = core.createClient({
      get: async (key) => values.get(key) ?? null,
      set: async (key, value) => void values.set(key, value),
      delete: async (key) => void values.delete(key),
    });
    assert.equal(client.config.appId, provider.appId);
    assert.equal(await client.isAuthenticated(), false);
  });
});

describe('createLogtoCore routes', () => {
  it('the sign-up route starts registration; the sign-in route does not', async () => {
    const { core } = await appWith({ routes: { prefix: '/auth' } });
    const signUp = new URL(location((await send(core, '/auth/sign-up?returnTo=%2Fwelcome')).answer) ?? assert.fail());
    assert.equal(signUp.searchParams.get('first_screen'), 'register');
    const signIn = new URL(location((await send(core, '/auth/sign-in')).answer) ?? assert.fail());
    assert.equal(signIn.searchParams.get('first_screen'), null);
  });

  it('returnTo given twice is refused: the user returns to /', async () => {
    const app = await appWith();
    const started = await send(app.core, '/sign-in?returnTo=%2Fa&returnTo=%2Fb');
    const url = new URL(location(started.answer) ?? assert.fail());
    app.provider.nonce = url.searchParams.get('nonce') ?? undefined;
    const callback = `/callback?code=c&state=${url.searchParams.get('state')}`;
    assert.equal(location((await send(app.core, callback, started.cookies)).answer), '/');
    const once = await startSignIn(app, new Map(), '/a');
    assert.equal(location((await send(app.core, once.callback, once.cookies)).answer), '/a');
  });

  it('answers a sign-in the provider cannot serve with 502, as JSON when asked, without its internal URL', async () => {
    const { core, provider } = await appWith();
    provider.discoveryExtras = { issuer: 'https://someone-else.example/oidc' };
    for (const [accept, type] of [
      ['application/json', /json/],
      ['text/html', /html/],
    ] as const) {
      const answer = await route(core, {
        path: '/sign-in',
        header: (name) => (name === 'accept' ? accept : undefined),
      });
      assert.equal(answer?.kind, 'answer');
      assert.equal(answer?.answer.status, 502);
      assert.match(answer?.answer.headers['Content-Type'] ?? '', type);
      assert.doesNotMatch(answer?.answer.body ?? '', /someone-else|tenant-/);
    }
  });

  it('throws what is not a provider failure (a configuration error) instead of answering 502', async () => {
    const core = createLogtoCore({ ...config, appId: '' });
    await assert.rejects(
      route(core, { path: '/sign-in' }),
      (error) => error instanceof LogtoError && error.code === 'invalid_config',
    );
  });

  it('the sign-out confirmation submits itself only when reached from the application’s own page', async () => {
    const core = createLogtoCore(config);
    const own = await route(core, {
      path: '/sign-out',
      header: (name) => (name === 'sec-fetch-site' ? 'same-origin' : undefined),
    });
    assert.equal(own?.kind, 'answer');
    assert.match(own?.answer.body ?? '', /<script>/);
    const linked = await route(core, {
      path: '/sign-out',
      header: (name) => (name === 'sec-fetch-site' ? 'cross-site' : undefined),
    });
    assert.doesNotMatch(linked?.answer.body ?? '', /<script>/);
    const forged = await route(core, {
      method: 'POST',
      path: '/sign-out',
      header: (name) => (name === 'origin' ? 'https://evil.example' : undefined),
    });
    assert.equal(forged?.answer.status, 403);
    assert.doesNotMatch(forged?.answer.body ?? '', /<script>/, 'a forged POST is not confirmed by script');
  });

  it('signs out on a same-origin POST: the session ends, back to postSignOutRedirectPath', async () => {
    const app = await appWith({ postSignOutRedirectPath: '/goodbye' });
    const started = await startSignIn(app);
    const signedIn = await send(app.core, started.callback, started.cookies);
    const context = await app.core.open({
      method: 'POST',
      ...splitTarget('/sign-out'),
      cookies: cookieHeader(signedIn.cookies),
      secure: true,
      header: sameOrigin,
    });
    assert.equal(context.kind, 'opened');
    if (context.kind !== 'opened') return;
    const answer = await app.core.route(context.context);
    assert.equal(answer?.kind, 'answer');
    assert.equal(answer?.answer.status, 302);
    const end = new URL(location(answer) ?? assert.fail());
    assert.equal(`${end.origin}${end.pathname}`, `${app.provider.issuer}/session/end`);
    assert.equal(end.searchParams.get('post_logout_redirect_uri'), 'https://app.example/goodbye');
    const after = cookiesAfter(signedIn.cookies, await commit(app.core, context.context));
    assert.equal(await (await openFlow(app.core, '/', after)).client.isAuthenticated(), false);
  });

  it('answers its pages with kind "answer"', async () => {
    const core = createLogtoCore({ ...config, backChannelLogout: {} });
    assert.equal((await route(core, { path: '/sign-out' }))?.kind, 'answer');
    assert.equal((await route(core, { method: 'POST', path: '/backchannel-logout' }))?.kind, 'answer');
  });

  it('with back-channel logout, still serves only GET on the other routes', async () => {
    const core = createLogtoCore({ ...config, backChannelLogout: {} });
    for (const path of ['/sign-in', '/sign-up', '/callback']) {
      assert.equal(await route(core, { method: 'POST', path, text: async () => 'logout_token=x' }), undefined, path);
    }
  });
});

describe('createLogtoCore answers', () => {
  it('refuses a sign-in whose session cannot fit in cookies: 500 session_too_large, and the request is signed out', async () => {
    const app = await appWith();
    app.provider.idTokenClaims = { bio: 'x'.repeat(12_000) };
    const started = await startSignIn(app);
    const context = await openFlow(app.core, started.callback, started.cookies);
    const answer = await app.core.route(context);
    assert.equal(answer?.kind, 'callback_error');
    const error = answer?.kind === 'callback_error' ? answer.error : undefined;
    assert.ok(error instanceof SessionStoreError);
    assert.equal(error.code, 'session_too_large');
    assert.equal(answer?.answer.status, 500);
    assert.equal(await context.client.isAuthenticated(), false, 'an error page rendered now sees no user');
    assert.equal((await decideAuthenticated(context)).kind, 'answer');
  });

  it('answers 503 as JSON to a client that accepts JSON, when the store cannot be read or written', async () => {
    const outage = storeWithOutage();
    const failing = outage.store;
    const core = createLogtoCore({
      ...config,
      session: { ...config.session, store: failing, logger: { debug: () => {}, error: () => {} } },
    });
    const json = (name: string) => (name === 'accept' ? 'application/json' : undefined);
    const context = await open(core, { path: '/' });
    context.session.set('logto.idToken', 'x');
    const commit = await core.commit(context);
    const cookie = commit?.kind === 'cookies' ? commit.setCookie[0]!.split(';')[0]! : assert.fail();
    outage.down = true;
    const opened = await core.open(describeRequest({ path: '/', cookies: cookie, header: json }));
    assert.match(opened.kind === 'unavailable' ? opened.answer.headers['Content-Type']! : '', /json/);
    const fresh = await open(core, { path: '/', header: json });
    fresh.session.set('logto.idToken', 'y');
    const failed = await core.commit(fresh);
    assert.match(failed?.kind === 'unavailable' ? failed.answer.headers['Content-Type']! : '', /json/);
  });
});

describe('createLogtoCore with a shared refresh lock', () => {
  /**
   * A signed-in store session whose access token has expired, a store that fails from the refresh
   * on, and a lock (with `ttlMs` as given) that reports when it is let go.
   */
  async function refreshDuringOutage(ttlMs: unknown) {
    let down = false;
    const inner = new MemoryStore();
    const store: SessionStore = {
      get: (id) => inner.get(id),
      set: (id, data, ttl) => (down ? Promise.reject(new Error('store down')) : inner.set(id, data, ttl)),
      destroy: (id) => inner.destroy(id),
    };
    const plain = new InProcessRefreshLock();
    let released!: () => void;
    const letGo = new Promise<'released'>((resolve) => {
      released = () => resolve('released');
    });
    const lock = {
      ttlMs,
      async acquire(key: string) {
        const release = await plain.acquire(key);
        return async () => {
          released();
          await release();
        };
      },
    } as unknown as RefreshLock;
    const provider = await createFakeProvider();
    const app = await appWith({
      endpoint: provider.endpoint,
      session: { secrets: ['logto-core-test-secret-0123456789abcdef'], store, logger: { debug() {}, error() {} } },
      clientOptions: { fetch: provider.fetch, now: provider.now, lock },
    });
    const withProvider = { core: app.core, provider };
    const started = await startSignIn(withProvider);
    const { cookies } = await send(app.core, started.callback, started.cookies);
    provider.time += 2 * 3_600_000;
    provider.tokenHandler = (params) => {
      down = true;
      return provider.defaultToken(params);
    };
    const context = await openFlow(app.core, '/', cookies);
    assert.equal(await context.client.getAccessToken(), 'opaque-1');
    const heldFor = (ms: number) =>
      Promise.race([letGo, new Promise<'held'>((resolve) => setTimeout(() => resolve('held'), ms).unref())]);
    const recover = async () => {
      down = false;
      await app.core.sessions.sync?.pendingWritten(context.session, 5_000);
    };
    return { heldFor, recover };
  }

  it('holds it for new tokens the store did not take at most as long as the lock’s own ttlMs', async () => {
    const { heldFor, recover } = await refreshDuringOutage(50);
    assert.equal(await heldFor(2_000), 'released');
    await recover();
  });

  it('ignores a ttlMs that is not a number: the lock is held until the store takes the tokens', async () => {
    const { heldFor, recover } = await refreshDuringOutage('50');
    assert.equal(await heldFor(400), 'held');
    await recover();
    assert.equal(await heldFor(2_000), 'released');
  });
});

describe('createLogtoCore opening a session', () => {
  it('answers 503 when opening the session fails at once, instead of a request without a session', async () => {
    const core = createLogtoCore({
      ...config,
      session: {
        ...config.session,
        logger: {
          debug: () => {
            throw new Error('logger down');
          },
          error: () => {},
        },
      },
    });
    const oversized = `logto_session=${'x'.repeat(9_000)}`;
    const opened = core.open(describeRequest({ path: '/', cookies: oversized }));
    assert.ok(!(opened instanceof Promise));
    assert.equal(opened.kind, 'unavailable');
    assert.equal(opened.kind === 'unavailable' && opened.answer.status, 503);
  });
});
