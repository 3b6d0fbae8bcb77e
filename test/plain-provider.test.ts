// The client against a plain oidc-provider (RS256, no Logto extensions): a standards-correct RP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LogtoClient, LogtoError, MemoryStorage } from '@logto-kit/client';
import { type PlainProvider, startPlainProvider } from './fixtures/plain-provider.ts';

describe('LogtoClient against a plain OpenID provider', () => {
  let provider: PlainProvider;
  before(async () => {
    provider = await startPlainProvider({ accessTokenTtl: 600 });
  });
  after(() => provider.close());

  function client(storage = new MemoryStorage(), now: () => number = Date.now) {
    return new LogtoClient(
      { endpoint: provider.endpoint, appId: provider.clientId, appSecret: provider.clientSecret },
      { storage, now },
    );
  }

  async function signedIn(now: () => number = Date.now) {
    const storage = new MemoryStorage();
    const rp = client(storage, now);
    const authorizationUrl = await rp.signIn(provider.redirectUri);
    const callbackUrl = await provider.signIn(authorizationUrl, { username: 'alice', password: 'alice-password' });
    await rp.handleSignInCallback(callbackUrl);
    return { rp, storage, callbackUrl };
  }

  it('signs in: PKCE, nonce, RFC 9207 iss, client_secret_basic, RS256 ID token', async () => {
    const { rp, callbackUrl } = await signedIn();
    assert.equal(new URL(callbackUrl).searchParams.get('iss'), provider.issuer, 'the provider sent iss');
    assert.equal(await rp.isAuthenticated(), true);
    const claims = await rp.getIdTokenClaims();
    assert.equal(claims.sub, 'user-alice');
    assert.equal(claims.iss, provider.issuer);
    assert.equal(claims.aud, provider.clientId);
    assert.ok(await rp.getRefreshToken(), 'offline_access with prompt=consent yields a refresh token');
  });

  it('fetches userinfo with the access token of the code exchange', async () => {
    const { rp } = await signedIn();
    const userinfo = await rp.fetchUserInfo();
    assert.equal(userinfo.sub, 'user-alice');
    assert.equal(userinfo.name, 'Alice');
  });

  it('refreshes an expired access token, keeping the subject, and the rotated refresh token works', async () => {
    let offset = 0;
    const { rp } = await signedIn(() => Date.now() + offset);
    const first = await rp.getAccessToken();
    const firstRefreshToken = await rp.getRefreshToken();
    offset = 600_000;
    const second = await rp.getAccessToken();
    assert.notEqual(second, first);
    assert.notEqual(await rp.getRefreshToken(), firstRefreshToken, 'the refresh token rotated');
    assert.equal((await rp.getIdTokenClaims()).sub, 'user-alice');
    assert.equal((await rp.fetchUserInfo()).sub, 'user-alice');
    offset = 1_200_000;
    assert.notEqual(await rp.getAccessToken(), second, 'the rotated refresh token was accepted');
  });

  it('concurrent refreshes on one session all succeed: the rotating refresh token is never reused', async () => {
    let offset = 0;
    const { storage } = await signedIn(() => Date.now() + offset);
    offset = 600_000;
    // Per-request clients over one session; oidc-provider revokes the grant if a rotated token is reused.
    const tokens = await Promise.all(
      Array.from({ length: 20 }, () => client(storage, () => Date.now() + offset).getAccessToken()),
    );
    assert.equal(new Set(tokens).size, 1);
    offset = 1_200_000;
    assert.ok(await client(storage, () => Date.now() + offset).getAccessToken(), 'the grant is still alive');
  });

  it('refuses to redeem the same callback twice', async () => {
    const { rp, callbackUrl } = await signedIn();
    await assert.rejects(rp.handleSignInCallback(callbackUrl), { code: 'callback_state_mismatch' });
  });

  it('a code redeemed by another client storage is refused by the provider', async () => {
    const storage = new MemoryStorage();
    const rp = client(storage);
    const authorizationUrl = await rp.signIn(provider.redirectUri);
    const callbackUrl = await provider.signIn(authorizationUrl, { username: 'alice', password: 'alice-password' });
    // Copy the pending sign-in, as an attacker replaying a stolen callback with the same state would need.
    const copy = new MemoryStorage();
    for (const key of ['logto.signInIndex', `logto.signIn.${new URL(callbackUrl).searchParams.get('state')}`]) {
      const value = storage.get(key);
      if (value) copy.set(key, value);
    }
    await rp.handleSignInCallback(callbackUrl);
    await assert.rejects(client(copy).handleSignInCallback(callbackUrl), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.code, 'token_request_failed');
      assert.equal(error.error, 'invalid_grant');
      return true;
    });
  });

  it('signs out: revokes the refresh token and returns the end-session URL', async () => {
    const { rp, storage } = await signedIn();
    const refreshToken = await rp.getRefreshToken();
    const url = new URL(await rp.signOut(provider.postLogoutRedirectUri));
    assert.equal(`${url.origin}${url.pathname}`, `${provider.issuer}/session/end`);
    assert.equal(url.searchParams.get('client_id'), provider.clientId);
    assert.equal(url.searchParams.get('post_logout_redirect_uri'), provider.postLogoutRedirectUri);
    assert.equal(url.searchParams.get('id_token_hint'), null);
    assert.equal(await rp.isAuthenticated(), false);
    // The revoked refresh token no longer works anywhere.
    assert.ok(refreshToken);
    storage.set('logto.refreshToken', refreshToken);
    await assert.rejects(rp.getAccessToken(), { code: 'not_authenticated' });
  });
});
