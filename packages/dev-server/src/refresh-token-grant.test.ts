import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DevServerConfig } from './config.ts';
import { demoWorld } from './demo-world.ts';
import { type DevServer, startDevServer } from './server.ts';
import { decodeJwt, signInForTokens, spaApp, tokenRequest } from './test-support/flow.ts';

/** The demo world with a single-page app, a public client. */
const withSpa: DevServerConfig = {
  ...demoWorld,
  applications: [...demoWorld.applications, { id: spaApp.id, type: 'spa', redirectUris: [spaApp.redirectUri] }],
};

describe('refresh token rotation and the reuse window', () => {
  let server: DevServer;
  let clock = Date.now();
  before(async () => {
    server = await startDevServer({ port: 0, memory: true, config: withSpa, now: () => clock });
  });
  after(() => server.close());

  const refresh = (refreshToken: unknown, params: Record<string, string> = {}) =>
    tokenRequest(server, { grant_type: 'refresh_token', refresh_token: String(refreshToken), ...params });
  const refreshPublic = (refreshToken: unknown) =>
    tokenRequest(server, { grant_type: 'refresh_token', refresh_token: String(refreshToken) }, spaApp);

  it('gives a confidential app the same refresh token back, with a new access token and ID token', async () => {
    const { tokens } = await signInForTokens(server);
    const { status, body } = await refresh(tokens.refresh_token);
    assert.equal(status, 200);
    assert.equal(body.refresh_token, tokens.refresh_token, 'not rotated before 70% of its lifetime');
    assert.notEqual(body.access_token, tokens.access_token);
    assert.equal(decodeJwt(body.id_token).payload.sub, decodeJwt(tokens.id_token).payload.sub);
    assert.equal((await refresh(body.refresh_token)).status, 200, 'and it keeps working');
  });

  it("rotates a public app's refresh token on every use", async () => {
    const { tokens } = await signInForTokens(server, undefined, {}, spaApp);
    const { status, body } = await refreshPublic(tokens.refresh_token);
    assert.equal(status, 200);
    assert.equal(typeof body.refresh_token, 'string');
    assert.notEqual(body.refresh_token, tokens.refresh_token);
    const next = await refreshPublic(body.refresh_token);
    assert.equal(next.status, 200);
    assert.notEqual(next.body.refresh_token, body.refresh_token);
  });

  it('lets a just-used public refresh token be used again within 3 seconds', async () => {
    const { tokens } = await signInForTokens(server, undefined, {}, spaApp);
    const first = await refreshPublic(tokens.refresh_token);
    assert.equal(first.status, 200);
    clock += 1000;
    const second = await refreshPublic(tokens.refresh_token);
    assert.equal(second.status, 200, JSON.stringify(second.body));
    clock += 2000;
    const third = await refreshPublic(tokens.refresh_token);
    assert.equal(third.status, 200, 'still inside the window, measured from the first use');
    assert.equal((await refreshPublic(first.body.refresh_token)).status, 200, 'the rotated token still works');
  });

  it('answers concurrent refreshes with one refresh token all successfully', async () => {
    const { tokens } = await signInForTokens(server, undefined, {}, spaApp);
    const responses = await Promise.all(Array.from({ length: 5 }, () => refreshPublic(tokens.refresh_token)));
    assert.deepEqual(
      responses.map((response) => response.status),
      [200, 200, 200, 200, 200],
    );
  });

  it('after the window, refuses reuse with invalid_grant and revokes the whole grant', async () => {
    const { tokens } = await signInForTokens(server, undefined, {}, spaApp);
    const first = await refreshPublic(tokens.refresh_token);
    assert.equal(first.status, 200);

    clock += 3001;
    const reuse = await refreshPublic(tokens.refresh_token);
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body.error, 'invalid_grant');
    assert.equal(reuse.body.error_description, 'grant request is invalid', "Logto's generic description");

    const rotated = await refreshPublic(first.body.refresh_token);
    assert.equal(rotated.status, 400, 'the rotated refresh token died with the grant');
    assert.equal(rotated.body.error, 'invalid_grant');

    const userinfo = await fetch(`${server.issuer}/me`, {
      headers: { authorization: `Bearer ${String(first.body.access_token)}` },
    });
    assert.equal(userinfo.status, 401, 'access tokens of the grant are revoked too');
  });

  it("refuses an unknown refresh token and another client's refresh token", async () => {
    const unknown = await refresh('not-a-refresh-token');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error, 'invalid_grant');

    const { tokens } = await signInForTokens(server);
    const otherClient = await tokenRequest(
      server,
      { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) },
      { id: 'sample-m2m', secret: 'sample-m2m-secret' },
    );
    assert.equal(otherClient.status, 400);
  });

  it('refuses a refresh token that was revoked', async () => {
    const { tokens } = await signInForTokens(server);
    const revoked = await fetch(`${server.issuer}/token/revocation`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('sample-web-app:sample-web-app-secret').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: String(tokens.refresh_token), token_type_hint: 'refresh_token' }).toString(),
    });
    assert.equal(revoked.status, 200);
    const { status, body } = await refresh(tokens.refresh_token);
    assert.equal(status, 400);
    assert.equal(body.error, 'invalid_grant');
  });
});

describe('refresh token reuse window, configured', () => {
  it('can be closed entirely', async () => {
    const server = await startDevServer({
      port: 0,
      memory: true,
      config: withSpa,
      refreshTokenReuseWindowMs: 0,
      now: () => 1,
    });
    try {
      const { tokens } = await signInForTokens(server, undefined, {}, spaApp);
      const params = { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) };
      assert.equal((await tokenRequest(server, params, spaApp)).status, 200);
      const reuse = await tokenRequest(server, params, spaApp);
      assert.equal(reuse.status, 200, 'same instant: elapsed 0 is within a 0 ms window');
    } finally {
      await server.close();
    }
  });
});

describe("a confidential app's refresh token past 70% of its lifetime", () => {
  it('is rotated then, as Logto rotates it', async (t) => {
    // oidc-provider measures a token's age with Date: move that clock, nothing sleeps.
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const server = await startDevServer({ port: 0, memory: true, lifetimes: { refreshToken: 1000 } });
    try {
      const { tokens } = await signInForTokens(server);
      const params = { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) };
      t.mock.timers.tick(690_000);
      const early = await tokenRequest(server, params);
      assert.equal(early.body.refresh_token, tokens.refresh_token, 'at 69%: the same token');
      t.mock.timers.tick(20_000);
      const late = await tokenRequest(server, params);
      assert.equal(late.status, 200);
      assert.notEqual(late.body.refresh_token, tokens.refresh_token, 'at 71%: a new one');
    } finally {
      await server.close();
    }
  });
});

describe('refresh token rotation on every use, configured', () => {
  it('rotates a confidential app’s refresh token on every use with rotateRefreshTokenOnEveryUse', async () => {
    const server = await startDevServer({ port: 0, memory: true, rotateRefreshTokenOnEveryUse: true });
    try {
      const { tokens } = await signInForTokens(server);
      const first = await tokenRequest(server, {
        grant_type: 'refresh_token',
        refresh_token: String(tokens.refresh_token),
      });
      assert.equal(first.status, 200);
      assert.notEqual(first.body.refresh_token, tokens.refresh_token, 'rotated at once');
    } finally {
      await server.close();
    }
  });
});

describe('refresh grant parameters', () => {
  let server: DevServer;
  before(async () => {
    server = await startDevServer({ port: 0, memory: true, config: withSpa });
  });
  after(() => server.close());

  it('refuses a request without refresh_token as invalid_request, naming it', async () => {
    const { status, body } = await tokenRequest(server, { grant_type: 'refresh_token' });
    assert.equal(status, 400);
    assert.equal(body.error, 'invalid_request');
    assert.match(String(body.error_description), /refresh_token/);
  });

  it('refuses two resources for one token as invalid_target, saying only one may be asked for', async () => {
    const { tokens } = await signInForTokens(server);
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('sample-web-app:sample-web-app-secret').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams([
        ['grant_type', 'refresh_token'],
        ['refresh_token', String(tokens.refresh_token)],
        ['resource', 'https://shopping.your-app.com/api'],
        ['resource', 'https://store.your-app.com/api'],
      ]).toString(),
    });
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(response.status, 400);
    assert.equal(body.error, 'invalid_target');
    assert.match(String(body.error_description), /only one resource/);
  });
});

describe('refresh token reuse window, configured longer', () => {
  it('lets a public refresh token be used again within the configured window, not only the default 3 s', async () => {
    let clock = Date.now();
    const server = await startDevServer({
      port: 0,
      memory: true,
      config: withSpa,
      refreshTokenReuseWindowMs: 10_000,
      now: () => clock,
    });
    try {
      const { tokens } = await signInForTokens(server, undefined, {}, spaApp);
      const params = { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) };
      assert.equal((await tokenRequest(server, params, spaApp)).status, 200);
      clock += 5_000;
      assert.equal((await tokenRequest(server, params, spaApp)).status, 200, '5 s into a 10 s window');
      clock += 5_001;
      assert.equal((await tokenRequest(server, params, spaApp)).status, 400, 'past the window');
    } finally {
      await server.close();
    }
  });
});
