// The demo world's `admin` user (role `admin`) may add a product through the web app: the web
// app's `POST /protected/shopping/products` calls the protected API's `POST /api/products`, which
// requires `shopping:write`. The `demo` user (role `shopper`) is refused by the API.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type DevServer, startDevServer } from '@logto-kit/dev-server';
import { AppBrowser, demoWorldFor } from '@logto-kit/dev-server/testing';
import { createApiApp } from '../examples/api/src/app.ts';
import { createWebApp } from '../examples/web-app/src/app.ts';

async function listen(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function close(server: Server | undefined): Promise<void> {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
}

describe('demo world: adding a product through the web app', () => {
  let devServer: DevServer;
  let web: { server: Server; url: string };
  let api: { server: Server; url: string };

  before(async () => {
    let webHandler: RequestListener = (_req, res) => res.end();
    web = await listen((req, res) => webHandler(req, res));
    devServer = await startDevServer({ port: 0, memory: true, config: demoWorldFor(web.url) });
    api = await listen(createApiApp({ endpoint: devServer.url }));
    webHandler = createWebApp({
      endpoint: devServer.url,
      appId: 'sample-web-app',
      appSecret: 'sample-web-app-secret',
      baseUrl: web.url,
      apiUrl: api.url,
      sessionSecrets: ['demo-admin-test-session-secret-0123456789'],
    });
  });

  after(async () => {
    await close(web?.server);
    await close(api?.server);
    await devServer?.close();
  });

  async function addProduct(username: string, password: string) {
    const browser = new AppBrowser(web.url);
    const { callback } = await browser.signIn('/sign-in?returnTo=/protected/shopping', { username, password });
    assert.equal(callback.location, '/protected/shopping');
    const shopping = await browser.get('/protected/shopping');
    assert.equal(shopping.status, 200);
    assert.match(shopping.body, /action="\/protected\/shopping\/products"/, 'the page offers the form');
    const response = await fetch(new URL('/protected/shopping/products', web.url), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: browser.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'Logto sticker' }),
    });
    return { status: response.status, body: await response.text() };
  }

  it('admin / admin-password gets shopping:write, and POST /api/products answers 201 with the product', async () => {
    const added = await addProduct('admin', 'admin-password');
    assert.equal(added.status, 200);
    assert.match(added.body, /POST http:\/\/127\.0\.0\.1:\d+\/api\/products/);
    assert.match(added.body, /HTTP 201/);
    assert.match(added.body, /Logto sticker/);
  });

  it('demo / demo-password (role shopper) is refused by the API: 403 insufficient_scope', async () => {
    const refused = await addProduct('demo', 'demo-password');
    assert.equal(refused.status, 502);
    assert.match(refused.body, /HTTP 403/);
    assert.match(refused.body, /insufficient_scope/);
  });

  it('the admin user is in no organization', async () => {
    const browser = new AppBrowser(web.url);
    await browser.signIn('/sign-in', { username: 'admin', password: 'admin-password' });
    const organizations = await browser.get('/protected/organizations');
    assert.equal(organizations.status, 200);
    assert.match(organizations.body, /You are not a member of any organization/);
  });
});
