import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type DevServer, startDevServer } from './server.ts';
import { decodeJwt, signInForTokens, tokenRequest } from './test-support/flow.ts';

describe('refresh token rotation and the reuse window', () => {
  let server: DevServer;
  let clock = Date.now();
  before(async () => {
    server = await startDevServer({ port: 0, memory: true, now: () => clock });
  });
  after(() => server.close());

  const refresh = (refreshToken: unknown, params: Record<string, string> = {}) =>
    tokenRequest(server, { grant_type: 'refresh_token', refresh_token: String(refreshToken), ...params });

  it('rotates: each refresh returns a new refresh token, an access token and an ID token', async () => {
    const { tokens } = await signInForTokens(server);
    const { status, body } = await refresh(tokens.refresh_token);
    assert.equal(status, 200);
    assert.equal(typeof body.refresh_token, 'string');
    assert.notEqual(body.refresh_token, tokens.refresh_token);
    assert.equal(typeof body.access_token, 'string');
    assert.equal(decodeJwt(body.id_token).payload.sub, decodeJwt(tokens.id_token).payload.sub);
    const next = await refresh(body.refresh_token);
    assert.equal(next.status, 200);
  });

  it('lets a just-used refresh token be used again within 3 seconds', async () => {
    const { tokens } = await signInForTokens(server);
    const first = await refresh(tokens.refresh_token);
    assert.equal(first.status, 200);
    clock += 1000;
    const second = await refresh(tokens.refresh_token);
    assert.equal(second.status, 200, JSON.stringify(second.body));
    clock += 2000;
    const third = await refresh(tokens.refresh_token);
    assert.equal(third.status, 200, 'still inside the window, measured from the first use');
    assert.equal((await refresh(first.body.refresh_token)).status, 200, 'the rotated token still works');
  });

  it('answers concurrent refreshes with one refresh token all successfully', async () => {
    const { tokens } = await signInForTokens(server);
    const responses = await Promise.all(Array.from({ length: 5 }, () => refresh(tokens.refresh_token)));
    assert.deepEqual(
      responses.map((response) => response.status),
      [200, 200, 200, 200, 200],
    );
  });

  it('after the window, refuses reuse with invalid_grant and revokes the whole grant', async () => {
    const { tokens } = await signInForTokens(server);
    const first = await refresh(tokens.refresh_token);
    assert.equal(first.status, 200);

    clock += 3001;
    const reuse = await refresh(tokens.refresh_token);
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body.error, 'invalid_grant');
    assert.match(String(reuse.body.error_description), /already used/);

    const rotated = await refresh(first.body.refresh_token);
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
    const server = await startDevServer({ port: 0, memory: true, refreshTokenReuseWindowMs: 0, now: () => 1 });
    try {
      const { tokens } = await signInForTokens(server);
      const params = { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) };
      assert.equal((await tokenRequest(server, params)).status, 200);
      const reuse = await tokenRequest(server, params);
      assert.equal(reuse.status, 200, 'same instant: elapsed 0 is within a 0 ms window');
    } finally {
      await server.close();
    }
  });
});

describe('refresh token rotation, configured', () => {
  it('answers the same refresh token, usable again much later, with rotateRefreshToken: false', async () => {
    let now = Date.now();
    const server = await startDevServer({ port: 0, memory: true, rotateRefreshToken: false, now: () => now });
    try {
      const { tokens } = await signInForTokens(server);
      const params = { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) };
      const first = await tokenRequest(server, params);
      assert.equal(first.status, 200);
      assert.equal(first.body.refresh_token, tokens.refresh_token, 'not rotated');
      now += 60_000;
      const later = await tokenRequest(server, params);
      assert.equal(later.status, 200, 'still valid after the reuse window: it was never consumed');
      assert.notEqual(later.body.access_token, first.body.access_token);
    } finally {
      await server.close();
    }
  });
});
