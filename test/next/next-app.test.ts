// The Next.js example after `next build`, under `next start`: a Chromium journey through every
// page, and the four problems of the official SDK shown not to happen here.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DevServerConfig } from '@logto-kit/dev-server';
import { AppBrowser, demoWorldFor } from '@logto-kit/dev-server/testing';
import { CookieSealer } from '@logto-kit/web';
import { type Browser, chromium, type Page } from 'playwright-core';
import { appDir, buildNextApp, type RunningNextApp, sessionSecret, startNextApp, testDistDir } from './next-app.ts';

const executablePath = process.env.LOGTO_KIT_CHROMIUM ?? '/usr/bin/chromium';
const shoppingApi = 'https://shopping.your-app.com/api';
const organizationCount = 30;

/** The demo world plus `many_orgs`, a member of 30 organizations. */
function world(appUrl: string): DevServerConfig {
  const base = demoWorldFor(appUrl);
  const organizations = Array.from({ length: organizationCount }, (_, index) => ({
    id: `org-many-${String(index).padStart(2, '0')}`,
    name: `Many Organizations ${index}`,
    description: null,
    members: [{ username: 'many_orgs', roles: ['member'] }],
  }));
  return {
    ...base,
    organizations: [...base.organizations, ...organizations],
    users: [
      ...base.users,
      {
        username: 'many_orgs',
        password: 'many_orgs-password',
        email: 'many@example.com',
        emailVerified: true,
        roles: [],
      },
    ],
  };
}

const sealer = new CookieSealer({ secrets: [sessionSecret] });

/** The session cookie of a signed-in fetch browser, opened with the app's secret. */
async function openSession(browser: AppBrowser): Promise<Record<string, string>> {
  const cookie = browser
    .cookieHeader()
    .split('; ')
    .find((pair) => pair.startsWith('logto_session='));
  assert.ok(cookie, 'one unchunked session cookie');
  const opened = await sealer.unseal<Record<string, string>>('logto_session', cookie.slice('logto_session='.length));
  assert.ok(opened.ok);
  return opened.value;
}

/** A `Cookie` header carrying `data` sealed with the app's secret, valid until `expiresAt`. */
async function sealedCookie(data: Record<string, string>, expiresAt: number): Promise<string> {
  return `logto_session=${await sealer.seal('logto_session', data, expiresAt)}`;
}

describe('Next.js example (next build + next start)', { timeout: 900_000 }, () => {
  let app: RunningNextApp;
  let buildMs = 0;

  before(
    async () => {
      buildMs = await buildNextApp();
      console.log(`# next build took ${(buildMs / 1000).toFixed(1)} s`);
      app = await startNextApp(world);
    },
    { timeout: 900_000 },
  );

  after(async () => {
    await app?.close();
  });

  describe('in Chromium', () => {
    let browser: Browser;

    before(async () => {
      assert.ok(
        existsSync(executablePath),
        `Chromium is required for the browser tests: install it (apt-get install chromium) or set LOGTO_KIT_CHROMIUM (looked for ${executablePath}).`,
      );
      browser = await chromium.launch({
        executablePath,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-sync'],
      });
    });

    after(async () => {
      await browser?.close();
    });

    async function signInOnProviderPage(page: Page): Promise<void> {
      await page.waitForURL((url) => url.href.startsWith(app.devServer.url));
      await page.fill('input[name="identifier"]', 'demo');
      await page.fill('input[name="password"]', 'demo-password');
      await Promise.all([page.waitForURL((url) => url.href.startsWith(app.url)), page.click('button[type="submit"]')]);
    }

    it('signs in, opens every protected page, calls the API, and signs out with a Server Action', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(app.url);
      assert.match((await page.textContent('main')) ?? '', /You are not signed in/);
      await page.click('main a[href="/sign-in"]');
      await signInOnProviderPage(page);
      assert.equal(new URL(page.url()).pathname, '/');
      assert.match((await page.textContent('main')) ?? '', /signed in as Demo User/);

      await page.goto(`${app.url}/protected`);
      assert.match((await page.textContent('h1')) ?? '', /ID token claims/);
      assert.match((await page.textContent('#claims')) ?? '', /"username": "demo"/);

      await page.goto(`${app.url}/protected/userinfo`);
      assert.match((await page.textContent('#userinfo')) ?? '', /"plan": "pro"/);

      await page.goto(`${app.url}/protected/shopping`);
      assert.match((await page.textContent('#access-token')) ?? '', new RegExp(`"aud": "${shoppingApi}"`));
      assert.match((await page.textContent('#api-answer')) ?? '', /HTTP 200/);
      // A Server Action with a fresh access token: demo lacks shopping:write, the API says 403.
      await Promise.all([page.waitForURL(/added=/), page.click('form button[type="submit"]:has-text("Add")')]);
      assert.match((await page.textContent('#added')) ?? '', /HTTP 403/);

      await page.goto(`${app.url}/protected/organizations`);
      const organizations = await page.locator('section.organization').allTextContents();
      assert.equal(organizations.length, 2);
      for (const text of organizations) assert.match(text, /HTTP 200/);
      assert.match(organizations.join('\n'), /Acme Inc\./);

      const me = await page.goto(`${app.url}/api/me`);
      assert.equal((await me?.json())?.username, 'demo');

      await page.goto(app.url);
      // The header's Server Action signs out here and redirects to the provider, whose page
      // submits itself and comes back to the app.
      await Promise.all([
        page.waitForResponse((response) => response.url().includes('/oidc/session/end/confirm')),
        page.click('header button[type="submit"]'),
      ]);
      await page.waitForURL(`${app.url}/`);
      assert.match((await page.textContent('main')) ?? '', /You are not signed in/);

      // Signed out here and at the provider: a protected page asks for the sign-in form again.
      await page.goto(`${app.url}/protected/shopping`);
      await page.waitForURL((url) => url.href.startsWith(app.devServer.url));
      assert.ok(await page.isVisible('input[name="identifier"]'));

      // The header's other Server Action signs in, and comes back home.
      await page.goto(app.url);
      await page.click('header button[type="submit"]:has-text("Sign in")');
      await signInOnProviderPage(page);
      await page.waitForURL(`${app.url}/`);
      assert.match((await page.textContent('#who')) ?? '', /Demo User/);
      await context.close();
    });
  });

  it('refreshes once, not on every request, when a Server Component page is reloaded after the access token expired', async () => {
    const browser = new AppBrowser(app.url);
    const { callback } = await browser.signIn();
    assert.equal(callback.status, 302);
    const data = await openSession(browser);
    // The shopping token cached in the cookie has expired (as an hour later); the refresh token is valid.
    const expired = { [`${shoppingApi}#`]: { token: 'expired-token', expiresAt: Date.now() - 1000 } };
    data['logto.accessTokens'] = JSON.stringify({ ...JSON.parse(data['logto.accessTokens'] ?? '{}'), ...expired });
    // Sealed for the session's whole lifetime, so that no renewal writes a cookie meanwhile.
    const cookie = await sealedCookie(data, Date.now() + 14 * 24 * 3_600_000);
    const before = app.refreshGrants();
    for (let reload = 0; reload < 5; reload += 1) {
      const page = await fetch(`${app.url}/protected/shopping`, { headers: { cookie } });
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /HTTP 200/, 'the API accepted the token');
      // A Server Component cannot write a cookie, and does not try.
      assert.equal(page.headers.get('set-cookie'), null);
    }
    assert.equal(app.refreshGrants() - before, 1);
  });

  it(`keeps a user in ${organizationCount} organizations signed in, with every cookie under 4 KB`, async () => {
    const browser = new AppBrowser(app.url);
    const { callback } = await browser.signIn('/sign-in', { username: 'many_orgs', password: 'many_orgs-password' });
    assert.equal(callback.status, 302);
    assert.equal(callback.location, '/');
    for (const header of callback.headers.getSetCookie()) {
      assert.ok(header.split(';')[0]!.length < 4096, `a cookie of ${header.length} bytes`);
    }
    const me = await browser.get('/api/me');
    assert.equal(me.status, 200, me.body);
    assert.equal(JSON.parse(me.body).organizations.length, organizationCount);
    const organizations = await browser.get('/protected/organizations');
    assert.equal(organizations.status, 200);
    assert.equal(organizations.body.match(/class="organization"/g)?.length, organizationCount);
    assert.equal(organizations.body.match(/class="ok">HTTP 200</g)?.length, organizationCount);
    // Still signed in afterwards, in pages and in Route Handlers.
    assert.match((await browser.get('/')).body, /signed in as/);
    assert.equal((await browser.get('/api/me')).status, 200);
    assert.ok(browser.cookieHeader().length < 8192);
  });

  it('protects routes in middleware on the edge runtime: a signed-out visit goes to sign-in and back', async () => {
    const manifest = JSON.parse(readFileSync(join(appDir, testDistDir, 'server/middleware-manifest.json'), 'utf8'));
    const middleware = manifest.middleware['/'];
    assert.ok(middleware, 'an edge middleware is built');
    assert.ok(middleware.files.every((file: string) => file.startsWith('server/edge/')));
    const answer = await fetch(`${app.url}/protected/userinfo?tab=1`, { redirect: 'manual' });
    // 302 with the web core's headers (a page's own redirect() would be a 307).
    assert.equal(answer.status, 302);
    assert.equal(
      answer.headers.get('location'),
      `/sign-in?returnTo=${encodeURIComponent('/protected/userinfo?tab=1')}`,
    );
    assert.equal(answer.headers.get('cache-control'), 'private, no-store');

    const browser = new AppBrowser(app.url);
    const started = await browser.get(answer.headers.get('location')!);
    assert.equal(started.status, 302);
    const { callback } = await (async () => {
      const { signInThroughForms } = await import('@logto-kit/dev-server/testing');
      const callbackUrl = await signInThroughForms(
        started.location!,
        { username: 'demo', password: 'demo-password' },
        {
          cookieJar: browser.providerJar,
        },
      );
      return { callback: await browser.get(callbackUrl) };
    })();
    assert.equal(callback.location, '/protected/userinfo?tab=1');
    assert.equal((await browser.get('/protected/userinfo?tab=1')).status, 200);
  });

  it('reads an expired session as signed out, in Server Components, Route Handlers and the middleware', async () => {
    const browser = new AppBrowser(app.url);
    await browser.signIn();
    const data = await openSession(browser);
    assert.ok(data['logto.idToken']);
    const live = await sealedCookie(data, Date.now() + 60_000);
    assert.match(await (await fetch(app.url, { headers: { cookie: live } })).text(), /signed in as/);

    const expired = await sealedCookie(data, Date.now() - 1000);
    const home = await fetch(app.url, { headers: { cookie: expired } });
    assert.match(await home.text(), /You are not signed in/);
    assert.equal((await fetch(`${app.url}/api/me`, { headers: { cookie: expired } })).status, 401);
    const page = await fetch(`${app.url}/protected`, { headers: { cookie: expired }, redirect: 'manual' });
    assert.equal(page.status, 302);
    assert.equal(page.headers.get('location'), '/sign-in?returnTo=%2Fprotected');
  });
});
