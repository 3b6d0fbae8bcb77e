import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type DevServer, startDevServer } from '@logto-kit/dev-server';
import { CookieJar, demoWorldFor, signInThroughForms } from '@logto-kit/dev-server/testing';
import { createWebApp } from './app.ts';

async function listen(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('web-app example over HTTP (API down)', () => {
  let devServer: DevServer;
  let web: { server: Server; url: string };
  const jar = new CookieJar();

  async function get(path: string) {
    const url = new URL(path, web.url).href;
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(url) } });
    jar.store(url, response.headers);
    return { status: response.status, location: response.headers.get('location'), body: await response.text() };
  }

  before(async () => {
    let handler: RequestListener = (_req, res) => res.end();
    web = await listen((req, res) => handler(req, res));
    // An address nothing listens on: the protected API is down.
    const closed = await listen((_req, res) => res.end());
    await new Promise((resolve) => closed.server.close(resolve));
    devServer = await startDevServer({
      port: 0,
      memory: true,
      config: demoWorldFor(web.url),
    });
    handler = createWebApp({
      endpoint: devServer.url,
      appId: 'sample-web-app',
      appSecret: 'sample-web-app-secret',
      baseUrl: web.url,
      apiUrl: closed.url,
      sessionSecrets: ['web-app-test-session-secret-0123456789ab'],
    });
  });

  after(async () => {
    web?.server.closeAllConnections();
    await new Promise((resolve) => web?.server.close(resolve));
    await devServer?.close();
  });

  it('offers sign-in and sign-up when signed out, and sends protected pages to sign-in', async () => {
    const home = await get('/');
    assert.equal(home.status, 200);
    assert.match(home.body, /href="\/sign-in"/);
    assert.match(home.body, /href="\/sign-up"/);
    const protectedPage = await get('/protected/userinfo');
    assert.equal(protectedPage.status, 302);
    assert.equal(protectedPage.location, '/sign-in?returnTo=%2Fprotected%2Fuserinfo');
  });

  it('shows an unreachable API on the page, with the user still signed in', async () => {
    const started = await get('/sign-in?returnTo=/protected/shopping');
    const callbackUrl = await signInThroughForms(started.location!, { username: 'demo', password: 'demo-password' });
    const callback = await get(callbackUrl);
    assert.equal(callback.location, '/protected/shopping');
    const shopping = await get('/protected/shopping');
    assert.equal(shopping.status, 200);
    assert.match(shopping.body, /no answer/);
    assert.match(shopping.body, /unreachable/);
    assert.match(shopping.body, /shopping:read/, 'the access token is still shown');
    const organizations = await get('/protected/organizations');
    assert.equal(organizations.status, 200);
    assert.match(organizations.body, /urn:logto:organization:org-acme/);
    assert.match(organizations.body, /no answer/);
  });

  it('renders a failed callback as a page with the error code and a way back', async () => {
    const refused = await get('/callback?code=forged&state=forged');
    assert.equal(refused.status, 400);
    assert.match(refused.body, /callback_state_mismatch/);
    assert.match(refused.body, /href="\/"/);
  });
});
