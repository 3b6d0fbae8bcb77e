import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { KoaContextWithOIDC, Provider, RefreshToken } from 'oidc-provider';
import { seededUserId } from './accounts.ts';
import type { DevServerConfig } from './config.ts';
import { demoWorld } from './demo-world.ts';
import { type DevServer, startDevServer } from './server.ts';
import { decodeJwt, shoppingApi, signInForTokens, spaApp, tokenRequest } from './test-support/flow.ts';

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

/** Redeems `refreshToken` at `server` and expects 400 `invalid_grant`. */
async function assertRefreshRefused(server: DevServer, refreshToken: unknown): Promise<void> {
  const { status, body } = await tokenRequest(server, {
    grant_type: 'refresh_token',
    refresh_token: String(refreshToken),
  });
  assert.equal(status, 400);
  assert.equal(body.error, 'invalid_grant');
}

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
      t.mock.timers.tick(10_000);
      const late = await tokenRequest(server, params);
      assert.equal(late.status, 200);
      assert.notEqual(late.body.refresh_token, tokens.refresh_token, 'at exactly 70%: a new one');
    } finally {
      await server.close();
    }
  });

  it('is refused with invalid_grant once its lifetime has passed, even if its grant lives longer', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const start = Date.now();
    // The store's clock stands still, so no record is dropped from it: only the expiry checks of
    // the tokens (Date) see the time pass.
    const server = await startDevServer({ port: 0, memory: true, lifetimes: { refreshToken: 1000 }, now: () => start });
    const provider = server.provider as unknown as Provider;
    try {
      const { tokens } = await signInForTokens(server);
      const refreshToken = await provider.RefreshToken.find(String(tokens.refresh_token));
      const grant = refreshToken?.grantId ? await provider.Grant.find(refreshToken.grantId) : undefined;
      assert.ok(grant);
      Object.assign(grant, { exp: Math.floor(start / 1000) + 10_000 });
      await grant.save();
      t.mock.timers.tick(1_001_000);
      assert.ok(await provider.Grant.find(grant.jti), 'the grant is still valid');
      await assertRefreshRefused(server, tokens.refresh_token);
    } finally {
      await server.close();
    }
  });

  it('is refused with invalid_grant once its lifetime has passed', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const server = await startDevServer({ port: 0, memory: true, lifetimes: { refreshToken: 1000 } });
    try {
      const { tokens } = await signInForTokens(server);
      t.mock.timers.tick(1_000_000);
      await assertRefreshRefused(server, tokens.refresh_token);
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

/** Whether an ID token carries the at_hash of an access token (OIDC Core 3.1.3.6, per the ID token's alg). */
function assertAtHash(idToken: unknown, accessToken: unknown): void {
  const { header, payload } = decodeJwt(idToken);
  const digest = createHash(`sha${String(header.alg).slice(2)}`)
    .update(String(accessToken))
    .digest();
  assert.equal(payload.at_hash, digest.subarray(0, digest.length / 2).toString('base64url'));
}

describe('refreshed tokens', () => {
  let server: DevServer;
  before(async () => {
    server = await startDevServer({ port: 0, memory: true, config: withSpa });
  });
  after(() => server.close());

  const refresh = (refreshToken: unknown, params: Record<string, string> = {}) =>
    tokenRequest(server, { grant_type: 'refresh_token', refresh_token: String(refreshToken), ...params });

  it("answers the sign-in's OpenID scopes with an access token that works at userinfo", async () => {
    const { tokens } = await signInForTokens(server);
    const { status, body } = await refresh(tokens.refresh_token);
    assert.equal(status, 200);
    assert.deepEqual(String(body.scope).split(' ').sort(), ['offline_access', 'openid', 'profile']);
    const userinfo = await fetch(`${server.issuer}/me`, {
      headers: { authorization: `Bearer ${String(body.access_token)}` },
    });
    assert.equal(userinfo.status, 200);
    assert.equal(((await userinfo.json()) as Record<string, unknown>).sub, decodeJwt(tokens.id_token).payload.sub);
  });

  it('binds the new ID token to the access token issued with it (at_hash), opaque or a resource JWT', async () => {
    const { tokens } = await signInForTokens(server, undefined, {
      scopes: ['shopping:read'],
      resources: [shoppingApi],
    });
    const plain = await refresh(tokens.refresh_token);
    assert.equal(plain.status, 200);
    assertAtHash(plain.body.id_token, plain.body.access_token);

    const forResource = await refresh(tokens.refresh_token, { resource: shoppingApi });
    assert.equal(forResource.status, 200);
    assert.equal(decodeJwt(forResource.body.access_token).payload.aud, shoppingApi);
    assertAtHash(forResource.body.id_token, forResource.body.access_token);
  });

  it('refuses to widen the scopes with invalid_scope, naming every scope the refresh token lacks', async () => {
    const { tokens } = await signInForTokens(server);
    const { status, body } = await refresh(tokens.refresh_token, { scope: 'openid email phone' });
    assert.equal(status, 400);
    assert.equal(body.error, 'invalid_scope');
    assert.match(String(body.error_description), /missing requested scope/);
    assert.equal(body.scope, 'email phone');
  });
});

describe('stored refresh token records', () => {
  let server: DevServer;
  let provider: Provider;
  before(async () => {
    server = await startDevServer({ port: 0, memory: true, config: withSpa });
    provider = server.provider as unknown as Provider;
  });
  after(() => server.close());

  describe('that do not match', () => {
    const refresh = (refreshToken: unknown) =>
      tokenRequest(server, { grant_type: 'refresh_token', refresh_token: String(refreshToken) });

    /** Signs the demo user in to the web app: the refresh token's value, its stored record and its grant. */
    async function signedInRecords() {
      const { tokens } = await signInForTokens(server);
      const value = String(tokens.refresh_token);
      const refreshToken = await provider.RefreshToken.find(value);
      assert.ok(refreshToken?.grantId);
      const grant = await provider.Grant.find(refreshToken.grantId);
      assert.ok(grant);
      return { value, refreshToken, grant };
    }

    async function assertRefused(value: string, because: string) {
      const { status, body } = await refresh(value);
      assert.equal(status, 400, because);
      assert.equal(body.error, 'invalid_grant', because);
      assert.equal(body.error_description, 'grant request is invalid', "Logto's generic description");
    }

    it('refuses a refresh token whose grant is gone (expired or revoked) with invalid_grant', async () => {
      const { value, grant } = await signedInRecords();
      await grant.destroy();
      await assertRefused(value, 'the grant no longer exists');
    });

    it('refuses a refresh token whose grant belongs to another client with invalid_grant', async () => {
      const { value, grant } = await signedInRecords();
      grant.clientId = spaApp.id;
      await grant.save();
      await assertRefused(value, "the grant is the single-page app's");
    });

    it('refuses a refresh token whose grant belongs to another user with invalid_grant', async () => {
      const { value, grant } = await signedInRecords();
      grant.accountId = seededUserId('alice');
      await grant.save();
      await assertRefused(value, "the grant is alice's");
    });

    it('refuses a refresh token of a user who no longer exists with invalid_grant', async () => {
      const { value, refreshToken, grant } = await signedInRecords();
      refreshToken.accountId = 'deleted-user';
      await refreshToken.save();
      grant.accountId = 'deleted-user';
      await grant.save();
      await assertRefused(value, 'no such user');
    });
  });

  describe('rotated', () => {
    const refreshPublic = (refreshToken: unknown) =>
      tokenRequest(server, { grant_type: 'refresh_token', refresh_token: String(refreshToken) }, spaApp);

    /** What `request` answered, and the entities oidc-provider announced with `grant.success` meanwhile. */
    async function withGrantSuccess<T>(request: () => Promise<T>) {
      let entities: Record<string, unknown> = {};
      const listener = (ctx: KoaContextWithOIDC) => {
        entities = { ...ctx.oidc.entities };
      };
      server.provider.on('grant.success', listener);
      try {
        const answer = await request();
        return { entities, answer };
      } finally {
        server.provider.off('grant.success', listener);
      }
    }

    async function stored(value: unknown): Promise<RefreshToken> {
      const refreshToken = await provider.RefreshToken.find(String(value));
      assert.ok(refreshToken, 'the rotated refresh token is stored');
      return refreshToken;
    }

    it('record the grant types that led to them once, and count their rotations', async () => {
      const { tokens } = await signInForTokens(server, undefined, {}, spaApp);
      assert.equal((await stored(tokens.refresh_token)).gty, 'authorization_code');
      const first = await refreshPublic(tokens.refresh_token);
      assert.equal(first.status, 200);
      const once = await stored(first.body.refresh_token);
      assert.equal(once.gty, 'authorization_code refresh_token');
      assert.equal(once.rotations, 1);
      const second = await refreshPublic(first.body.refresh_token);
      assert.equal(second.status, 200);
      const twice = await stored(second.body.refresh_token);
      assert.equal(twice.gty, 'authorization_code refresh_token', 'refresh_token is not repeated');
      assert.equal(twice.rotations, 2);
    });

    it('say refresh_token when the consumed token recorded no grant type', async () => {
      const { tokens } = await signInForTokens(server, undefined, {}, spaApp);
      const original = await stored(tokens.refresh_token);
      original.gty = undefined;
      await original.save();
      const { status, body } = await refreshPublic(tokens.refresh_token);
      assert.equal(status, 200);
      assert.equal((await stored(body.refresh_token)).gty, 'refresh_token');
    });

    it("are announced with grant.success as oidc-provider's own refresh grant does: the grant, the new token and the rotated one", async () => {
      const { tokens } = await signInForTokens(server, undefined, {}, spaApp);
      const original = await stored(tokens.refresh_token);
      const { entities, answer } = await withGrantSuccess(() => refreshPublic(tokens.refresh_token));
      const { status, body } = answer;
      assert.equal(status, 200);
      const rotated = await stored(body.refresh_token);
      assert.equal((entities.RotatedRefreshToken as RefreshToken | undefined)?.jti, original.jti);
      assert.equal((entities.RefreshToken as RefreshToken | undefined)?.jti, rotated.jti);
      assert.equal((entities.Grant as { jti?: string } | undefined)?.jti, original.grantId);
      assert.equal((entities.AccessToken as { jti?: string } | undefined)?.jti, body.access_token);
    });

    it('a confidential app keeps its refresh token, announced with grant.success with its grant', async () => {
      const { tokens } = await signInForTokens(server);
      const original = await stored(tokens.refresh_token);
      const { entities, answer } = await withGrantSuccess(() =>
        tokenRequest(server, { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) }),
      );
      assert.equal(answer.status, 200);
      assert.equal((entities.RefreshToken as RefreshToken | undefined)?.jti, original.jti);
      assert.equal((entities.Grant as { jti?: string } | undefined)?.jti, original.grantId);
      assert.equal(entities.RotatedRefreshToken, undefined);
    });
  });
});

describe('scopes of refreshed API resource tokens', () => {
  it('leave out a scope granted at sign-in that the resource no longer defines', async () => {
    const server = await startDevServer({ port: 0, memory: true });
    const provider = server.provider as unknown as Provider;
    try {
      const { tokens } = await signInForTokens(server, undefined, {
        scopes: ['shopping:read'],
        resources: [shoppingApi],
      });
      // What a sign-in before the resource dropped `shopping:retired` from its definition left stored.
      const refreshToken = await provider.RefreshToken.find(String(tokens.refresh_token));
      const grant = refreshToken?.grantId ? await provider.Grant.find(refreshToken.grantId) : undefined;
      assert.ok(refreshToken && grant);
      grant.addResourceScope(shoppingApi, 'shopping:retired');
      await grant.save();
      refreshToken.scope = `${refreshToken.scope} shopping:retired`;
      await refreshToken.save();

      const { status, body } = await tokenRequest(server, {
        grant_type: 'refresh_token',
        refresh_token: String(tokens.refresh_token),
        resource: shoppingApi,
      });
      assert.equal(status, 200);
      assert.equal(decodeJwt(body.access_token).payload.scope, 'shopping:read');
    } finally {
      await server.close();
    }
  });
});
