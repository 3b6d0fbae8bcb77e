import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LogtoError } from '@logto-kit/client';
import { MemoryStore } from '@logto-kit/web';
import { decodeJwt } from 'jose';
import { authenticated } from './authenticated.ts';
import { userOf } from './express-request.ts';
import { Browser, type Harness, startHarness } from './test-support/harness.ts';

const shoppingApi = 'https://shopping.your-app.com/api';

function mountRoutes(app: Harness['app']): void {
  app.get('/api/me', authenticated(), (req, res) => {
    res.json(req.user);
  });
  app.get('/page', authenticated({ shouldRedirect: true }), (req, res) => {
    res.json({ sub: userOf(req)?.sub });
  });
  app.get('/userinfo', authenticated({ fetchUserInfo: true }), (req, res) => {
    res.json(req.user);
  });
  app.get('/shopping', authenticated({ resource: shoppingApi }), (req, res) => {
    res.json(decodeJwt(req.accessToken!));
  });
  app.get('/mutate', authenticated(), (req, res) => {
    const user = userOf(req)!;
    const seen = user.name;
    user.name = 'changed by a handler';
    res.json({ seen });
  });
  app.get('/acme', authenticated({ organizationId: 'org-acme' }), (req, res) => {
    res.json(decodeJwt(req.organizationToken!));
  });
}

function sessionCookies(page: { headers: Headers }): string[] {
  return page.headers.getSetCookie().filter((line) => line.startsWith('logto_session'));
}

for (const mode of ['cookie', 'store'] as const) {
  describe(`@logto-kit/express over HTTP against the dev server (${mode} sessions)`, () => {
    let harness: Harness;
    const store = new MemoryStore();
    before(async () => {
      harness = await startHarness(
        (app) => mountRoutes(app),
        mode === 'store' ? { session: { secrets: ['express-integration-test-secret-0123456789'], store } } : {},
      );
    });
    after(() => harness.close());

    it('signs in: sign-in redirects to the provider, the callback sets an HttpOnly, SameSite=Lax session cookie', async () => {
      const browser = new Browser(harness.appUrl);
      const started = await browser.get('/sign-in');
      assert.equal(started.status, 302);
      const authorization = new URL(started.location!);
      assert.equal(`${authorization.origin}${authorization.pathname}`, `${harness.endpoint}/oidc/auth`);
      assert.equal(authorization.searchParams.get('redirect_uri'), `${harness.appUrl}/callback`);
      assert.ok(authorization.searchParams.get('state'));

      const { callback } = await browser.signIn();
      assert.equal(callback.status, 302);
      assert.equal(callback.location, '/');
      const cookies = sessionCookies(callback);
      assert.ok(cookies.length >= 1);
      for (const cookie of cookies) {
        assert.match(cookie, /; HttpOnly/);
        assert.match(cookie, /; SameSite=Lax/);
        assert.doesNotMatch(cookie, /; Secure/, 'plain http: no Secure attribute');
      }

      const me = await browser.get('/api/me');
      assert.equal(me.status, 200);
      const claims = JSON.parse(me.body);
      assert.equal(claims.username, 'demo');
      assert.equal(claims.email, 'demo@example.com');
    });

    it('gives each request its own copy of the claims', async () => {
      const browser = new Browser(harness.appUrl);
      await browser.signIn();
      assert.deepEqual(JSON.parse((await browser.get('/mutate')).body), { seen: 'Demo User' });
      assert.deepEqual(JSON.parse((await browser.get('/mutate')).body), { seen: 'Demo User' });
    });

    it('authenticated() answers 401 JSON to a signed-out request, or redirects with shouldRedirect', async () => {
      const browser = new Browser(harness.appUrl);
      const api = await browser.get('/api/me');
      assert.equal(api.status, 401);
      assert.deepEqual(JSON.parse(api.body), { error: 'Not authenticated' });
      const page = await browser.get('/page?tab=1');
      assert.equal(page.status, 302);
      assert.equal(page.location, '/sign-in?returnTo=%2Fpage%3Ftab%3D1');
    });

    it('returns to the page that required sign-in', async () => {
      const browser = new Browser(harness.appUrl);
      const page = await browser.get('/page?tab=1');
      const { callback } = await browser.signIn(page.location!);
      assert.equal(callback.location, '/page?tab=1');
      const after = await browser.get(callback.location!);
      assert.equal(after.status, 200);
    });

    it('refuses open-redirect returnTo values and goes home instead', async () => {
      const browser = new Browser(harness.appUrl);
      for (const vector of [
        '//evil.com',
        '/\\evil.com',
        '/%2F%2Fevil.com',
        'https://evil.com',
        'javascript:alert(1)',
      ]) {
        const { callback } = await browser.signIn(`/sign-in?returnTo=${encodeURIComponent(vector)}`);
        assert.equal(callback.status, 302, vector);
        assert.equal(callback.location, '/', vector);
      }
    });

    it('refuses a callback with an unknown state with a 400 page naming the error', async () => {
      const browser = new Browser(harness.appUrl);
      const { callbackUrl } = await browser.signIn();
      const forged = new URL(callbackUrl);
      forged.searchParams.set('state', 'forged-state');
      const fresh = new Browser(harness.appUrl);
      await fresh.get('/sign-in');
      const refused = await fresh.get(forged.href);
      assert.equal(refused.status, 400);
      assert.match(refused.headers.get('content-type') ?? '', /text\/html/);
      assert.match(refused.body, /callback_state_mismatch/);
      assert.match(refused.body, /href="\/"/);
      assert.equal((await fresh.get('/api/me')).status, 401);
    });

    it('refuses a replayed callback', async () => {
      const browser = new Browser(harness.appUrl);
      const { callbackUrl, callback } = await browser.signIn();
      assert.equal(callback.status, 302);
      // The same browser replays the callback: its state was consumed.
      const replay = await browser.get(callbackUrl);
      assert.equal(replay.status, 400);
      assert.match(replay.body, /callback_state_mismatch/);
    });

    it('refuses a callback carried to another browser (state bound to the session that started it)', async () => {
      const victim = new Browser(harness.appUrl);
      const attacker = new Browser(harness.appUrl);
      const started = await attacker.get('/sign-in');
      const { signInThroughForms } = await import('@logto-kit/dev-server/testing');
      const callbackUrl = await signInThroughForms(started.location!, {
        username: 'alice',
        password: 'alice-password',
      });
      const planted = await victim.get(callbackUrl);
      assert.equal(planted.status, 400);
      assert.equal((await victim.get('/api/me')).status, 401, 'the victim is not signed in as the attacker');
    });

    it('treats a tampered session cookie as signed out, never a 500', async () => {
      const browser = new Browser(harness.appUrl);
      await browser.signIn();
      const header = browser.cookieHeader();
      const value = /logto_session=([^;]+)/.exec(header)![1]!;
      const index = value.length - 10;
      const tampered = `${value.slice(0, index)}${value[index] === 'A' ? 'B' : 'A'}${value.slice(index + 1)}`;
      const response = await fetch(`${harness.appUrl}/api/me`, {
        headers: { cookie: header.replace(value, tampered) },
      });
      assert.equal(response.status, 401);
      assert.match(response.headers.getSetCookie().join('\n'), /logto_session=; Max-Age=0/);
      for (const cookie of ['logto_session=garbage', 'logto_session=v1.x.y', `logto_session=${value.slice(0, 20)}`]) {
        assert.equal((await fetch(`${harness.appUrl}/api/me`, { headers: { cookie } })).status, 401, cookie);
      }
    });

    it('gives a new session at sign-in: the cookie from before sign-in does not become signed in', async () => {
      const browser = new Browser(harness.appUrl);
      const started = await browser.get('/sign-in');
      const before = browser.cookieHeader();
      assert.match(before, /logto_session=/, 'the pending sign-in lives in the session');
      const { signInThroughForms } = await import('@logto-kit/dev-server/testing');
      const callbackUrl = await signInThroughForms(started.location!, { username: 'demo', password: 'demo-password' });
      const callback = await browser.get(callbackUrl);
      assert.equal(callback.status, 302);
      const afterHeader = browser.cookieHeader();
      assert.notEqual(afterHeader, before);
      const stale = await fetch(`${harness.appUrl}/api/me`, { headers: { cookie: before } });
      assert.equal(stale.status, 401);
      assert.equal((await browser.get('/api/me')).status, 200);
    });

    it('fetches userinfo, resource access tokens and organization tokens for a signed-in user', async () => {
      const browser = new Browser(harness.appUrl);
      await browser.signIn();
      const userinfo = JSON.parse((await browser.get('/userinfo')).body);
      assert.deepEqual(userinfo.custom_data, { plan: 'pro' });
      const access = JSON.parse((await browser.get('/shopping')).body);
      assert.equal(access.aud, shoppingApi);
      assert.match(access.scope, /shopping:read/);
      const organization = JSON.parse((await browser.get('/acme')).body);
      assert.equal(organization.aud, 'urn:logto:organization:org-acme');
    });

    it('signs out: clears the session and redirects to the end-session endpoint with id_token_hint', async () => {
      const browser = new Browser(harness.appUrl);
      await browser.signIn();
      const signedIn = browser.cookieHeader();
      const signOut = await browser.get('/sign-out');
      assert.equal(signOut.status, 302);
      const endSession = new URL(signOut.location!);
      assert.equal(`${endSession.origin}${endSession.pathname}`, `${harness.endpoint}/oidc/session/end`);
      assert.equal(endSession.searchParams.get('client_id'), 'sample-web-app');
      assert.equal(endSession.searchParams.get('post_logout_redirect_uri'), `${harness.appUrl}/`);
      assert.ok(endSession.searchParams.get('id_token_hint'));
      assert.match(signOut.headers.getSetCookie().join('\n'), /logto_session=; Max-Age=0/);
      assert.equal((await browser.get('/api/me')).status, 401);
      if (mode === 'store') {
        const replayed = await fetch(`${harness.appUrl}/api/me`, { headers: { cookie: signedIn } });
        assert.equal(replayed.status, 401, 'the stored session is gone');
      }
    });

    it('starts registration from /sign-up', async () => {
      const browser = new Browser(harness.appUrl);
      const started = await browser.get('/sign-up');
      assert.equal(started.status, 302);
      assert.equal(new URL(started.location!).searchParams.get('first_screen'), 'register');
    });
  });
}

describe('@logto-kit/express route prefix', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness((app) => mountRoutes(app), { routes: { prefix: '/auth' } });
  });
  after(() => harness.close());

  it('serves the routes under the prefix and redirects there', async () => {
    const browser = new Browser(harness.appUrl);
    assert.equal((await browser.get('/sign-in')).status, 404);
    const page = await browser.get('/page');
    assert.equal(page.location, '/auth/sign-in?returnTo=%2Fpage');
    const started = await browser.get(page.location!);
    assert.equal(new URL(started.location!).searchParams.get('redirect_uri'), `${harness.appUrl}/auth/callback`);
  });
});

describe('@logto-kit/express behind a proxy, with a custom callback error handler', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness(
      (app) => {
        app.set('trust proxy', 'loopback');
        mountRoutes(app);
      },
      {
        onCallbackError: (error, _req, res) => {
          res.status(418).json({ code: error instanceof LogtoError ? error.code : 'unknown', error: String(error) });
        },
      },
    );
  });
  after(() => harness.close());

  it('marks session cookies Secure when a trusted proxy says the request came over https', async () => {
    const browser = new Browser(harness.appUrl);
    const started = await browser.get('/sign-in', { 'x-forwarded-proto': 'https' });
    const cookies = sessionCookies(started);
    assert.ok(cookies.length > 0);
    for (const cookie of cookies) assert.match(cookie, /; Secure/);
    const plain = await new Browser(harness.appUrl).get('/sign-in');
    for (const cookie of sessionCookies(plain)) assert.doesNotMatch(cookie, /; Secure/);
  });

  it('renders a refused sign-in (provider error) with the configured handler', async () => {
    const browser = new Browser(harness.appUrl);
    const started = await browser.get('/sign-in');
    const state = new URL(started.location!).searchParams.get('state')!;
    const callback = new URL(`${harness.appUrl}/callback`);
    callback.searchParams.set('error', 'access_denied');
    callback.searchParams.set('state', state);
    callback.searchParams.set('iss', `${harness.endpoint}/oidc`);
    const refused = await browser.get(callback.href);
    assert.equal(refused.status, 418);
    assert.equal(JSON.parse(refused.body).code, 'callback_provider_error');
    assert.match(JSON.parse(refused.body).error, /access_denied/);
    assert.equal((await browser.get('/api/me')).status, 401);
    // The state was consumed: the same callback cannot be replayed.
    assert.equal(JSON.parse((await browser.get(callback.href)).body).code, 'callback_state_mismatch');
  });
});

describe('@logto-kit/express pending sign-in expiry', () => {
  let harness: Harness;
  let offset = 0;
  before(async () => {
    harness = await startHarness((app) => mountRoutes(app), { clientOptions: { now: () => Date.now() + offset } });
  });
  after(() => harness.close());

  it('refuses a callback for a sign-in started more than 10 minutes earlier', async () => {
    const browser = new Browser(harness.appUrl);
    const started = await browser.get('/sign-in');
    const { signInThroughForms } = await import('@logto-kit/dev-server/testing');
    const callbackUrl = await signInThroughForms(started.location!, { username: 'demo', password: 'demo-password' });
    offset = 10 * 60 * 1000 + 1;
    try {
      const late = await browser.get(callbackUrl);
      assert.equal(late.status, 400);
      assert.match(late.body, /callback_state_mismatch/);
    } finally {
      offset = 0;
    }
    assert.equal((await browser.get('/api/me')).status, 401);
  });

  it('ignores HEAD requests to the routes (a prefetch neither starts a sign-in nor consumes a callback)', async () => {
    const browser = new Browser(harness.appUrl);
    const { callbackUrl } = await browser.signIn('/sign-in');
    const head = await fetch(`${harness.appUrl}/sign-in`, { method: 'HEAD', redirect: 'manual' });
    assert.equal(head.status, 404);
    assert.equal((await fetch(callbackUrl, { method: 'HEAD', redirect: 'manual' })).status, 404);
  });
});

describe('@logto-kit/express with a failing session store', () => {
  let harness: Harness;
  const reported: unknown[] = [];
  const store = new MemoryStore();
  const healthy = { get: store.get.bind(store), set: store.set.bind(store) };
  before(async () => {
    harness = await startHarness((app) => mountRoutes(app), {
      session: {
        secrets: ['express-integration-test-secret-0123456789'],
        store,
        logger: { debug: () => {}, error: (_message, error) => reported.push(error) },
      },
    });
  });
  after(() => harness.close());

  it('answers 503 without a cookie or redirect when the session cannot be saved', async () => {
    reported.length = 0;
    store.set = async () => {
      throw new Error('store unavailable');
    };
    try {
      const response = await fetch(`${harness.appUrl}/sign-in`, { redirect: 'manual' });
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('location'), null);
      assert.deepEqual(response.headers.getSetCookie(), []);
      assert.match(await response.text(), /session_store_unavailable/);
      assert.equal(reported.length, 1);
      assert.match(String(reported[0]), /store unavailable/);
    } finally {
      store.set = healthy.set;
    }
  });

  it('answers 503 (JSON for API clients), not "signed out", when the session cannot be read', async () => {
    const browser = new Browser(harness.appUrl);
    await browser.signIn();
    store.get = async () => {
      throw new Error('store unavailable');
    };
    try {
      const api = await browser.get('/api/me', { accept: 'application/json' });
      assert.equal(api.status, 503);
      assert.deepEqual(JSON.parse(api.body), { error: 'Session store unavailable' });
      const page = await browser.get('/page', { accept: 'text/html' });
      assert.equal(page.status, 503);
      assert.match(page.body, /Temporarily unavailable/);
    } finally {
      store.get = healthy.get;
    }
    assert.equal((await browser.get('/api/me')).status, 200, 'signed in again once the store is back');
  });
});

describe('createLogto configuration', () => {
  it('refuses a post-sign-out target that is not a path on this application', async () => {
    const { createLogto } = await import('./express.ts');
    const base = {
      endpoint: 'http://localhost:3001',
      appId: 'app',
      appSecret: 'secret',
      baseUrl: 'http://localhost:3000',
      session: { secrets: ['config-test-secret-0123456789abcdefgh'] },
    };
    for (const target of ['//evil.com', 'https://evil.com', '/\\evil.com', 'relative']) {
      assert.throws(() => createLogto({ ...base, postSignOutRedirectPath: target }), TypeError, target);
    }
    assert.doesNotThrow(() => createLogto({ ...base, postSignOutRedirectPath: '/goodbye' }));
  });
});
