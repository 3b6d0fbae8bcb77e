// Quick start of @logto-kit/fastify: the README's app on a free port, signed in through the dev
// server's pages, plus an API route behind requireAuth.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoWorld, startDevServer, withAppUrls } from '@logto-kit/dev-server';
import { AppBrowser } from '@logto-kit/dev-server/testing';
import { authenticated, createLogto, requireAuth } from '@logto-kit/fastify';
import Fastify from 'fastify';

// The app must know its URL before its routes exist: listen first, route to Fastify once it is ready.
const app = Fastify();
const web = createServer((req, res) => app.routing(req, res));
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
  await app.register(logto.middleware);
  app.get('/protected', { preHandler: authenticated({ shouldRedirect: true }) }, async (request) => request.user);
  app.get(
    '/api/products',
    { preHandler: requireAuth({ endpoint: server.url, audience: 'https://shopping.your-app.com/api' }) },
    async (request) => ({ sub: request.auth?.sub }),
  );
  await app.ready();

  const browser = new AppBrowser(baseUrl);
  const { callback } = await browser.signIn('/sign-in?returnTo=/protected');
  assert.equal(callback.location, '/protected');
  const page = await browser.get('/protected');
  assert.equal(page.status, 200);
  assert.equal((JSON.parse(page.body) as { email?: string }).email, 'demo@example.com');
  const api = await fetch(`${baseUrl}/api/products`);
  assert.equal(api.status, 401);
  console.log('fastify: signed in, protected page served, API without a token refused');
} finally {
  web.closeAllConnections();
  web.close();
  await app.close();
  await server.close();
}
