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
