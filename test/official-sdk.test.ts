// The official Logto Node SDK (`@logto/node`) against the dev server, through the real sign-in and
// registration pages: an app written for Logto works against logto-kit's server unchanged.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import LogtoClient, { UserScope } from '@logto/node';
import { type DevServer, demoWorld, startDevServer } from '@logto-kit/dev-server';
import { CookieJar, confirmSignOut, registerThroughForms, signInThroughForms } from '@logto-kit/dev-server/testing';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';

const shoppingApi = 'https://shopping.your-app.com/api';
/** Never requested: the SDK only needs the URL the server redirects to. */
const callbackUrl = 'http://127.0.0.1:9/callback';
const postLogoutUrl = 'http://127.0.0.1:9/';

function memoryStorage() {
  const values = new Map<string, string>();
  return {
    getItem: async (key: string) => values.get(key) ?? null,
    setItem: async (key: string, value: string) => {
      values.set(key, value);
    },
    removeItem: async (key: string) => {
      values.delete(key);
    },
  };
}

describe('@logto/node against the dev server', () => {
  let server: DevServer;
  let jwks: ReturnType<typeof createRemoteJWKSet>;

  before(async () => {
    const config = structuredClone(demoWorld);
    const webApp = config.applications.find((app) => app.id === 'sample-web-app');
    assert.ok(webApp);
    webApp.redirectUris = [callbackUrl];
    webApp.postLogoutRedirectUris = [postLogoutUrl];
    server = await startDevServer({ port: 0, memory: true, config });
    jwks = createRemoteJWKSet(new URL(`${server.issuer}/jwks`));
  });
  after(() => server.close());

  function sdkClient() {
    const navigation: { url: string } = { url: '' };
    const client = new LogtoClient(
      {
        endpoint: server.url,
        appId: 'sample-web-app',
        appSecret: 'sample-web-app-secret',
        scopes: [
          UserScope.Email,
          UserScope.CustomData,
          UserScope.Organizations,
          UserScope.Roles,
          'shopping:read',
          // Organization scopes reach organization tokens only when asked for at sign-in.
          'read:projects',
          'write:projects',
          'invite:members',
        ],
        resources: [shoppingApi],
      },
      {
        navigate: (url: string) => {
          navigation.url = url;
        },
        storage: memoryStorage(),
      },
    );
    return { client, navigation };
  }

  it('signs in through the pages and gets a resource token, an organization token and userinfo', async () => {
    const { client, navigation } = sdkClient();
    await client.signIn(callbackUrl);
    const jar = new CookieJar();
    const callback = await signInThroughForms(
      navigation.url,
      { username: 'demo', password: 'demo-password' },
      { cookieJar: jar },
    );
    assert.ok(callback.startsWith(`${callbackUrl}?`), callback);
    await client.handleSignInCallback(callback);
    assert.equal(await client.isAuthenticated(), true);

    const claims = await client.getIdTokenClaims();
    assert.equal(claims.iss, server.issuer);
    assert.equal(claims.username, 'demo');
    assert.equal(claims.email, 'demo@example.com');

    const accessToken = await client.getAccessToken(shoppingApi);
    const { payload, protectedHeader } = await jwtVerify(accessToken, jwks, {
      issuer: server.issuer,
      audience: shoppingApi,
      typ: 'at+jwt',
    });
    assert.equal(protectedHeader.alg, 'ES384');
    assert.equal(payload.sub, claims.sub);
    assert.equal(payload.client_id, 'sample-web-app');
    assert.deepEqual(String(payload.scope).split(' '), ['shopping:read']);

    const organizationToken = await client.getOrganizationToken('org-acme');
    const organization = await jwtVerify(organizationToken, jwks, {
      issuer: server.issuer,
      audience: 'urn:logto:organization:org-acme',
    });
    assert.equal(organization.payload.sub, claims.sub);
    assert.deepEqual(String(organization.payload.scope).split(' ').sort(), [
      'invite:members',
      'read:projects',
      'write:projects',
    ]);

    const userinfo = await client.fetchUserInfo();
    assert.equal(userinfo.sub, claims.sub);
    assert.deepEqual(userinfo.custom_data, { plan: 'pro' });

    // Signing out at the server ends the session kept in the jar.
    await client.signOut(postLogoutUrl);
    assert.equal(await client.isAuthenticated(), false);
    assert.equal(await confirmSignOut(navigation.url, jar), postLogoutUrl);
    const next = sdkClient();
    await next.client.signIn(callbackUrl);
    await assert.rejects(
      signInThroughForms(next.navigation.url, { username: 'demo', password: 'wrong-password' }, { cookieJar: jar }),
      /Incorrect username\/email or password/,
    );
  });

  it('opens registration first for firstScreen=register and signs the new user in', async () => {
    const { client, navigation } = sdkClient();
    await client.signIn({ redirectUri: callbackUrl, firstScreen: 'register' });
    assert.equal(new URL(navigation.url).searchParams.get('first_screen'), 'register');
    const callback = await registerThroughForms(navigation.url, {
      username: 'sdk_user',
      email: 'sdk_user@example.com',
      password: 'sdk-user-password',
    });
    await client.handleSignInCallback(callback);
    const claims = await client.getIdTokenClaims();
    assert.equal(claims.username, 'sdk_user');
    assert.equal(claims.email, 'sdk_user@example.com');
    // No roles: the resource token is issued with the scope dropped, as Logto does.
    const accessToken = await client.getAccessToken(shoppingApi);
    assert.equal(decodeJwt(accessToken).scope, '');
  });
});
