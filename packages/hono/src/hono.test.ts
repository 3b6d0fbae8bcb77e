import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogtoError } from '@logto-kit/client';
import { Hono } from 'hono';
import { authenticated } from './authenticated.ts';
import { createLogto } from './hono.ts';
import type { LogtoEnv } from './variables.ts';

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
      c.get('logtoSession').set('seen', 'yes');
      return c.text('ok');
    });
    const secure = await app.request('https://app.example/remember');
    assert.match(secure.headers.getSetCookie().join('\n'), /; Secure/);
    const plain = await app.request('http://app.example/remember');
    assert.match(plain.headers.getSetCookie().join('\n'), /logto_session=/);
    assert.doesNotMatch(plain.headers.getSetCookie().join('\n'), /; Secure/);
  });

  it('refuses to protect a route without the Logto middleware', async () => {
    const app = new Hono();
    app.get('/page', authenticated(), (c) => c.text('never'));
    const response = await app.request('https://app.example/page');
    assert.equal(response.status, 500);
  });
});
