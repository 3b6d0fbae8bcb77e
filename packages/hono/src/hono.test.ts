import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { getRequestListener } from '@hono/node-server';
import { LogtoError } from '@logto-kit/client';
import { Hono } from 'hono';
import { authenticated } from './authenticated.ts';
import type { LogtoEnv } from './hono.ts';
import { createLogto } from './hono.ts';

// The shared adapter suite (test/adapters) covers the routes against a real dev server; these
// cover what only this adapter has.
const config = {
  endpoint: 'http://127.0.0.1:9',
  appId: 'app',
  appSecret: 'secret',
  baseUrl: 'https://app.example',
  session: { secrets: ['hono-adapter-test-secret-0123456789abcdef'] },
};

describe('@logto-kit/hono', () => {
  it('renders a failed callback with onCallbackError, not cached', async () => {
    const logto = createLogto({
      ...config,
      onCallbackError: (error, c) =>
        c.json({ code: error instanceof LogtoError ? error.code : 'unknown', path: c.req.path }, 418),
    });
    const app = new Hono<LogtoEnv>();
    app.use(logto.middleware);
    const response = await app.request('https://app.example/callback?code=c&state=unknown');
    assert.equal(response.status, 418);
    assert.equal(response.headers.get('cache-control'), 'private, no-store');
    assert.deepEqual(await response.json(), { code: 'callback_state_mismatch', path: '/callback' });
  });

  it('marks session cookies Secure on https and not on http', async () => {
    const app = new Hono<LogtoEnv>();
    app.use(createLogto(config).middleware);
    app.get('/remember', (c) => {
      c.get('logto').session.set('seen', 'yes');
      return c.text('ok');
    });
    const secure = await app.request('https://app.example/remember');
    assert.match(secure.headers.getSetCookie().join('\n'), /; Secure/);
    const plain = await app.request('http://app.example/remember');
    assert.match(plain.headers.getSetCookie().join('\n'), /logto_session=/);
    assert.doesNotMatch(plain.headers.getSetCookie().join('\n'), /; Secure/);
  });

  /** An app whose routes answer a signed-in user in every way a handler can, and the cookie of that user. */
  async function signedInApp() {
    const app = new Hono<LogtoEnv>();
    app.use(createLogto(config).middleware);
    // A stored ID token, as the callback leaves it (authenticated() reads its claims only).
    const claims = Buffer.from(JSON.stringify({ sub: 'user-1', iat: 1 })).toString('base64url');
    app.get('/plant', (c) => {
      c.get('logto').session.set('logto.idToken', `eyJhbGciOiJFUzM4NCJ9.${claims}.sig`);
      return c.text('ok');
    });
    app.get('/json', authenticated(), (c) => c.json({ sub: c.get('user').sub }));
    app.get('/raw', authenticated(), () => new Response('raw', { headers: { vary: 'Accept' } }));
    app.get('/varied', authenticated(), (c) => {
      c.header('Vary', 'Accept-Language');
      return c.text('varied');
    });
    app.get('/moved', authenticated(), () => Response.redirect('https://app.example/elsewhere', 302));
    app.get('/own', authenticated(), (c) => c.text('own', 200, { 'Cache-Control': 'private, max-age=60' }));
    const planted = await app.request('https://app.example/plant');
    const cookie = planted.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    return { app, cookie };
  }

  /** The private-answer rules, asked of `get` (the app in process, or served by @hono/node-server). */
  async function assertPrivateAnswers(get: (path: string) => Response | Promise<Response>) {
    for (const path of ['/json', '/raw', '/varied']) {
      const response = await get(path);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get('cache-control'), 'private, no-store', path);
      assert.match(response.headers.get('vary') ?? '', /\bCookie\b/, path);
    }
    assert.match((await get('/raw')).headers.get('vary') ?? '', /\bAccept\b/, 'the handler’s Vary is kept too');
    assert.match((await get('/varied')).headers.get('vary') ?? '', /\bAccept-Language\b/);
    // Response.redirect()'s headers are immutable: the answer is a private copy.
    const moved = await get('/moved');
    assert.equal(moved.status, 302);
    assert.equal(moved.headers.get('location'), 'https://app.example/elsewhere');
    assert.equal(moved.headers.get('cache-control'), 'private, no-store');
    assert.match(moved.headers.get('vary') ?? '', /\bCookie\b/);
    const own = await get('/own');
    assert.equal(own.headers.get('cache-control'), 'private, max-age=60', 'the handler’s own choice stands');
  }

  it('marks a signed-in answer private whether the handler uses c.json() or builds its own Response', async () => {
    const { app, cookie } = await signedInApp();
    await assertPrivateAnswers((path) => app.request(`https://app.example${path}`, { headers: { cookie } }));
  });

  it('marks them private the same way under @hono/node-server, where the headers go on the Node.js response', async () => {
    const { app, cookie } = await signedInApp();
    const server = createServer(getRequestListener(app.fetch));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      await assertPrivateAnswers((path) =>
        fetch(`http://127.0.0.1:${port}${path}`, { headers: { cookie }, redirect: 'manual' }),
      );
    } finally {
      server.close();
    }
  });

  it('refuses to protect a route without the Logto middleware', async () => {
    const app = new Hono();
    app.get('/page', authenticated(), (c) => c.text('never'));
    const response = await app.request('https://app.example/page');
    assert.equal(response.status, 500);
  });
});
