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
