import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LogtoError } from '@logto-kit/client';
import { MemoryStore } from '@logto-kit/web';
import { decodeJwt } from 'jose';
import { Browser, type Harness, startHarness } from '../test/harness.ts';
import { authenticated, userOf } from './authenticated.ts';

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

    it('gives each request its own copy of the claims', async () => {
      const browser = new Browser(harness.appUrl);
      await browser.signIn();
      assert.deepEqual(JSON.parse((await browser.get('/mutate')).body), { seen: 'Demo User' });
      assert.deepEqual(JSON.parse((await browser.get('/mutate')).body), { seen: 'Demo User' });
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
