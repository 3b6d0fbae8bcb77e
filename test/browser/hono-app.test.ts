// The Hono example in headless Chromium, signing in through the dev server's real pages.
// Fails (never skips) when Chromium is missing: set LOGTO_KIT_CHROMIUM or install `chromium`.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createAdaptorServer } from '@hono/node-server';
import { type DevServer, startDevServer } from '@logto-kit/dev-server';
import { demoWorldFor } from '@logto-kit/dev-server/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createHonoApp } from '../../examples/hono-app/src/app.ts';

const executablePath = process.env.LOGTO_KIT_CHROMIUM ?? '/usr/bin/chromium';

describe('hono-app example in Chromium', () => {
  let browser: Browser;
  let devServer: DevServer;
  let server: ReturnType<typeof createAdaptorServer>;
  let appUrl = '';

  before(async () => {
    assert.ok(
      existsSync(executablePath),
      `Chromium is required for the browser tests: install it (apt-get install chromium) or set LOGTO_KIT_CHROMIUM (looked for ${executablePath}).`,
    );
    let app: ReturnType<typeof createHonoApp> | undefined;
    server = createAdaptorServer({ fetch: (request) => app!.fetch(request) });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    devServer = await startDevServer({
      port: 0,
      memory: true,
      config: demoWorldFor(appUrl),
    });
    app = createHonoApp({
      endpoint: devServer.url,
      appId: 'sample-web-app',
      appSecret: 'sample-web-app-secret',
      baseUrl: appUrl,
      sessionSecrets: ['browser-test-session-secret-0123456789abcdef'],
    });
    browser = await chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-sync'],
    });
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await devServer?.close();
  });

  async function signInOnProviderPage(page: Page): Promise<void> {
    await page.waitForURL((url) => url.href.startsWith(devServer.url));
    await page.fill('input[name="identifier"]', 'demo');
    await page.fill('input[name="password"]', 'demo-password');
    await Promise.all([page.waitForURL((url) => url.href.startsWith(appUrl)), page.click('button[type="submit"]')]);
  }

  it('signs in as demo from the protected page, shows it, then signs out at both ends', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(appUrl);
    await page.click('a[href="/sign-in"]');
    await signInOnProviderPage(page);
    assert.equal(new URL(page.url()).pathname, '/');
    assert.match((await page.textContent('body')) ?? '', /Signed in as demo/);

    await page.goto(`${appUrl}/protected`);
    assert.match((await page.textContent('h1')) ?? '', /Protected page/);
    assert.match((await page.textContent('#claims')) ?? '', /"username": "demo"/);

    await page.goto(appUrl);
    // The provider's sign-out page submits itself, as Logto's does, and comes back to the app.
    await Promise.all([
      page.waitForResponse((response) => response.url().includes('/oidc/session/end/confirm')),
      page.click('button[type="submit"]'),
    ]);
    await page.waitForURL(`${appUrl}/`);
    assert.match((await page.textContent('body')) ?? '', /Sign in/);

    // Signed out here and at the provider: the protected page asks for the sign-in form again.
    await page.goto(`${appUrl}/protected`);
    await page.waitForURL((url) => url.href.startsWith(devServer.url));
    assert.ok(await page.isVisible('input[name="identifier"]'));
    await context.close();
  });
});
