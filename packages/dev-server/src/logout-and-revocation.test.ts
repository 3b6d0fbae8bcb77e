import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seededUserId } from './accounts.ts';
import { type DevServer, startDevServer } from './server.ts';
import {
  authorizationRequest,
  basicAuth,
  browse,
  followToApplication,
  m2mApp,
  shoppingApi,
  signInForTokens,
  tokenRequest,
  webApp,
} from './test-support/flow.ts';

function formPost(url: string, params: Record<string, string>, client: { id: string; secret: string } = webApp) {
  return fetch(url, {
    method: 'POST',
    headers: {
      authorization: basicAuth(client.id, client.secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(params).toString(),
  });
}

describe('sign-out', () => {
  let server: DevServer;
  before(async () => {
    server = await startDevServer({ port: 0, memory: true });
  });
  after(() => server.close());

  function endSessionUrl(params: Record<string, string>): string {
    const url = new URL(`${server.issuer}/session/end`);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.href;
  }

  it('confirms, ends the session and redirects to the registered post-logout URI', async () => {
    const { tokens, signedIn } = await signInForTokens(server);
    const { jar } = signedIn;
    const page = await browse(
      jar,
      endSessionUrl({
        client_id: webApp.id,
        post_logout_redirect_uri: webApp.postLogoutRedirectUri,
        id_token_hint: String(tokens.id_token),
        state: 'bye',
      }),
    );
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('x-frame-options'), 'SAMEORIGIN', 'no other site may frame the sign-out page');
    assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'self'/);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'unsafe-hashes' 'sha256-[\w+/=]+'/);
    const html = await page.text();
    assert.match(
      html,
      /onload="document\.getElementById\(&#39;op\.logoutForm&#39;\)\.submit\(\);"/,
      'it submits itself',
    );
    const action =
      /<form[^>]*id="op\.logoutForm"[^>]*action="([^"]+)"/.exec(html)?.[1] ??
      /<form[^>]*action="([^"]+)"[^>]*id="op\.logoutForm"/.exec(html)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(action && xsrf, "the confirmation carries the provider's form");

    const confirmed = await browse(jar, new URL(action, server.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
    });
    const location = new URL(confirmed.headers.get('location') ?? '', server.url);
    assert.equal(`${location.origin}${location.pathname}`, webApp.postLogoutRedirectUri);
    assert.equal(location.searchParams.get('state'), 'bye');

    // The session is gone: the next authorization request needs a sign-in again.
    const next = authorizationRequest(server);
    await assert.rejects(followToApplication(server, jar, next.url), /unexpected page 200 at .*\/sign-in\?/);
  });

  it('refuses an unregistered post-logout redirect URI without redirecting', async () => {
    const { tokens, signedIn } = await signInForTokens(server);
    const response = await browse(
      signedIn.jar,
      endSessionUrl({
        client_id: webApp.id,
        post_logout_redirect_uri: 'https://evil.example/',
        id_token_hint: String(tokens.id_token),
      }),
    );
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.match(await response.text(), /post_logout_redirect_uri/);
  });
});

describe('revocation and introspection', () => {
  let server: DevServer;
  before(async () => {
    server = await startDevServer({ port: 0, memory: true });
  });
  after(() => server.close());

  const introspect = async (token: unknown, client: { id: string; secret: string } = webApp) => {
    const response = await formPost(`${server.issuer}/token/introspection`, { token: String(token) }, client);
    assert.equal(response.status, 200);
    return (await response.json()) as Record<string, unknown>;
  };

  it("introspects the app's tokens as active with their subject and scope", async () => {
    const { tokens } = await signInForTokens(server, undefined, {
      scopes: ['shopping:read'],
      resources: [shoppingApi],
    });
    const refreshInfo = await introspect(tokens.refresh_token);
    assert.equal(refreshInfo.active, true);
    assert.equal(refreshInfo.sub, seededUserId('demo'));
    assert.equal(refreshInfo.client_id, webApp.id);

    const accessInfo = await introspect(tokens.access_token);
    assert.equal(accessInfo.active, true);
    assert.match(String(accessInfo.scope), /openid/);
  });

  it("answers inactive for unknown tokens and for another client's refresh tokens", async () => {
    assert.deepEqual(await introspect('garbage'), { active: false });
    const { tokens } = await signInForTokens(server);
    assert.deepEqual(await introspect(tokens.refresh_token, m2mApp), { active: false });
    assert.equal((await introspect(tokens.access_token, m2mApp)).active, true, 'an API may introspect access tokens');
  });

  it('requires client authentication', async () => {
    const { tokens } = await signInForTokens(server);
    const introspection = await formPost(
      `${server.issuer}/token/introspection`,
      { token: String(tokens.refresh_token) },
      { id: webApp.id, secret: 'wrong' },
    );
    assert.equal(introspection.status, 401);
    const revocation = await formPost(
      `${server.issuer}/token/revocation`,
      { token: String(tokens.refresh_token) },
      { id: webApp.id, secret: 'wrong' },
    );
    assert.equal(revocation.status, 401);
    assert.equal((await introspect(tokens.refresh_token)).active, true, 'a refused revocation revokes nothing');
  });

  it('revokes a refresh token: inactive, refused at the token endpoint, its grant gone', async () => {
    const { tokens } = await signInForTokens(server);
    const response = await formPost(`${server.issuer}/token/revocation`, {
      token: String(tokens.refresh_token),
      token_type_hint: 'refresh_token',
    });
    assert.equal(response.status, 200);
    assert.equal((await introspect(tokens.refresh_token)).active, false);
    assert.equal((await introspect(tokens.access_token)).active, false, 'revoking the refresh token revokes the grant');
    const refreshed = await tokenRequest(server, {
      grant_type: 'refresh_token',
      refresh_token: String(tokens.refresh_token),
    });
    assert.equal(refreshed.status, 400);
    assert.equal(refreshed.body.error, 'invalid_grant');
  });

  it('revokes an access token: userinfo refuses it', async () => {
    const { tokens } = await signInForTokens(server);
    const response = await formPost(`${server.issuer}/token/revocation`, { token: String(tokens.access_token) });
    assert.equal(response.status, 200);
    const userinfo = await fetch(`${server.issuer}/me`, {
      headers: { authorization: `Bearer ${String(tokens.access_token)}` },
    });
    assert.equal(userinfo.status, 401);
  });

  it("does not let another client revoke the app's token", async () => {
    const { tokens } = await signInForTokens(server);
    await formPost(`${server.issuer}/token/revocation`, { token: String(tokens.refresh_token) }, m2mApp);
    assert.equal((await introspect(tokens.refresh_token)).active, true);
  });
});
