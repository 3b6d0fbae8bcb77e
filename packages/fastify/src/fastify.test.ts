import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogtoError } from '@logto-kit/client';
import Fastify from 'fastify';
import { authenticated } from './authenticated.ts';
import { createLogto } from './fastify.ts';

// The shared adapter suite (test/adapters) covers the routes against a real dev server; these
// cover what only this adapter has.
const config = {
  endpoint: 'http://127.0.0.1:9',
  appId: 'app',
  appSecret: 'secret',
  baseUrl: 'https://app.example',
  session: { secrets: ['fastify-adapter-test-secret-0123456789abcdef'] },
};

describe('@logto-kit/fastify', () => {
  it('renders a failed callback with onCallbackError, not cached', async () => {
    const app = Fastify();
    await app.register(
      createLogto({
        ...config,
        onCallbackError: (error, request, reply) =>
          reply.code(418).send({ code: error instanceof LogtoError ? error.code : 'unknown', url: request.url }),
      }).middleware,
    );
    const response = await app.inject({ url: '/callback?code=c&state=unknown' });
    assert.equal(response.statusCode, 418);
    assert.equal(response.headers['cache-control'], 'private, no-store');
    assert.deepEqual(response.json(), { code: 'callback_state_mismatch', url: '/callback?code=c&state=unknown' });
  });

  it('accepts a sign-out form of any content type (the body is ignored)', async () => {
    const app = Fastify();
    await app.register(createLogto(config).middleware);
    for (const [type, payload] of [
      ['application/x-www-form-urlencoded', 'a=1'],
      ['multipart/form-data; boundary=x', '--x--'],
      ['text/plain', 'x'],
    ] as const) {
      const response = await app.inject({
        method: 'POST',
        url: '/sign-out',
        headers: { 'content-type': type, 'sec-fetch-site': 'same-origin' },
        payload,
      });
      // No provider is reachable here: the sign-out fails at discovery, but not at the body.
      assert.notEqual(response.statusCode, 415, type);
    }
  });

  it('keeps the app’s own content-type parsers for its routes', async () => {
    const app = Fastify();
    await app.register(createLogto(config).middleware);
    app.post('/echo', async (request) => request.body);
    const response = await app.inject({ method: 'POST', url: '/echo', payload: { a: 1 } });
    assert.deepEqual(response.json(), { a: 1 });
  });

  it('marks session cookies Secure when Fastify trusts a proxy that says https', async () => {
    const app = Fastify({ trustProxy: true });
    await app.register(createLogto(config).middleware);
    app.get('/remember', async (request) => {
      request.logto.session.set('seen', 'yes');
      return 'ok';
    });
    const secure = await app.inject({ url: '/remember', headers: { 'x-forwarded-proto': 'https' } });
    assert.match(String(secure.headers['set-cookie']), /; Secure/);
    const plain = await app.inject({ url: '/remember' });
    assert.match(String(plain.headers['set-cookie']), /logto_session=/);
    assert.doesNotMatch(String(plain.headers['set-cookie']), /; Secure/);
  });

  it('refuses to protect a route without the Logto plugin', async () => {
    const app = Fastify();
    app.get('/page', { preHandler: authenticated() }, async () => 'never');
    assert.equal((await app.inject({ url: '/page' })).statusCode, 500);
  });
});
