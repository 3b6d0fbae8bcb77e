import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type LogtoClient, LogtoError, type SignInOptions, type Storage, signInLifetimeMs } from '@logto-kit/client';
import { LogtoRoutes } from './routes.ts';
import type { Session } from './session.ts';
import { SessionManager } from './session-manager.ts';

const secret = 'routes-test-secret-0123456789abcdefgh';

/** A stand-in for LogtoClient: records sign-in options and plays a scripted callback. */
function fakeClients(callback: (storage: Storage, url: string) => Promise<{ postRedirectUri?: string }>) {
  const signIns: SignInOptions[] = [];
  const createClient = (storage: Storage) =>
    ({
      async signIn(options: SignInOptions) {
        signIns.push(options);
        await storage.set('logto.signIn.s1', JSON.stringify({ postRedirectUri: options.postRedirectUri }));
        return 'https://idp.example/oidc/auth?state=s1';
      },
      handleSignInCallback: (url: string) => callback(storage, url),
      async signOut(postLogoutRedirectUri?: string) {
        await storage.delete('logto.idToken');
        return `https://idp.example/oidc/session/end?post_logout_redirect_uri=${postLogoutRedirectUri}`;
      },
    }) as unknown as LogtoClient;
  const routes = new LogtoRoutes({
    createClient,
    redirectUri: 'https://app.example/callback',
    postSignOutRedirectUri: 'https://app.example/',
  });
  return { routes, signIns };
}

async function session(data: Record<string, string> = {}): Promise<Session> {
  const loaded = await new SessionManager({ secrets: [secret] }).load({ cookies: new Map(), secure: true });
  for (const [key, value] of Object.entries(data)) loaded.set(key, value);
  return loaded;
}

describe('LogtoRoutes', () => {
  it('passes a safe returnTo to the client and replaces an unsafe one by /', async () => {
    const { routes, signIns } = fakeClients(async () => ({}));
    await routes.signIn(await session(), { returnTo: '/orders?id=1' });
    await routes.signIn(await session(), { returnTo: '//evil.com' });
    await routes.signIn(await session(), { returnTo: ['/a', '/b'] });
    await routes.signIn(await session(), { firstScreen: 'register' });
    assert.deepEqual(
      signIns.map((options) => options.postRedirectUri),
      ['/orders?id=1', '/', '/', '/'],
    );
    assert.equal(signIns[3]?.firstScreen, 'register');
    assert.equal(signIns[0]?.redirectUri, 'https://app.example/callback');
  });

  it('on success, starts a new session holding only what the callback stored', async () => {
    const { routes } = fakeClients(async (storage) => {
      await storage.get('logto.signIn.s1');
      await storage.delete('logto.signIn.s1');
      await storage.delete('logto.accessTokens');
      await storage.set('logto.signInIndex', '[]');
      await storage.set('logto.idToken', 'new-id-token');
      return { postRedirectUri: '/orders' };
    });
    // A session planted before sign-in, e.g. with an attacker's cached access token.
    const planted = await session({
      'logto.signIn.s1': '{}',
      'logto.accessTokens': '{"attacker":"token"}',
      'app.cart': 'planted',
    });
    const target = await routes.handleCallback(planted, 'https://app.example/callback?code=c&state=s1');
    assert.equal(target, '/orders');
    assert.equal(planted.regenerated, true);
    assert.deepEqual(planted.keys(), ['logto.idToken']);
    assert.equal(planted.get('logto.idToken'), 'new-id-token');
  });

  it('re-checks the destination the client returns', async () => {
    const { routes } = fakeClients(async () => ({ postRedirectUri: 'https://evil.com' }));
    assert.equal(await routes.handleCallback(await session(), 'https://app.example/callback?state=s1'), '/');
  });

  it('on failure, keeps the session but applies what the client consumed, and rethrows', async () => {
    const { routes } = fakeClients(async (storage) => {
      await storage.delete('logto.signIn.s1');
      throw new LogtoError('callback_provider_error', 'refused');
    });
    const existing = await session({ 'logto.signIn.s1': '{}', 'logto.idToken': 'still-signed-in' });
    await assert.rejects(
      routes.handleCallback(existing, 'https://app.example/callback?error=access_denied&state=s1'),
      (error) => error instanceof LogtoError && error.code === 'callback_provider_error',
    );
    assert.equal(existing.regenerated, false);
    assert.equal(existing.get('logto.signIn.s1'), undefined, 'the pending sign-in is consumed');
    assert.equal(existing.get('logto.idToken'), 'still-signed-in');
  });

  it('signs out: empties the session and answers the end-session URL', async () => {
    const { routes } = fakeClients(async () => ({}));
    const signedIn = await session({ 'logto.idToken': 'x', other: 'y' });
    const url = new URL(await routes.signOut(signedIn));
    assert.equal(`${url.origin}${url.pathname}`, 'https://idp.example/oidc/session/end');
    assert.equal(url.searchParams.get('post_logout_redirect_uri'), 'https://app.example/');
    assert.deepEqual(signedIn.keys(), []);
  });

  it('keeps the ID token out of the end-session URL (browser history, access logs)', async () => {
    const { routes } = fakeClients(async () => ({}));
    const url = new URL(await routes.signOut(await session({ 'logto.idToken': 'the.id.token' })));
    assert.equal(url.searchParams.get('id_token_hint'), null);
    assert.doesNotMatch(url.href, /the\.id\.token/);
  });

  it('returns to / after sign-in when returnTo is longer than 512 characters', async () => {
    const { routes, signIns } = fakeClients(async () => ({}));
    await routes.signIn(await session(), { returnTo: `/${'a'.repeat(511)}` });
    await routes.signIn(await session(), { returnTo: `/${'a'.repeat(512)}` });
    assert.deepEqual(
      signIns.map((options) => options.postRedirectUri?.length),
      [512, 1],
    );
  });
});

describe('LogtoRoutes claims of cookie-session callbacks', () => {
  const refused = (error: unknown) => error instanceof LogtoError && error.code === 'callback_state_mismatch';
  const reachedClient = (error: unknown) => error instanceof LogtoError && error.code === 'callback_provider_error';

  /** Routes whose client refuses every callback (the pending sign-in stays, as in a replayed cookie). */
  async function claiming() {
    const { routes } = fakeClients(async () => {
      throw new LogtoError('callback_provider_error', 'refused');
    });
    const holder = await session();
    /** A callback of `state` from a browser whose cookie still holds its pending sign-in. */
    const callback = (state: string) => {
      holder.set(`logto.signIn.${state}`, '{}');
      return routes.handleCallback(holder, `https://app.example/callback?code=c&state=${state}`);
    };
    return { callback };
  }

  it('refuses a repeated callback while its pending sign-in lives, and no longer afterwards', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 1_800_000_000_000 });
    const { callback } = await claiming();
    await assert.rejects(callback('s1'), reachedClient);
    t.mock.timers.tick(signInLifetimeMs - 1);
    await assert.rejects(callback('s1'), refused);
    t.mock.timers.tick(1);
    await assert.rejects(callback('s1'), reachedClient, 'the claim ended with the pending sign-in');
  });

  it('remembers at most 10,000 claims: expired ones go first, then the oldest live one', async (t) => {
    const start = 1_800_000_000_000;
    t.mock.timers.enable({ apis: ['Date'], now: start });
    const { callback } = await claiming();
    await assert.rejects(callback('renewed'), reachedClient);
    await assert.rejects(callback('expired'), reachedClient);
    t.mock.timers.tick(signInLifetimeMs / 2);
    await assert.rejects(callback('middle'), reachedClient);
    t.mock.timers.tick(signInLifetimeMs / 2);
    // Claimed again as its first claim ends: live, and still the oldest claim.
    await assert.rejects(callback('renewed'), reachedClient);
    for (let n = 0; n < 9_997; n++) await assert.rejects(callback(`s${n}`), reachedClient);
    // 10,000 claims held: the next one makes room by dropping the expired claim only.
    await assert.rejects(callback('s9997'), reachedClient);
    await assert.rejects(callback('renewed'), refused, 'a live claim is kept while an expired one can go');
    await assert.rejects(callback('s0'), refused);
    // Full of live claims: the oldest goes, one at a time.
    await assert.rejects(callback('s9998'), reachedClient);
    await assert.rejects(callback('middle'), refused, 'only the oldest claim was dropped');
    await assert.rejects(callback('s9999'), reachedClient);
    await assert.rejects(callback('middle'), reachedClient, 'the oldest claim was forgotten');
    await assert.rejects(callback('s1'), refused, 'the next oldest is kept');
    await assert.rejects(callback('renewed'), reachedClient);
  });
});
