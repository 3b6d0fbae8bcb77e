// Store-backed sessions shared by several requests of one browser (or several instances): a token
// refresh made by one request reaches the store at once, and a request that loaded the session
// before it refreshes with the newest refresh token, not the one it loaded (which the provider
// has rotated away).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFakeProvider } from '../../client/src/test-support/fake-provider.ts';
import { parseCookieHeader } from './cookies.ts';
import { createLogtoCore, type LogtoCore } from './logto-core.ts';
import { MemoryStore, type SessionStore } from './session-store.ts';

const secrets = ['store-sync-test-secret-0123456789abcdefgh'];

async function signedIn(store: SessionStore, logger?: { debug(): void; error(message: string): void }) {
  const provider = await createFakeProvider();
  const core: LogtoCore = createLogtoCore({
    endpoint: provider.endpoint,
    appId: provider.appId,
    appSecret: provider.appSecret,
    baseUrl: 'https://app.example',
    session: { secrets, store, ...(logger ? { logger } : {}) },
    clientOptions: { fetch: provider.fetch, now: provider.now },
  });
  const start = await core.sessions.load({ cookies: new Map(), secure: true });
  const answer = await core.serveRoute(start, { method: 'GET', path: '/sign-in', search: '' });
  const url = new URL(answer?.kind === 'redirect' ? answer.location : '');
  provider.nonce = url.searchParams.get('nonce') ?? undefined;
  let cookies = cookieJar(new Map(), await start.commit());
  const callback = await core.sessions.load({ cookies, secure: true });
  const done = await core.serveRoute(callback, {
    method: 'GET',
    path: '/callback',
    search: `?code=code-1&state=${url.searchParams.get('state')}`,
  });
  assert.equal(done?.kind, 'redirect');
  cookies = cookieJar(cookies, await callback.commit());
  return { provider, core, cookies };
}

function cookieJar(previous: ReadonlyMap<string, string>, headers: readonly string[]): Map<string, string> {
  const cookies = new Map(previous);
  for (const header of headers) {
    const [name, value] = [...parseCookieHeader(header.split(';')[0])][0] ?? [];
    if (name === undefined) continue;
    if (value === '' || /max-age=0/i.test(header)) cookies.delete(name);
    else cookies.set(name, value ?? '');
  }
  return cookies;
}

async function request(core: LogtoCore, cookies: ReadonlyMap<string, string>) {
  const session = await core.sessions.load({ cookies, secure: true });
  return { session, client: core.clientFor(session) };
}

describe('store-backed sessions across requests', () => {
  it('a request that loaded the session before another refreshed it refreshes with the new refresh token', async () => {
    const { provider, core, cookies } = await signedIn(new MemoryStore());
    provider.time += 3600 * 1000;
    const first = await request(core, cookies);
    const second = await request(core, cookies);
    assert.ok((await first.client.getAccessToken('https://api.example/a')).length > 0);
    assert.equal(provider.currentRefreshToken, 'rt-2', 'the provider rotated the refresh token');
    assert.ok((await second.client.getAccessToken('https://api.example/b')).length > 0, 'no invalid_grant');
    assert.equal(provider.refreshCount, 2);
    await first.session.commit();
    await second.session.commit();
    const third = await request(core, cookies);
    assert.equal(await third.client.getRefreshToken(), 'rt-3');
    assert.equal(await third.client.isAuthenticated(), true);
  });

  it('a refresh is in the store before the response ends: the next request needs no refresh', async () => {
    const { provider, core, cookies } = await signedIn(new MemoryStore());
    provider.time += 3600 * 1000;
    const first = await request(core, cookies);
    const token = await first.client.getAccessToken('https://api.example/a');
    const next = await request(core, cookies);
    assert.equal(await next.client.getAccessToken('https://api.example/a'), token);
    assert.equal(provider.refreshCount, 1);
  });

  it('when the store fails to take the refresh, reports it, keeps the tokens in the process and writes them later', async () => {
    const inner = new MemoryStore();
    let failing = false;
    const store: SessionStore = {
      get: (id) => inner.get(id),
      set: async (id, data, ttl) => {
        if (failing) throw new Error('store down');
        await inner.set(id, data, ttl);
      },
      destroy: (id) => inner.destroy(id),
    };
    const errors: string[] = [];
    const { provider, core, cookies } = await signedIn(store, { debug() {}, error: (message) => errors.push(message) });
    provider.time += 3600 * 1000;
    // The store goes down once the refresh token is spent, before the new tokens reach it.
    provider.tokenHandler = async (params) => {
      failing = true;
      return provider.defaultToken(params);
    };
    const first = await request(core, cookies);
    assert.ok((await first.client.getAccessToken('https://api.example/a')).length > 0);
    assert.match(errors.join('\n'), /the new tokens are kept/);
    const second = await request(core, cookies);
    assert.equal(await second.client.getRefreshToken(), 'rt-2', 'this process still serves the new refresh token');
    failing = false;
  });

  it('a signed-in user signing in again completes it once: the stored session is taken by the first callback', async () => {
    const { provider, core, cookies } = await signedIn(new MemoryStore());
    const start = await core.sessions.load({ cookies, secure: true });
    const answer = await core.serveRoute(start, { method: 'GET', path: '/sign-in', search: '?returnTo=%2Fagain' });
    const url = new URL(answer?.kind === 'redirect' ? answer.location : '');
    provider.nonce = url.searchParams.get('nonce') ?? undefined;
    const withPending = cookieJar(cookies, await start.commit());
    const search = `?code=code-1&state=${url.searchParams.get('state')}`;
    const callback = async () => {
      const session = await core.sessions.load({ cookies: withPending, secure: true });
      const result = await core.serveRoute(session, { method: 'GET', path: '/callback', search });
      return { result, headers: await session.commit() };
    };
    const requestsBefore = provider.tokenRequests.length;
    const [first, second] = await Promise.all([callback(), callback()]);
    assert.deepEqual([first.result?.kind, second.result?.kind].sort(), ['callback_error', 'redirect']);
    const winner = first.result?.kind === 'redirect' ? first : second;
    const loser = winner === first ? second : first;
    assert.deepEqual(winner.result, { kind: 'redirect', location: '/again' });
    assert.deepEqual(loser.headers, []);
    assert.equal(provider.tokenRequests.length - requestsBefore, 1);
    const after = await request(core, cookieJar(withPending, winner.headers));
    assert.equal(await after.client.isAuthenticated(), true);
    assert.equal((await callback()).result?.kind, 'callback_error', 'a replay finds the old session gone');
  });
});
