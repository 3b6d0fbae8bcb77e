// M2mClient against the real dev server: the demo world's machine-to-machine app `sample-m2m`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type DevServer, startDevServer } from '@logto-kit/dev-server';
import { decodeJwt } from 'jose';
import { LogtoError } from './errors.ts';
import { M2mClient, type M2mClientOptions } from './m2m-client.ts';

const shopping = 'https://shopping.your-app.com/api';

describe('M2mClient against the dev server', () => {
  let server: DevServer;
  let tokenRequests = 0;
  const counting: typeof fetch = (input, init) => {
    if (new Request(input, init).url.endsWith('/oidc/token')) tokenRequests += 1;
    return fetch(input, init);
  };

  before(async () => {
    server = await startDevServer({ port: 0, memory: true });
  });
  after(() => server.close());

  function m2m(appSecret = 'sample-m2m-secret', options: M2mClientOptions = {}) {
    return new M2mClient({ endpoint: server.url, appId: 'sample-m2m', appSecret }, { fetch: counting, ...options });
  }

  it("gets a token for the shopping API with the scope of the app's role", async () => {
    const claims = decodeJwt(await m2m().getAccessToken({ resource: shopping, scopes: ['shopping:read'] }));
    assert.equal(claims.aud, shopping);
    assert.equal(claims.sub, 'sample-m2m');
    assert.equal(claims.client_id, 'sample-m2m');
    assert.equal(claims.scope, 'shopping:read');
  });

  it('makes one token request for 100 concurrent callers', async () => {
    const client = m2m();
    const before = tokenRequests;
    const tokens = await Promise.all(
      Array.from({ length: 100 }, () => client.getAccessToken({ resource: shopping, scopes: ['shopping:read'] })),
    );
    assert.equal(tokenRequests - before, 1);
    assert.equal(new Set(tokens).size, 1);
  });

  it('renews the token shortly before it expires (injected clock)', async () => {
    let offset = 0;
    const client = m2m(undefined, { now: () => Date.now() + offset });
    const first = await client.getAccessToken({ resource: shopping });
    offset = (3600 - 59) * 1000;
    const renewed = await client.getAccessToken({ resource: shopping });
    assert.notEqual(renewed, first);
    assert.notEqual(decodeJwt(renewed).jti, decodeJwt(first).jti);
  });

  it("refuses a wrong secret and an unknown resource with the provider's error and Logto's code", async () => {
    await assert.rejects(m2m('wrong-secret').getAccessToken({ resource: shopping }), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.code, 'token_request_failed');
      assert.equal(error.error, 'invalid_client');
      assert.equal(error.logtoCode, 'oidc.invalid_client');
      assert.equal(error.status, 401);
      return true;
    });
    await assert.rejects(m2m().getAccessToken({ resource: 'https://unknown.example/api' }), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.error, 'invalid_target');
      assert.equal(error.logtoCode, 'oidc.invalid_target');
      return true;
    });
  });

  it('refuses an organization the app is not a member of with organization_access_denied (403)', async () => {
    await assert.rejects(m2m().getAccessToken({ organizationId: 'org-acme' }), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.code, 'organization_access_denied');
      assert.equal(error.error, 'access_denied');
      assert.equal(error.logtoCode, 'oidc.access_denied');
      assert.equal(error.status, 403);
      return true;
    });
  });
});
