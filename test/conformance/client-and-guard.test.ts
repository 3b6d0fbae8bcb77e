// The project's client and API guard against both servers: one test body signs in through
// `@logto-kit/client` (the browser part through the Experience API), reads claims and userinfo,
// gets resource and organization tokens, verifies them with `@logto-kit/api`, and signs out.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccessTokenVerifier } from '@logto-kit/api';
import { LogtoClient, MemoryStorage, UserScope } from '@logto-kit/client';
import { Browser } from './browser.ts';
import { followToApp } from './flows.ts';
import { apps, type ServerUnderTest, shoppingApi, startDevServerUnderTest, startLogtoUnderTest } from './servers.ts';

const [logto, devServer] = await Promise.all([startLogtoUnderTest(), startDevServerUnderTest()]);
after(() => Promise.all([logto?.close(), devServer.close()]));

/** Drives the browser part of a sign-in: from the client's authorization URL to its callback URL. */
async function signInInBrowser(server: ServerUnderTest, browser: Browser, authorizationUrl: string): Promise<string> {
  const authorization = await browser.fetch(authorizationUrl);
  assert.equal(authorization.status, 303);
  const json = async (path: string, method: string, body: unknown) => {
    const response = await browser.json(path, method, body);
    const text = await response.text();
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
    return (text.startsWith('{') ? JSON.parse(text) : {}) as Record<string, unknown>;
  };
  await json('/api/experience', 'PUT', { interactionEvent: 'SignIn' });
  const { verificationId } = await json('/api/experience/verification/password', 'POST', {
    identifier: { type: 'username', value: 'demo' },
    password: 'demo-password',
  });
  await json('/api/experience/identification', 'POST', { verificationId });
  const { redirectTo } = await json('/api/experience/submit', 'POST', {});
  return (await followToApp(server, browser, String(redirectTo))).href;
}

/** Submits the sign-out page's form (what its script does in a browser); returns where it redirects. */
async function signOutInBrowser(server: ServerUnderTest, browser: Browser, endSessionUrl: string): Promise<string> {
  const page = await browser.fetch(endSessionUrl);
  const html = await page.text();
  assert.match(html, /\.submit\(\)/, 'the page submits itself');
  const action = /<form\b[^>]*action="([^"]*)"/i.exec(html)?.[1]?.replaceAll('&amp;', '&');
  assert.ok(action, 'the sign-out form');
  const fields = new URLSearchParams();
  for (const input of html.matchAll(/<input\b[^>]*>/gi)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    if (name) fields.set(name, /value="([^"]*)"/.exec(input[0])?.[1] ?? '');
  }
  const confirmed = await browser.fetch(new URL(action, `${server.issuer}/`).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields,
  });
  return new URL(confirmed.headers.get('location') ?? '', server.endpoint).href;
}

for (const [name, server] of [
  ['the real Logto', logto],
  ['the dev server', devServer],
] as const) {
  describe(`@logto-kit/client and @logto-kit/api against ${name}`, {
    skip: !server && 'no built Logto v1.37.1',
  }, () => {
    let client: LogtoClient;
    let browser: Browser;
    let target: ServerUnderTest;
    const acme = () => target.ids['org:acme'] ?? '';
    before(async () => {
      target = server!;
      browser = new Browser(target.endpoint);
      client = new LogtoClient(
        {
          endpoint: target.endpoint,
          appId: apps.web.id,
          appSecret: apps.web.secret,
          scopes: [
            UserScope.Email,
            UserScope.Phone,
            UserScope.CustomData,
            UserScope.Roles,
            UserScope.Organizations,
            UserScope.OrganizationRoles,
            'read:projects',
            'shopping:read',
          ],
          resources: [shoppingApi],
        },
        { storage: new MemoryStorage() },
      );
      const callbackUrl = await signInInBrowser(target, browser, await client.signIn(apps.web.redirectUri));
      await client.handleSignInCallback(callbackUrl);
    });

    it('signs in: verified ID token claims of every requested scope', async () => {
      assert.equal(await client.isAuthenticated(), true);
      const claims = await client.getIdTokenClaims();
      assert.equal(claims.iss, target.issuer);
      assert.equal(claims.sub, target.ids['user:demo']);
      assert.equal(claims.username, 'demo');
      assert.equal(claims.email, 'demo@example.com');
      assert.equal(claims.phone_number, '15555550100');
      assert.deepEqual(claims.roles, ['shopper']);
      assert.deepEqual([...(claims.organizations ?? [])].sort(), [acme(), target.ids['org:globex']].sort());
    });

    it('reads userinfo', async () => {
      const userinfo = await client.fetchUserInfo();
      assert.equal(userinfo.sub, target.ids['user:demo']);
      assert.deepEqual(userinfo.custom_data, { plan: 'pro' });
    });

    it('gets a resource token that the API guard accepts with its scope', async () => {
      const token = await client.getAccessToken(shoppingApi);
      const verifier = createAccessTokenVerifier({ endpoint: target.endpoint }, { audience: shoppingApi });
      const auth = await verifier.verify(token, { scopes: ['shopping:read'] });
      assert.equal(auth.sub, target.ids['user:demo']);
      assert.equal(auth.clientId, apps.web.id);
      await assert.rejects(verifier.verify(token, { scopes: ['shopping:write'] }), /insufficient_scope|scope/);
    });

    it('gets an organization token that the API guard accepts for that organization only', async () => {
      const token = await client.getOrganizationToken(acme());
      const verifier = createAccessTokenVerifier({ endpoint: target.endpoint }, { audience: shoppingApi });
      const auth = await verifier.verify(token, { organizationId: acme(), scopes: ['read:projects'] });
      assert.equal(auth.organizationId, acme());
      assert.equal(auth.sub, target.ids['user:demo']);
      await assert.rejects(verifier.verify(token, { organizationId: target.ids['org:globex'] ?? '' }));
      await assert.rejects(verifier.verify(token, {}), 'an organization token is no token for the API');
    });

    it('signs out: the refresh token is revoked and the session ends at the provider', async () => {
      const refreshToken = await client.getRefreshToken();
      const endSessionUrl = await client.signOut(apps.web.postLogoutRedirectUri);
      assert.equal(await signOutInBrowser(target, browser, endSessionUrl), apps.web.postLogoutRedirectUri);
      const reuse = await fetch(`${target.issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${apps.web.id}:${apps.web.secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: String(refreshToken) }),
      });
      assert.equal(reuse.status, 400, 'the revoked refresh token is refused');
    });
  });
}
