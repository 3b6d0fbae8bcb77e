// Quick start of @logto-kit/express: the README's app on a free port, signed in through the dev
// server's pages, plus an API route behind requireAuth.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { demoWorld, startDevServer, withAppUrls } from '@logto-kit/dev-server';
import { AppBrowser } from '@logto-kit/dev-server/testing';
import { authenticated, createLogto, requireAuth } from '@logto-kit/express';
import express from 'express';

const app = express();
const web = app.listen(0, '127.0.0.1');
await once(web, 'listening');
const baseUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
const server = await startDevServer({ port: 0, memory: true, config: withAppUrls(demoWorld, [baseUrl]) });
try {
  app.use(
    createLogto({
      endpoint: server.url,
      appId: 'sample-web-app',
      appSecret: 'sample-web-app-secret',
      baseUrl,
      scopes: ['email'],
      session: { secrets: ['quick-start-session-secret-0123456789abcdef'] },
    }).middleware,
  );
  app.get('/protected', authenticated({ shouldRedirect: true }), (req, res) => {
    res.json(req.user);
  });
  app.get(
    '/api/products',
    requireAuth({ endpoint: server.url, audience: 'https://shopping.your-app.com/api' }),
    (req, res) => {
      res.json({ sub: req.auth?.sub });
    },
  );

  const browser = new AppBrowser(baseUrl);
  const { callback } = await browser.signIn('/sign-in?returnTo=/protected');
  assert.equal(callback.location, '/protected');
  const page = await browser.get('/protected');
  assert.equal(page.status, 200);
  assert.equal((JSON.parse(page.body) as { email?: string }).email, 'demo@example.com');
  const api = await fetch(`${baseUrl}/api/products`);
  assert.equal(api.status, 401);
  assert.equal(((await api.json()) as { code?: string }).code, 'auth.authorization_header_missing');
  console.log('express: signed in, protected page served, API without a token refused');
} finally {
  web.closeAllConnections();
  web.close();
  await server.close();
}
