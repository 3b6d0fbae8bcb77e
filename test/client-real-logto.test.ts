// @logto-kit/client against the real Logto (v1.37.1): machine-to-machine tokens (including a
// Management API call) and the client methods that talk to the token endpoint, signed in through
// the Experience API as Logto's own sign-in UI does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LogtoClient, LogtoError, M2mClient, MemoryStorage, UserScope } from '@logto-kit/client';
import { decodeJwt } from 'jose';
import { Browser } from './conformance/browser.ts';
import { type RealLogto, startRealLogto } from './real-logto.ts';

const shopping = 'https://shopping.your-app.com/api';
const store = 'https://store.your-app.com/api';
const redirectUri = 'http://localhost:3000/callback';

const logto = await startRealLogto();

function rejectsWith(promise: Promise<unknown>, check: (error: LogtoError) => void): Promise<void> {
  return assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof LogtoError, `expected a LogtoError, got ${String(error)}`);
    check(error);
    return true;
  });
}

describe('@logto-kit/client against the real Logto', { skip: logto ? false : 'no built Logto v1.37.1' }, () => {
  let server: RealLogto;
  let tokenRequests = 0;
  const counting: typeof fetch = (input, init) => {
    if (new Request(input, init).url.endsWith('/oidc/token')) tokenRequests += 1;
    return fetch(input, init);
  };

  before(() => {
    server = logto as RealLogto;
  });
  after(() => server.close());

  const sampleM2m = (appSecret = 'sample-m2m-secret') =>
    new M2mClient({ endpoint: server.endpoint, appId: 'sample-m2m', appSecret }, { fetch: counting });

  describe('M2mClient', () => {
    it('calls the Management API (GET /api/users) with a token of the seed M2M app', async () => {
      const { id, secret, resource, scope } = server.world.managementM2m;
      const m2m = new M2mClient({ endpoint: server.endpoint, appId: id, appSecret: secret }, { fetch: counting });
      const before = tokenRequests;
      const tokens = await Promise.all(
        Array.from({ length: 100 }, () => m2m.getAccessToken({ resource, scopes: [scope] })),
      );
      assert.equal(tokenRequests - before, 1, '100 concurrent callers, one token request');
      assert.equal(new Set(tokens).size, 1);
      const claims = decodeJwt(tokens[0] ?? '');
      assert.equal(claims.aud, resource);
      assert.equal(claims.scope, 'all');
      const response = await fetch(`${server.endpoint}/api/users`, {
        headers: { authorization: `Bearer ${tokens[0]}` },
      });
      assert.equal(response.status, 200);
      const users = (await response.json()) as { username: string }[];
      assert.deepEqual(users.map((user) => user.username).sort(), ['admin', 'alice', 'demo']);
    });

    it("gets a resource token with the scopes of the app's role, and none beyond them", async () => {
      const m2m = sampleM2m();
      const claims = decodeJwt(
        await m2m.getAccessToken({ resource: shopping, scopes: ['shopping:read', 'shopping:write'] }),
      );
      assert.equal(claims.aud, shopping);
      assert.equal(claims.sub, 'sample-m2m');
      assert.equal(claims.scope, 'shopping:read');
      const none = decodeJwt(await m2m.getAccessToken({ resource: store, scopes: ['store:read'] }));
      assert.equal(none.aud, store);
      assert.equal(none.scope, undefined, 'an empty scope is omitted');
    });

    it('gets an organization token once the app belongs to the organization, and is refused before', async () => {
      const organization = (await server.management('POST', '/organizations', {
        name: `M2M ${Date.now()}`,
      })) as { id: string };
      const m2m = sampleM2m();
      await rejectsWith(m2m.getAccessToken({ organizationId: organization.id }), (error) => {
        assert.equal(error.code, 'organization_access_denied');
        assert.equal(error.error, 'access_denied');
        assert.equal(error.logtoCode, 'oidc.access_denied');
        assert.equal(error.status, 403);
      });
      // Logto answers this one with the text "Created", not JSON: called here rather than through the harness.
      const { id, secret, resource, scope } = server.world.managementM2m;
      const management = new M2mClient({ endpoint: server.endpoint, appId: id, appSecret: secret });
      const added = await fetch(`${server.endpoint}/api/organizations/${organization.id}/applications`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await management.getAccessToken({ resource, scopes: [scope] })}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ applicationIds: ['sample-m2m'] }),
      });
      assert.equal(added.status, 201);
      const claims = decodeJwt(await m2m.getAccessToken({ organizationId: organization.id }));
      assert.equal(claims.aud, `urn:logto:organization:${organization.id}`);
      assert.equal(claims.sub, 'sample-m2m');
      const within = decodeJwt(await m2m.getAccessToken({ resource: shopping, organizationId: organization.id }));
      assert.equal(within.aud, shopping);
      assert.equal(within.organization_id, organization.id);
    });

    it("refuses a wrong secret and an unknown resource with the OAuth error and Logto's code", async () => {
      await rejectsWith(sampleM2m('wrong-secret').getAccessToken({ resource: shopping }), (error) => {
        assert.equal(error.code, 'token_request_failed');
        assert.equal(error.error, 'invalid_client');
        assert.equal(error.logtoCode, 'oidc.invalid_client');
        assert.equal(error.status, 401);
      });
      await rejectsWith(sampleM2m().getAccessToken({ resource: 'https://unknown.example/api' }), (error) => {
        assert.equal(error.error, 'invalid_target');
        assert.equal(error.logtoCode, 'oidc.invalid_target');
        assert.equal(error.status, 400);
      });
    });
  });

  describe('LogtoClient', () => {
    /** Signs a user in: the client's authorization URL, Logto's Experience API, the client's callback. */
    async function signedIn(username: string, password: string, scopes: string[]) {
      const storage = new MemoryStorage();
      const client = new LogtoClient(
        {
          endpoint: server.endpoint,
          appId: server.world.webApp.id,
          appSecret: server.world.webApp.secret,
          scopes,
          resources: [shopping, store],
        },
        { storage },
      );
      const browser = new Browser(server.endpoint);
      const authorization = await browser.fetch(await client.signIn(redirectUri));
      assert.equal(authorization.status, 303);
      await browser.json('/api/experience', 'PUT', { interactionEvent: 'SignIn' });
      const verification = await browser.json('/api/experience/verification/password', 'POST', {
        identifier: { type: 'username', value: username },
        password,
      });
      const { verificationId } = (await verification.json()) as { verificationId: string };
      await browser.json('/api/experience/identification', 'POST', { verificationId });
      const { redirectTo } = (await (await browser.json('/api/experience/submit', 'POST', {})).json()) as {
        redirectTo: string;
      };
      let next = new URL(redirectTo, server.endpoint);
      for (let hop = 0; next.origin === server.endpoint && hop < 10; hop += 1) {
        const response = await browser.fetch(next.href);
        next = new URL(response.headers.get('location') ?? '', next);
      }
      assert.equal(await client.isSignInRedirected(next.href), true);
      await client.handleSignInCallback(next.href);
      return { client, storage };
    }

    it('narrows a resource token to the scopes asked (the refresh grant scope)', async () => {
      const { client } = await signedIn('admin', 'admin-password', ['shopping:read', 'shopping:write']);
      assert.deepEqual((await client.getAccessTokenClaims(shopping)).scope?.split(' ').sort(), [
        'shopping:read',
        'shopping:write',
      ]);
      assert.equal((await client.getAccessTokenClaims(shopping, { scopes: ['shopping:read'] })).scope, 'shopping:read');
    });

    it('getContext gathers the claims, several resource tokens and every organization token', async () => {
      const { client } = await signedIn('demo', 'demo-password', [
        UserScope.Organizations,
        'shopping:read',
        'store:read',
        'read:projects',
      ]);
      const context = await client.getContext({
        getAccessToken: true,
        resource: shopping,
        resources: [shopping, store],
        getOrganizationToken: true,
        fetchUserInfo: true,
      });
      assert.equal(context.isAuthenticated, true);
      assert.equal(context.claims?.username, 'demo');
      assert.equal(context.userInfo?.sub, context.claims?.sub);
      assert.deepEqual(context.scopes, ['shopping:read']);
      assert.equal(decodeJwt(context.accessTokens?.[store] ?? '').aud, store);
      const acme = server.world.organizations['Acme Inc.'] ?? '';
      const globex = server.world.organizations.Globex ?? '';
      assert.deepEqual(Object.keys(context.organizationTokens ?? {}).sort(), [acme, globex].sort());
      assert.equal(decodeJwt(context.organizationTokens?.[acme] ?? '').aud, `urn:logto:organization:${acme}`);
      const narrowed = await client.getOrganizationTokenClaims(globex, { scopes: ['read:projects'] });
      assert.equal(narrowed.scope, 'read:projects');
    });

    it("carries Logto's code on a refused refresh token, and clears the session", async () => {
      const { client, storage } = await signedIn('alice', 'alice-password', []);
      storage.set('logto.refreshToken', 'not-a-refresh-token');
      await rejectsWith(client.getAccessToken(shopping), (error) => {
        assert.equal(error.code, 'not_authenticated');
        assert.equal(error.error, 'invalid_grant');
        assert.equal(error.logtoCode, 'oidc.invalid_grant');
      });
      assert.equal(await client.isAuthenticated(), false);
    });
  });
});
