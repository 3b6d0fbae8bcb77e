/**
 * The example API's routes (SPEC §2) against a real dev server, whatever framework serves them:
 * tokens come from the identity server's own token endpoint (machine-to-machine) and from a user
 * signing in through its pages (organization token). `examples/api` (Express) and
 * `examples/fastify-api` run it against their app.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LogtoClient, MemoryStorage } from '@logto-kit/client';
import { type DevServer, startDevServer } from '@logto-kit/dev-server';
import { signInThroughForms } from '@logto-kit/dev-server/testing';

/** The API resource indicator of the example API. */
const shoppingApi = 'https://shopping.your-app.com/api';

/** A started example API. */
export interface StartedApi {
  url: string;
  close(): Promise<void>;
}

/** Describes the example API's behaviour; `start` serves the app against the given Logto endpoint on port 0. */
export function describeExampleApi(name: string, start: (endpoint: string) => Promise<StartedApi>): void {
  let devServer: DevServer;
  let api: StartedApi;
  let base = '';

  before(async () => {
    devServer = await startDevServer({ port: 0, memory: true });
    api = await start(devServer.url);
    base = api.url;
  });

  after(async () => {
    await api.close();
    await devServer.close();
  });

  async function machineToMachineToken(scope: string): Promise<string> {
    const response = await fetch(`${devServer.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('sample-m2m:sample-m2m-secret').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: shoppingApi, scope }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    const { access_token: accessToken } = (await response.json()) as { access_token: string };
    return accessToken;
  }

  const call = (path: string, token?: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    });

  describe(`example API (${name}) with tokens from the dev server`, () => {
    it('answers /api/health without a token', async () => {
      const response = await call('/api/health');
      assert.equal(response.status, 200);
    });

    it('refuses /api/products without a token (401, Bearer challenge)', async () => {
      const response = await call('/api/products');
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('www-authenticate'), 'Bearer');
      assert.equal((await response.json()).code, 'auth.authorization_header_missing');
    });

    it('serves GET /api/products to the machine-to-machine app and refuses it POST (no shopping:write)', async () => {
      const token = await machineToMachineToken('shopping:read');
      const read = await call('/api/products', token);
      assert.equal(read.status, 200);
      const body = await read.json();
      assert.equal(body.sub, 'sample-m2m');
      assert.ok(Array.isArray(body.products));

      const write = await call('/api/products', token, { method: 'POST', body: JSON.stringify({ name: 'Cap' }) });
      assert.equal(write.status, 403);
      assert.match(write.headers.get('www-authenticate') ?? '', /error="insufficient_scope".*scope="shopping:write"/);
      assert.equal((await write.json()).code, 'insufficient_scope');
    });

    it('answers the CORS preflight allowing the Authorization header', async () => {
      const response = await fetch(`${base}/api/products`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:3000',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
      assert.equal(response.status, 204);
      assert.match(response.headers.get('access-control-allow-headers') ?? '', /Authorization/i);
      assert.ok(response.headers.get('access-control-allow-origin'));
    });

    it("serves a user's organization projects only with that organization's token", async () => {
      const client = new LogtoClient(
        {
          endpoint: devServer.url,
          appId: 'sample-web-app',
          appSecret: 'sample-web-app-secret',
          // Organization tokens carry only the organization scopes requested at sign-in (as Logto's).
          scopes: ['urn:logto:scope:organizations', 'urn:logto:scope:organization_roles', 'read:projects'],
          resources: [shoppingApi],
        },
        { storage: new MemoryStorage() },
      );
      const signInUrl = await client.signIn('http://localhost:3000/callback');
      await client.handleSignInCallback(
        await signInThroughForms(signInUrl, { username: 'demo', password: 'demo-password' }),
      );
      const acmeToken = await client.getOrganizationToken('org-acme');

      const acme = await call('/api/organizations/org-acme/projects', acmeToken);
      assert.equal(acme.status, 200);
      const body = await acme.json();
      assert.equal(body.organizationId, 'org-acme');
      assert.equal(typeof body.sub, 'string');

      const globex = await call('/api/organizations/org-globex/projects', acmeToken);
      assert.equal(globex.status, 401);
      assert.equal((await globex.json()).code, 'invalid_token');

      // An organization token is not a token for the shopping API.
      const products = await call('/api/products', acmeToken);
      assert.equal(products.status, 401);
    });
  });
}
