// The official Logto Node SDK (`@logto/node`) against the dev server: the compatibility promise.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import LogtoClient, { UserScope } from '@logto/node';
import { seededUserId } from './accounts.ts';
import { type DevServer, startDevServer } from './server.ts';
import { decodeJwt, demoUser, shoppingApi, webApp } from './test-support/flow.ts';
import { signInThroughForms } from './testing.ts';

function memoryStorage() {
  const values = new Map<string, string>();
  return {
    getItem: async (key: string) => values.get(key) ?? null,
    setItem: async (key: string, value: string) => void values.set(key, value),
    removeItem: async (key: string) => void values.delete(key),
  };
}

describe('official Logto SDK (@logto/node) against the dev server', () => {
  let server: DevServer;
  before(async () => {
    server = await startDevServer({ port: 0, memory: true });
  });
  after(() => server.close());

  it('signs in, reads claims and userinfo, gets resource and organization tokens, and signs out', async () => {
    let navigatedTo = '';
    const client = new LogtoClient(
      {
        endpoint: server.url,
        appId: webApp.id,
        appSecret: webApp.secret,
        scopes: [UserScope.Email, UserScope.CustomData, UserScope.Organizations, 'shopping:read'],
        resources: [shoppingApi],
      },
      {
        navigate: (url: string) => {
          navigatedTo = url;
        },
        storage: memoryStorage(),
      },
    );

    await client.signIn(webApp.redirectUri);
    const callbackUrl = await signInThroughForms(navigatedTo, demoUser);
    await client.handleSignInCallback(callbackUrl);

    assert.equal(await client.isAuthenticated(), true);
    const claims = await client.getIdTokenClaims();
    assert.equal(claims.sub, seededUserId('demo'));
    assert.equal(claims.email, 'demo@example.com');
    assert.deepEqual(claims.organizations, ['org-acme', 'org-globex']);

    const userinfo = await client.fetchUserInfo();
    assert.deepEqual(userinfo.custom_data, { plan: 'pro' });

    const accessToken = await client.getAccessToken(shoppingApi);
    const { payload } = decodeJwt(accessToken);
    assert.equal(payload.aud, shoppingApi);
    assert.equal(payload.scope, 'shopping:read');

    const organizationToken = await client.getOrganizationToken('org-acme');
    assert.equal(decodeJwt(organizationToken).payload.aud, 'urn:logto:organization:org-acme');

    await client.signOut(webApp.postLogoutRedirectUri);
    const endSession = new URL(navigatedTo);
    assert.equal(`${endSession.origin}${endSession.pathname}`, `${server.issuer}/session/end`);
    assert.equal(endSession.searchParams.get('post_logout_redirect_uri'), webApp.postLogoutRedirectUri);
    assert.equal(await client.isAuthenticated(), false);
  });
});
