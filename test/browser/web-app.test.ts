// The web-app example in headless Chromium, signing in through the dev server's real pages.
// Fails (never skips) when Chromium is missing: set LOGTO_KIT_CHROMIUM or install `chromium`.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type DevServer, startDevServer } from '@logto-kit/dev-server';
import { demoWorldFor } from '@logto-kit/dev-server/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createApiApp } from '../../examples/api/src/app.ts';
import { createWebApp } from '../../examples/web-app/src/app.ts';

const executablePath = process.env.LOGTO_KIT_CHROMIUM ?? '/usr/bin/chromium';
const screenshots = mkdtempSync(join(tmpdir(), 'logto-kit-web-app-'));

async function listen(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

describe('web-app example in Chromium', () => {
  let browser: Browser;
  let devServer: DevServer;
  let web: { server: Server; url: string };
  let api: { server: Server; url: string };

  before(async () => {
    assert.ok(
      existsSync(executablePath),
      `Chromium is required for the browser tests: install it (apt-get install chromium) or set LOGTO_KIT_CHROMIUM (looked for ${executablePath}).`,
    );
    let webHandler: RequestListener = (_req, res) => res.end();
    web = await listen((req, res) => webHandler(req, res));
    devServer = await startDevServer({
      port: 0,
      memory: true,
      config: demoWorldFor(web.url),
    });
    api = await listen(createApiApp({ endpoint: devServer.url }));
    webHandler = createWebApp({
      endpoint: devServer.url,
      appId: 'sample-web-app',
      appSecret: 'sample-web-app-secret',
      baseUrl: web.url,
      apiUrl: api.url,
      sessionSecrets: ['browser-test-session-secret-0123456789abcdef'],
    });
    browser = await chromium.launch({
      executablePath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    await browser?.close();
    if (web) await close(web.server);
    if (api) await close(api.server);
    await devServer?.close();
  });

  async function signInOnProviderPage(page: Page, username: string, password: string): Promise<void> {
    await page.waitForURL((url) => url.href.startsWith(devServer.url));
    await page.fill('input[name="identifier"]', username);
    await page.fill('input[name="password"]', password);
    await Promise.all([page.waitForURL((url) => url.href.startsWith(web.url)), page.click('button[type="submit"]')]);
  }

  it('signs in as demo, shows userinfo, the shopping API and organizations, then signs out at both ends', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(web.url);
    assert.match((await page.textContent('main')) ?? '', /not signed in/);

    await page.click('main a[href="/sign-in"]');
    await signInOnProviderPage(page, 'demo', 'demo-password');
    assert.equal(new URL(page.url()).pathname, '/');
    assert.match((await page.textContent('main')) ?? '', /signed in as Demo User/);
    await page.screenshot({ path: join(screenshots, 'home.png'), fullPage: true });

    await page.goto(`${web.url}/protected/userinfo`);
    const userinfo = (await page.textContent('main')) ?? '';
    assert.match(userinfo, /custom_data/);
    assert.match(userinfo, /plan\s*pro/);
    assert.match(userinfo, /demo@example\.com/);
    await page.screenshot({ path: join(screenshots, 'userinfo.png'), fullPage: true });

    await page.goto(`${web.url}/protected/shopping`);
    const shopping = (await page.textContent('main')) ?? '';
    assert.match(shopping, /HTTP 200/);
    assert.match(shopping, /Logto T-shirt/);
    assert.match(shopping, /shopping:read/);

    await page.goto(`${web.url}/protected/organizations`);
    const organizations = (await page.textContent('main')) ?? '';
    assert.match(organizations, /org-acme/);
    assert.match(organizations, /urn:logto:organization:org-acme/);
    assert.match(organizations, /org-acme-website/);
    await page.screenshot({ path: join(screenshots, 'organizations.png'), fullPage: true });

    // The provider's sign-out page submits itself, as Logto's does, and comes back to the app.
    await Promise.all([
      page.waitForResponse((response) => response.url().includes('/oidc/session/end/confirm')),
      page.click('header a[href="/sign-out"]'),
    ]);
    await page.waitForURL(`${web.url}/`);
    assert.match((await page.textContent('main')) ?? '', /not signed in/);

    // Signed out at the provider too: a new sign-in shows the sign-in form, not an automatic sign-in.
    await page.goto(`${web.url}/protected`);
    await page.waitForURL((url) => url.href.startsWith(devServer.url));
    assert.ok(await page.isVisible('input[name="identifier"]'));
    await context.close();
  });

  it('a cross-site page can neither make the app answer 431 nor sign the user out with a GET', async () => {
    // The attacker's page is on another site (localhost, while the app is on 127.0.0.1): every
    // navigation from it to the app is cross-site, and SameSite=Lax cookies go with it.
    const attacker = await listen((req, res) => {
      const target = new URL(req.url ?? '/', 'http://attacker.invalid').searchParams.get('go') ?? '';
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><a id="go" href="${target.replace(/"/g, '&quot;')}">go</a>`);
    });
    const attackerUrl = attacker.url.replace('127.0.0.1', 'localhost');
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      const fromAttacker = async (target: string) => {
        await page.goto(`${attackerUrl}/?go=${encodeURIComponent(target)}`);
        const [response] = await Promise.all([
          page.waitForResponse((candidate) => candidate.url().startsWith(web.url)),
          page.click('#go'),
        ]);
        return response;
      };

      // A visitor not signed in at the provider: each sign-in start stops at the provider's page, pending.
      for (let attempt = 0; attempt < 12; attempt += 1) {
        const response = await fromAttacker(`${web.url}/sign-in?returnTo=/${'x'.repeat(2000)}`);
        assert.equal(response.status(), 302, `attempt ${attempt + 1}`);
      }
      const cookies = (await context.cookies(web.url)).filter((cookie) => cookie.name.startsWith('logto_session'));
      const bytes = cookies.reduce((sum, cookie) => sum + cookie.name.length + 1 + cookie.value.length + 2, 0);
      assert.ok(bytes <= 7 * 1024, `the app's cookies take ${bytes} bytes`);
      const home = await page.goto(web.url);
      assert.equal(home?.status(), 200, 'the app answers (no 431)');
      await page.click('main a[href="/sign-in"]');
      await signInOnProviderPage(page, 'demo', 'demo-password');
      assert.match((await page.textContent('main')) ?? '', /signed in as Demo User/, 'and the visitor can sign in');

      const signOut = await fromAttacker(`${web.url}/sign-out`);
      assert.equal(signOut.status(), 200, 'a confirmation page, not a sign-out');
      await page.goto(`${web.url}/protected`);
      assert.equal(new URL(page.url()).origin, web.url, 'no redirect to sign-in');
      assert.match((await page.textContent('main')) ?? '', /demo@example\.com/, 'still signed in');
    } finally {
      await context.close();
      await close(attacker.server);
    }
  });

  it('registers a new user through /sign-up', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(web.url);
    await page.click('main a[href="/sign-up"]');
    await page.waitForURL((url) => url.href.startsWith(devServer.url));
    await page.fill('input[name="username"]', 'newcomer');
    await page.fill('input[name="email"]', 'newcomer@example.com');
    await page.fill('input[name="password"]', 'newcomer-password-123');
    await Promise.all([page.waitForURL((url) => url.href.startsWith(web.url)), page.click('button[type="submit"]')]);
    assert.match((await page.textContent('main')) ?? '', /signed in as newcomer/);
    await page.goto(`${web.url}/protected`);
    assert.match((await page.textContent('main')) ?? '', /newcomer@example\.com/);
    await context.close();
  });
});

console.log(`screenshots: ${screenshots}`);
