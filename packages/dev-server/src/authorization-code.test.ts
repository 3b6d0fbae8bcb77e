import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { seededUserId } from './accounts.ts';
import { type DevServer, startDevServer } from './server.ts';
import {
  aliceUser,
  authorizationRequest,
  basicAuth,
  browse,
  CookieJar,
  decodeJwt,
  demoUser,
  followToApplication,
  signIn,
  signInForTokens,
  tokenRequest,
  webApp,
} from './test-support/flow.ts';

describe('authorization code flow', () => {
  let server: DevServer;
  before(async () => {
    server = await startDevServer({ port: 0, memory: true });
  });
  after(() => server.close());

  it('signs in through the pages and returns code, state and iss to the redirect URI', async () => {
    const { callback, request } = await signIn(server);
    assert.equal(`${callback.origin}${callback.pathname}`, webApp.redirectUri);
    assert.equal(callback.searchParams.get('state'), request.state);
    assert.equal(callback.searchParams.get('iss'), server.issuer);
  });

  it('exchanges the code for an opaque userinfo access token, an ES384 ID token (typ JWT, at_hash) and a refresh token', async () => {
    const { tokens, signedIn } = await signInForTokens(server);
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.expires_in, 3600);
    assert.equal(typeof tokens.refresh_token, 'string');
    assert.equal(String(tokens.access_token).split('.').length, 1, 'opaque, not a JWT');

    const jwks = createRemoteJWKSet(new URL(`${server.issuer}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(String(tokens.id_token), jwks, {
      issuer: server.issuer,
      audience: webApp.id,
      algorithms: ['ES384'],
    });
    assert.equal(protectedHeader.alg, 'ES384');
    assert.equal(protectedHeader.typ, 'JWT');
    assert.equal(payload.sub, seededUserId('demo'));
    assert.equal(payload.nonce, signedIn.request.nonce);
    assert.equal(payload.exp! - payload.iat!, 3600);
    assert.equal(payload.at_hash, atHash(String(tokens.access_token)), 'the left half of SHA-384 of the access token');

    const userinfo = await fetch(`${server.issuer}/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal(userinfo.status, 200);
    assert.equal(((await userinfo.json()) as Record<string, unknown>).sub, seededUserId('demo'));
  });

  it('gives no refresh token without offline_access', async () => {
    const signedIn = await signIn(server, demoUser, { prompt: 'consent' });
    const url = new URL(signedIn.request.url);
    assert.ok(url.searchParams.get('scope')?.includes('offline_access'));
    const request = authorizationRequest(server, { prompt: 'login' });
    const callback = await followToApplication(server, new CookieJar(), request.url, demoUser);
    const { body } = await tokenRequest(server, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: webApp.redirectUri,
      code_verifier: request.codeVerifier,
    });
    assert.equal(body.refresh_token, undefined, 'prompt without consent drops offline_access');
  });

  it('refuses the code with a wrong PKCE verifier', async () => {
    const signedIn = await signIn(server);
    const { status, body } = await tokenRequest(server, {
      grant_type: 'authorization_code',
      code: signedIn.code,
      redirect_uri: webApp.redirectUri,
      code_verifier: `${signedIn.request.codeVerifier.slice(0, -1)}x`,
    });
    assert.equal(status, 400);
    assert.equal(body.error, 'invalid_grant');
  });

  it('refuses the code without a PKCE verifier', async () => {
    const signedIn = await signIn(server);
    const { status, body } = await tokenRequest(server, {
      grant_type: 'authorization_code',
      code: signedIn.code,
      redirect_uri: webApp.redirectUri,
    });
    assert.equal(status, 400);
    assert.match(String(body.error), /invalid_(grant|request)/);
  });

  it('lets an app that authenticates with client_secret_basic leave PKCE out, as Logto does', async () => {
    const request = new URL(authorizationRequest(server).url);
    request.searchParams.delete('code_challenge');
    request.searchParams.delete('code_challenge_method');
    const response = await browse(new CookieJar(), request.href);
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/sign-in?app_id=sample-web-app');
  });

  it('refuses the plain PKCE method', async () => {
    const request = new URL(authorizationRequest(server).url);
    request.searchParams.set('code_challenge_method', 'plain');
    const response = await browse(new CookieJar(), request.href);
    const location = new URL(response.headers.get('location') ?? '', server.url);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
  });

  it('refuses to use a code twice', async () => {
    const signedIn = await signIn(server);
    const params = {
      grant_type: 'authorization_code',
      code: signedIn.code,
      redirect_uri: webApp.redirectUri,
      code_verifier: signedIn.request.codeVerifier,
    };
    assert.equal((await tokenRequest(server, params)).status, 200);
    const replay = await tokenRequest(server, params);
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
  });

  it('refuses an unregistered redirect URI without redirecting to it', async () => {
    const request = authorizationRequest(server, { redirectUri: 'https://evil.example/callback' });
    const response = await browse(new CookieJar(), request.url);
    assert.equal(response.headers.get('location'), null);
    assert.equal(response.status, 400);
    assert.match(await response.text(), /redirect_uri/);
  });

  it('refuses an unknown client_id with an error page, not a redirect', async () => {
    const request = authorizationRequest(server, { clientId: 'unknown-app' });
    const response = await browse(new CookieJar(), request.url);
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.match(await response.text(), /invalid_client/);
  });

  it('refuses a token request with a wrong client secret (401 invalid_client)', async () => {
    const signedIn = await signIn(server);
    const { status, body } = await tokenRequest(
      server,
      {
        grant_type: 'authorization_code',
        code: signedIn.code,
        redirect_uri: webApp.redirectUri,
        code_verifier: signedIn.request.codeVerifier,
      },
      { id: webApp.id, secret: 'wrong-secret' },
    );
    assert.equal(status, 401);
    assert.equal(body.error, 'invalid_client');
  });

  it('accepts client_secret_post too', async () => {
    const signedIn = await signIn(server);
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: signedIn.code,
        redirect_uri: webApp.redirectUri,
        code_verifier: signedIn.request.codeVerifier,
        client_id: webApp.id,
        client_secret: webApp.secret,
      }).toString(),
    });
    assert.equal(response.status, 200);
  });

  it('does not let the machine-to-machine app start a sign-in', async () => {
    const request = authorizationRequest(server, { clientId: 'sample-m2m' });
    const response = await browse(new CookieJar(), request.url);
    assert.equal(response.status, 400);
  });

  it('does not sign in with a wrong password', async () => {
    await assert.rejects(signIn(server, { username: 'demo', password: 'nope' }), /sign-in failed \(401\)/);
  });

  it("passes Logto's extra parameters to the sign-in pages (login_hint, first_screen)", async () => {
    const hinted = authorizationRequest(server, { extra: { login_hint: 'alice@example.com' } });
    const jar = new CookieJar();
    let response = await browse(jar, hinted.url);
    response = await browse(jar, new URL(response.headers.get('location') ?? '', server.url).href);
    assert.match(await response.text(), /value="alice@example\.com"/);

    const register = authorizationRequest(server, {
      extra: { first_screen: 'register', interaction_mode: 'signUp', direct_sign_in: '', organization_id: 'org-acme' },
    });
    response = await browse(jar, register.url);
    response = await browse(jar, new URL(response.headers.get('location') ?? '', server.url).href);
    assert.match(await response.text(), /action="[^"]*\/register"/);
  });

  it('keeps every Logto authorization parameter in the interaction details', async () => {
    const extra = {
      first_screen: 'identifier:sign_in',
      interaction_mode: 'signIn',
      identifier: 'demo',
      direct_sign_in: 'social:google',
      organization_id: 'org-acme',
      login_hint: 'demo@example.com',
      ui_locales: 'de',
    };
    const jar = new CookieJar();
    const response = await browse(jar, authorizationRequest(server, { extra }).url);
    const interaction = new URL(response.headers.get('location') ?? '', server.url);
    assert.equal(interaction.pathname, '/identifier-sign-in', "Logto's screen for first_screen=identifier:sign_in");
    assert.deepEqual(Object.fromEntries(interaction.searchParams), {
      app_id: 'sample-web-app',
      organization_id: 'org-acme',
      login_hint: 'demo@example.com',
      identifier: 'demo',
      ui_locales: 'de',
    });

    // What the sign-in pages get from oidc-provider for this browser's interaction.
    const request = new IncomingMessage(new Socket());
    request.method = 'GET';
    request.url = interaction.pathname;
    request.headers = { host: new URL(server.url).host, cookie: jar.header() };
    const details = await server.provider.interactionDetails(request, new ServerResponse(request));
    for (const [name, value] of Object.entries(extra)) assert.equal(details.params[name], value, name);
    assert.equal(details.prompt.name, 'login');
  });

  it('reuses the sign-in session for the next authorization request (no second sign-in)', async () => {
    const first = await signIn(server, aliceUser);
    const again = authorizationRequest(server);
    const callback = await followToApplication(server, first.jar, again.url);
    assert.ok(callback.searchParams.get('code'));
  });

  it('refuses a token request for a code issued to another client', async () => {
    const signedIn = await signIn(server);
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: basicAuth('sample-m2m', 'sample-m2m-secret'),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: signedIn.code,
        redirect_uri: webApp.redirectUri,
        code_verifier: signedIn.request.codeVerifier,
      }).toString(),
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(typeof body.error, 'string');
    assert.equal(body.access_token, undefined);
  });

  it('issues ID tokens with at_hash and typ JWT also on refresh', async () => {
    const { tokens } = await signInForTokens(server);
    const { body } = await tokenRequest(server, {
      grant_type: 'refresh_token',
      refresh_token: String(tokens.refresh_token),
    });
    const idToken = decodeJwt(body.id_token);
    assert.equal(idToken.header.typ, 'JWT');
    assert.equal(idToken.payload.at_hash, atHash(String(body.access_token)));
  });
});

/** OpenID Connect's `at_hash` for an ES384 ID token: the left half of the access token's SHA-384, base64url. */
function atHash(accessToken: string): string {
  const digest = createHash('sha384').update(accessToken).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
