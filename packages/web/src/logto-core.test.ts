import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogtoCore, type LogtoCoreConfig } from './logto-core.ts';

const config: LogtoCoreConfig = {
  endpoint: 'http://127.0.0.1:9',
  appId: 'app',
  appSecret: 'secret',
  baseUrl: 'https://app.example/',
  session: { secrets: ['logto-core-test-secret-0123456789abcdef'] },
};

async function emptySession(core = createLogtoCore(config)) {
  return { core, session: await core.sessions.load({ cookies: new Map(), secure: true }) };
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
    const { core } = await emptySession();
    assert.equal(core.isRoutePath('/backchannel-logout'), false);
    const enabled = createLogtoCore({ ...config, backChannelLogout: {} });
    assert.equal(enabled.isRoutePath('/backchannel-logout'), true);
    const session = await enabled.sessions.load({ cookies: new Map(), secure: true });
    const get = await enabled.serveRoute(session, { method: 'GET', path: '/backchannel-logout', search: '' });
    assert.equal(get, undefined);
    const post = await enabled.serveRoute(session, {
      method: 'POST',
      path: '/backchannel-logout',
      search: '',
      text: async () => 'logout_token=',
    });
    assert.equal(post?.kind === 'page' && post.answer.status, 400);
    let read = false;
    const oversized = await enabled.serveRoute(session, {
      method: 'POST',
      path: '/backchannel-logout',
      search: '',
      header: (name) => (name === 'content-length' ? String(10 * 1024 * 1024) : undefined),
      text: async () => {
        read = true;
        return '';
      },
    });
    assert.equal(oversized?.kind === 'page' && oversized.answer.status, 400);
    assert.equal(read, false, 'a 10 MB body is not read');
  });

  it('answers GET /sign-out with the confirmation page and refuses a POST without a same-origin header', async () => {
    const { core, session } = await emptySession();
    const page = await core.serveRoute(session, { method: 'GET', path: '/sign-out', search: '' });
    assert.equal(page?.kind === 'page' && page.answer.status, 200);
    const refused = await core.serveRoute(session, { method: 'POST', path: '/sign-out', search: '' });
    assert.equal(refused?.kind === 'page' && refused.answer.status, 403);
  });

  it('serves only its routes, with GET (and POST for sign-out)', async () => {
    const { core, session } = await emptySession();
    assert.equal(core.isRoutePath('/sign-in'), true);
    assert.equal(core.isRoutePath('/sign-in/'), false);
    for (const [method, path] of [
      ['HEAD', '/sign-in'],
      ['POST', '/sign-in'],
      ['HEAD', '/callback'],
      ['PUT', '/sign-out'],
      ['GET', '/elsewhere'],
    ] as const) {
      assert.equal(await core.serveRoute(session, { method, path, search: '' }), undefined, `${method} ${path}`);
    }
    assert.equal(session.dirty, false, 'nothing was written to the session');
  });

  it('answers a failed callback as an error to render, not a redirect', async () => {
    const { core, session } = await emptySession();
    const answer = await core.serveRoute(session, {
      method: 'GET',
      path: '/callback',
      search: '?code=c&state=unknown',
    });
    assert.equal(answer?.kind, 'callback_error');
  });
});
