// Store-backed sessions shared by several requests of one browser (or several instances): a token
// refresh made by one request reaches the store at once, and a request that opened the session
// before it refreshes with the newest refresh token, not the one it loaded (which the provider
// has rotated away).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore, type SessionStore } from './session-store.ts';
import { commit, cookiesAfter, location, open, send, startSignIn, world } from './test-support/core-flow.ts';

async function signedIn(store: SessionStore, logger?: { debug(): void; error(message: string): void }) {
  const app = await world(store, logger);
  const started = await startSignIn(app);
  const done = await send(app.core, started.callback, started.cookies);
  assert.equal(location(done.answer), '/orders');
  return { ...app, cookies: done.cookies };
}

describe('store-backed sessions across requests', () => {
  it('a request that opened the session before another refreshed it refreshes with the new refresh token', async () => {
    const { provider, core, cookies } = await signedIn(new MemoryStore());
    provider.time += 3600 * 1000;
    const first = await open(core, '/', cookies);
    const second = await open(core, '/', cookies);
    assert.ok((await first.client.getAccessToken('https://api.example/a')).length > 0);
    assert.equal(provider.currentRefreshToken, 'rt-2', 'the provider rotated the refresh token');
    assert.ok((await second.client.getAccessToken('https://api.example/b')).length > 0, 'no invalid_grant');
    assert.equal(provider.refreshCount, 2);
    await commit(core, first);
    await commit(core, second);
    const third = await open(core, '/', cookies);
    assert.equal(await third.client.getRefreshToken(), 'rt-3');
    assert.equal(await third.client.isAuthenticated(), true);
  });

  it('a refresh is in the store before the response ends: the next request needs no refresh', async () => {
    const { provider, core, cookies } = await signedIn(new MemoryStore());
    provider.time += 3600 * 1000;
    const token = await (await open(core, '/', cookies)).client.getAccessToken('https://api.example/a');
    assert.equal(await (await open(core, '/', cookies)).client.getAccessToken('https://api.example/a'), token);
    assert.equal(provider.refreshCount, 1);
  });

  it('when the store fails after the refresh, reports it and serves the new tokens from this process', async () => {
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
    assert.ok((await (await open(core, '/', cookies)).client.getAccessToken('https://api.example/a')).length > 0);
    assert.match(errors.join('\n'), /the new tokens are kept/);
    const second = await open(core, '/', cookies);
    assert.equal(await second.client.getRefreshToken(), 'rt-2', 'this process still serves the new refresh token');
    failing = false;
  });

  it('a signed-in user signing in again completes it once: the stored session is taken by the first callback', async () => {
    const app = await signedIn(new MemoryStore());
    const started = await startSignIn(app, app.cookies, '/again');
    const before = app.provider.tokenRequests.length;
    const [first, second] = await Promise.all([
      send(app.core, started.callback, started.cookies),
      send(app.core, started.callback, started.cookies),
    ]);
    assert.deepEqual([first.answer?.kind, second.answer?.kind].sort(), ['answer', 'callback_error']);
    const winner = first.answer?.kind === 'answer' ? first : second;
    const loser = winner === first ? second : first;
    assert.equal(location(winner.answer), '/again');
    assert.deepEqual(loser.setCookie, []);
    assert.equal(app.provider.tokenRequests.length - before, 1);
    const after = await open(app.core, '/', cookiesAfter(started.cookies, winner.setCookie));
    assert.equal(await after.client.isAuthenticated(), true);
    const replay = await send(app.core, started.callback, started.cookies);
    assert.equal(replay.answer?.kind, 'callback_error', 'a replay finds the old session gone');
  });
});
