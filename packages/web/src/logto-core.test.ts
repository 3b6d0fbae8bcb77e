import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdapterRequest } from './adapter-request.ts';
import { createLogtoCore, type LogtoCore, type LogtoCoreConfig } from './logto-core.ts';
import type { LogtoRequestContext } from './request-context.ts';
import { MemoryStore, type SessionStore } from './session-store.ts';

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
    let down = false;
    const store = new MemoryStore();
    const failing: SessionStore = {
      get: (id) => (down ? Promise.reject(new Error('store down')) : store.get(id)),
      set: (id, data, ttl) => (down ? Promise.reject(new Error('store down')) : store.set(id, data, ttl)),
      destroy: (id) => store.destroy(id),
      take: (id) => store.take(id),
    };
    const errors: unknown[] = [];
    const core = createLogtoCore({
      ...config,
      session: { ...config.session, store: failing, logger: { debug: () => {}, error: (_m, e) => errors.push(e) } },
    });
    const context = await open(core, { path: '/' });
    context.session.set('logto.idToken', 'x');
    const commit = await core.commit(context);
    const cookie = commit?.kind === 'cookies' ? commit.setCookie[0]!.split(';')[0]! : assert.fail();
    down = true;
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
