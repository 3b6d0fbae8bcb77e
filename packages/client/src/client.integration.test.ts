// LogtoClient against the real dev server: the demo world, signed in through the real pages.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type DevServer, type DevServerConfig, demoWorld, startDevServer } from '@logto-kit/dev-server';
import { CookieJar, registerThroughForms, signInThroughForms } from '@logto-kit/dev-server/testing';
import { LogtoClient, type LogtoClientOptions } from './client.ts';
import { LogtoError } from './errors.ts';
import { UserScope } from './scopes.ts';
import { MemoryStorage } from './storage.ts';

const redirectUri = 'http://app.test/callback';
const postLogoutRedirectUri = 'http://app.test/';
const shopping = 'https://shopping.your-app.com/api';
const store = 'https://store.your-app.com/api';

function testWorld(): DevServerConfig {
  const config = structuredClone(demoWorld);
  const demo = config.users.find((user) => user.username === 'demo');
  if (demo) {
    demo.address = { formatted: '1 Demo Street, Springfield', country: 'US' };
    demo.profile = { given_name: 'Demo', locale: 'en-US' };
  }
  if (!config.users.some((user) => user.username === 'admin')) {
    config.users.push({ username: 'admin', password: 'admin-password', email: 'admin@example.com', roles: ['admin'] });
  }
  for (const app of config.applications) {
    if (app.id === 'sample-web-app') {
      app.redirectUris = [redirectUri];
      app.postLogoutRedirectUris = [postLogoutRedirectUri];
    }
  }
  return config;
}

const allScopes = [
  UserScope.Email,
  UserScope.Phone,
  UserScope.Address,
  UserScope.CustomData,
  UserScope.Identities,
  UserScope.Roles,
  UserScope.Organizations,
  UserScope.OrganizationRoles,
  // Organization scopes reach organization tokens only when asked for at sign-in.
  'read:projects',
  'write:projects',
  'invite:members',
  'shopping:read',
  'shopping:write',
  'store:read',
  'store:write',
  // Organization tokens carry only the organization scopes requested at sign-in (as Logto's).
  'read:projects',
  'write:projects',
  'invite:members',
];

/** The HTML of the first page an authorization URL leads to, following redirects with cookies. */
async function firstPage(url: string): Promise<string> {
  const jar = new CookieJar();
  let current = url;
  for (let step = 0; step < 10; step++) {
    const cookie = jar.header(current);
    const response = await fetch(current, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    jar.store(current, response.headers);
    const location = response.headers.get('location');
    if (!location) return response.text();
    await response.body?.cancel();
    current = new URL(location, current).href;
  }
  throw new Error(`too many redirects from ${url}`);
}

describe('LogtoClient against the dev server', () => {
  let server: DevServer;
  before(async () => {
    server = await startDevServer({ port: 0, memory: true, config: testWorld() });
  });
  after(() => server.close());

  function client(options: LogtoClientOptions = {}) {
    return new LogtoClient(
      {
        endpoint: server.url,
        appId: 'sample-web-app',
        appSecret: 'sample-web-app-secret',
        scopes: allScopes,
        resources: [shopping, store],
      },
      { storage: new MemoryStorage(), ...options },
    );
  }

  async function signedIn(username: string, password: string, options: LogtoClientOptions = {}) {
    const rp = client(options);
    const callbackUrl = await signInThroughForms(await rp.signIn(redirectUri), { username, password });
    await rp.handleSignInCallback(callbackUrl);
    return rp;
  }

  let demo: LogtoClient;
  before(async () => {
    demo = await signedIn('demo', 'demo-password');
  });

  it('signs in: the callback yields a verified ID token and a refresh token', async () => {
    assert.equal(await demo.isAuthenticated(), true);
    assert.ok(await demo.getRefreshToken());
    const claims = await demo.getIdTokenClaims();
    assert.equal(claims.iss, server.issuer);
    assert.equal(claims.aud, 'sample-web-app');
  });

  it('the ID token carries the claims of every requested scope', async () => {
    const claims = await demo.getIdTokenClaims();
    assert.equal(typeof claims.sub, 'string');
    assert.equal(claims.name, 'Demo User');
    assert.equal(claims.username, 'demo');
    assert.equal(claims.picture, null);
    assert.ok(typeof claims.created_at === 'number' && claims.created_at > 1e12, 'created_at in milliseconds');
    assert.ok(typeof claims.updated_at === 'number' && claims.updated_at > 1e12, 'updated_at in milliseconds');
    assert.equal(claims.email, 'demo@example.com');
    assert.equal(claims.email_verified, true);
    assert.equal(claims.phone_number, '15555550100');
    assert.equal(claims.phone_number_verified, true);
    assert.deepEqual(claims.roles, ['shopper']);
    assert.deepEqual([...(claims.organizations ?? [])].sort(), ['org-acme', 'org-globex']);
    assert.deepEqual([...(claims.organization_roles ?? [])].sort(), ['org-acme:admin', 'org-globex:member']);
    assert.deepEqual(claims.address, { formatted: '1 Demo Street, Springfield', country: 'US' });
    assert.equal(claims.given_name, 'Demo');
    assert.equal(claims.locale, 'en-US');
    assert.equal(claims.family_name, undefined, 'unset optional profile claims are omitted');
    assert.equal(claims.custom_data, undefined, 'custom_data is userinfo-only');
    assert.equal(claims.identities, undefined, 'identities is userinfo-only');
    assert.equal(claims.organization_data, undefined, 'organization_data is userinfo-only');
  });

  it('userinfo adds custom_data and organization_data', async () => {
    const userinfo = await demo.fetchUserInfo();
    assert.equal(userinfo.sub, (await demo.getIdTokenClaims()).sub);
    assert.deepEqual(userinfo.custom_data, { plan: 'pro' });
    assert.deepEqual(userinfo.identities, {});
    assert.deepEqual(userinfo.sso_identities, []);
    const organizations = [...(userinfo.organization_data ?? [])].sort((a, b) => a.id.localeCompare(b.id));
    assert.deepEqual(organizations, [
      { id: 'org-acme', name: 'Acme Inc.', description: null },
      { id: 'org-globex', name: 'Globex', description: null },
    ]);
  });

  it('gets an access token per demo API with the scopes the roles grant', async () => {
    const shoppingClaims = await demo.getAccessTokenClaims(shopping);
    assert.equal(shoppingClaims.aud, shopping);
    assert.equal(shoppingClaims.scope, 'shopping:read');
    assert.equal(shoppingClaims.client_id, 'sample-web-app');
    const storeClaims = await demo.getAccessTokenClaims(store);
    assert.equal(storeClaims.aud, store);
    assert.equal(storeClaims.scope, 'store:read');
    assert.equal(shoppingClaims.sub, storeClaims.sub);
  });

  it('gets organization tokens for org-acme and org-globex', async () => {
    const acme = await demo.getOrganizationTokenClaims('org-acme');
    assert.equal(acme.aud, 'urn:logto:organization:org-acme');
    assert.deepEqual((acme.scope ?? '').split(' ').sort(), ['invite:members', 'read:projects', 'write:projects']);
    const globex = await demo.getOrganizationTokenClaims('org-globex');
    assert.equal(globex.aud, 'urn:logto:organization:org-globex');
    assert.equal(globex.scope, 'read:projects');
  });

  it('gets a resource token within an organization: aud is the resource, organization_id is set', async () => {
    const claims = await demo.getAccessTokenClaims(shopping, 'org-acme');
    assert.equal(claims.aud, shopping);
    assert.equal(claims.organization_id, 'org-acme');
  });

  it('refuses an organization the user is not a member of with organization_access_denied', async () => {
    const alice = await signedIn('alice', 'alice-password');
    await assert.rejects(alice.getOrganizationToken('org-acme'), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.code, 'organization_access_denied');
      assert.equal(error.error, 'access_denied');
      return true;
    });
    assert.equal((await alice.getOrganizationTokenClaims('org-globex')).scope, 'read:projects');
  });

  it('the sign-up URL opens the registration screen, and a new account signs in', async () => {
    const rp = client();
    const url = await rp.signIn({ redirectUri, interactionMode: 'signUp', firstScreen: 'register' });
    const params = new URL(url).searchParams;
    assert.equal(params.get('interaction_mode'), 'signUp');
    assert.equal(params.get('first_screen'), 'register');
    const html = await firstPage(url);
    assert.match(html, /name="username"/, 'the first screen is the registration form');
    assert.doesNotMatch(html, /name="identifier"/, 'not the sign-in form');
    const callbackUrl = await registerThroughForms(url, { username: 'newcomer', password: 'newcomer-password-1' });
    await rp.handleSignInCallback(callbackUrl);
    const claims = await rp.getIdTokenClaims();
    assert.equal(claims.username, 'newcomer');
  });

  it('refreshes expired access tokens on the injected clock, one token request for concurrent callers', async () => {
    let offset = 0;
    let tokenRequests = 0;
    const counting: typeof fetch = (input, init) => {
      if (String(input instanceof Request ? input.url : input).endsWith('/oidc/token')) tokenRequests += 1;
      return fetch(input, init);
    };
    const rp = await signedIn('demo', 'demo-password', { now: () => Date.now() + offset, fetch: counting });
    const first = await rp.getAccessTokenClaims(shopping);
    offset = 3600 * 1000;
    const before = tokenRequests;
    const tokens = await Promise.all(Array.from({ length: 20 }, () => rp.getAccessToken(shopping)));
    assert.equal(tokenRequests - before, 1);
    assert.equal(new Set(tokens).size, 1);
    const second = await rp.getAccessTokenClaims(shopping);
    assert.notEqual(second.jti, first.jti);
    assert.equal(second.sub, first.sub);
  });

  it('narrows a resource token to the scopes asked (the refresh grant scope)', async () => {
    const admin = await signedIn('admin', 'admin-password');
    assert.deepEqual((await admin.getAccessTokenClaims(shopping)).scope?.split(' ').sort(), [
      'shopping:read',
      'shopping:write',
    ]);
    const narrowed = await admin.getAccessTokenClaims(shopping, { scopes: ['shopping:read'] });
    assert.equal(narrowed.scope, 'shopping:read');
  });

  it('getContext gathers the claims, userinfo, several resource tokens and every organization token', async () => {
    const context = await demo.getContext({
      fetchUserInfo: true,
      getAccessToken: true,
      resource: shopping,
      resources: [shopping, store],
      getOrganizationToken: true,
    });
    assert.equal(context.isAuthenticated, true);
    assert.equal(context.claims?.username, 'demo');
    assert.deepEqual(context.userInfo?.custom_data, { plan: 'pro' });
    assert.deepEqual(context.scopes, ['shopping:read']);
    assert.deepEqual(Object.keys(context.accessTokens ?? {}).sort(), [shopping, store]);
    assert.deepEqual(Object.keys(context.organizationTokens ?? {}).sort(), ['org-acme', 'org-globex']);
  });

  it('isSignInRedirected recognizes the callback of a sign-in in progress', async () => {
    const rp = client();
    const callbackUrl = await signInThroughForms(await rp.signIn(redirectUri), {
      username: 'alice',
      password: 'alice-password',
    });
    assert.equal(await rp.isSignInRedirected(callbackUrl), true);
    assert.equal(await rp.isSignInRedirected(postLogoutRedirectUri), false);
    await rp.handleSignInCallback(callbackUrl);
    assert.equal(await rp.isSignInRedirected(callbackUrl), false);
  });

  it("carries Logto's own code (oidc.invalid_grant) on a refused refresh token", async () => {
    const storage = new MemoryStorage();
    const rp = await signedIn('alice', 'alice-password', { storage });
    storage.set('logto.refreshToken', 'not-a-refresh-token');
    await assert.rejects(rp.getAccessToken(shopping), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.code, 'not_authenticated');
      assert.equal(error.error, 'invalid_grant');
      assert.equal(error.logtoCode, 'oidc.invalid_grant');
      return true;
    });
  });

  it('signs out: the end-session URL, and the refresh token is revoked', async () => {
    const rp = await signedIn('alice', 'alice-password');
    const idToken = await rp.getIdToken();
    const refreshToken = await rp.getRefreshToken();
    const url = new URL(await rp.signOut(postLogoutRedirectUri));
    assert.equal(`${url.origin}${url.pathname}`, `${server.issuer}/session/end`);
    assert.equal(url.searchParams.get('client_id'), 'sample-web-app');
    assert.equal(url.searchParams.get('post_logout_redirect_uri'), postLogoutRedirectUri);
    assert.ok(idToken && !url.href.includes(idToken), 'the ID token stays out of the URL');
    assert.equal(await rp.isAuthenticated(), false);
    const storage = new MemoryStorage();
    storage.set('logto.refreshToken', refreshToken ?? '');
    const revoked = client({ storage });
    await assert.rejects(revoked.getAccessToken(shopping), { code: 'not_authenticated' });
  });
});
