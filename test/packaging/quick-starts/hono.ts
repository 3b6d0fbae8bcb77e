// Quick start of @logto-kit/hono: the README's app served on Node by @hono/node-server on a free
// port, signed in through the dev server's pages.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { demoWorld, startDevServer, withAppUrls } from '@logto-kit/dev-server';
import { AppBrowser } from '@logto-kit/dev-server/testing';
import { authenticated, createLogto, type LogtoEnv } from '@logto-kit/hono';
import { Hono } from 'hono';

const app = new Hono<LogtoEnv>();
const web = createServer(getRequestListener(app.fetch));
web.listen(0, '127.0.0.1');
await once(web, 'listening');
const baseUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
const server = await startDevServer({ port: 0, memory: true, config: withAppUrls(demoWorld, [baseUrl]) });
try {
  const logto = createLogto({
    endpoint: server.url,
    appId: 'sample-web-app',
    appSecret: 'sample-web-app-secret',
    baseUrl,
    scopes: ['email'],
    session: { secrets: ['quick-start-session-secret-0123456789abcdef'] },
  });
  app.use(logto.middleware);
  app.get('/protected', authenticated({ shouldRedirect: true }), (c) => c.json(c.get('user')));

  const browser = new AppBrowser(baseUrl);
  const { callback } = await browser.signIn('/sign-in?returnTo=/protected');
  assert.equal(callback.location, '/protected');
  const page = await browser.get('/protected');
  assert.equal(page.status, 200);
  assert.equal((JSON.parse(page.body) as { email?: string }).email, 'demo@example.com');
  console.log('hono: signed in, protected page served');
} finally {
  web.closeAllConnections();
  web.close();
  await server.close();
}
