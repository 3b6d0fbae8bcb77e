// The Hono example over HTTP against a real dev server: signed-out home, the protected page's
// redirect, sign-in through the identity server's forms, the protected page, sign-out.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createAdaptorServer } from '@hono/node-server';
import { type DevServer, startDevServer } from '@logto-kit/dev-server';
import { CookieJar, demoWorldFor, signInThroughForms } from '@logto-kit/dev-server/testing';
import { createHonoApp } from './app.ts';

let devServer: DevServer;
let server: ReturnType<typeof createAdaptorServer>;
let base = '';
const jar = new CookieJar();

async function get(path: string, method = 'GET'): Promise<Response> {
  const url = new URL(path, base).href;
  const cookie = jar.header(url);
  // As a browser does, a POST names the page's origin.
  const headers = new Headers(cookie ? { cookie } : {});
  if (method === 'POST') headers.set('origin', new URL(base).origin);
  const response = await fetch(url, { method, redirect: 'manual', headers });
  jar.store(url, response.headers);
  return response;
}

before(async () => {
  let app: ReturnType<typeof createHonoApp> | undefined;
  server = createAdaptorServer({ fetch: (request) => app!.fetch(request) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  devServer = await startDevServer({
    port: 0,
    memory: true,
    config: demoWorldFor(base),
  });
  app = createHonoApp({
    endpoint: devServer.url,
    appId: 'sample-web-app',
    appSecret: 'sample-web-app-secret',
    baseUrl: base,
    sessionSecrets: ['hono-example-test-secret-0123456789abcdef'],
  });
});

after(async () => {
  server.close();
  await devServer.close();
});

describe('Hono example app', () => {
  it('signs in from the protected page, shows it, and signs out', async () => {
    const home = await get('/');
    assert.match(await home.text(), /href="\/sign-in"/);
    const protectedPage = await get('/protected');
    assert.equal(protectedPage.status, 302);
    assert.equal(protectedPage.headers.get('location'), '/sign-in?returnTo=%2Fprotected');

    const started = await get(protectedPage.headers.get('location')!);
    const callbackUrl = await signInThroughForms(started.headers.get('location')!, {
      username: 'demo',
      password: 'demo-password',
    });
    const callback = await get(callbackUrl);
    assert.equal(callback.headers.get('location'), '/protected');
    const page = await get('/protected');
    assert.equal(page.status, 200);
    assert.match(await page.text(), /&quot;username&quot;: &quot;demo&quot;|"username": "demo"/);
    assert.match(await (await get('/')).text(), /Signed in as <strong>demo<\/strong>/);

    const signOut = await get('/sign-out', 'POST');
    assert.equal(signOut.status, 302);
    assert.match(signOut.headers.get('location')!, /\/oidc\/session\/end/);
    assert.equal((await get('/protected')).status, 302, 'signed out');
  });
});
