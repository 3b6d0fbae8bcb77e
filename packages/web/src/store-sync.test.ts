// Store-backed sessions shared by several requests of one browser (or several instances): a token
// refresh made by one request reaches the store at once, and a request that opened the session
// before it refreshes with the newest refresh token, not the one it loaded (which the provider
// has rotated away).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCookieHeader } from './cookies.ts';
import { SessionManager } from './session-manager.ts';
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

const secrets = ['store-sync-test-secret-0123456789abcdefgh'];

/**
 * A memory store that counts writes; its writes can fail (`down`), and its compare-and-set can
 * lose every race (`losing`, as when other requests keep writing the session).
 */
function recordingStore({ compareAndSet = true } = {}) {
  const inner = new MemoryStore();
  const calls = { set: 0, compareAndSet: 0 };
  const state = { down: false, losing: false };
  const store: SessionStore = {
    get: (id) => inner.get(id),
    destroy: (id) => inner.destroy(id),
    take: (id) => inner.take(id),
    set: async (id, data, ttl) => {
      calls.set += 1;
      if (state.down) throw new Error('store down');
      await inner.set(id, data, ttl);
    },
  };
  if (compareAndSet) {
    store.compareAndSet = async (id, expected, data, ttl) => {
      calls.compareAndSet += 1;
      if (calls.compareAndSet > 50) throw new Error('compare-and-set tried without end');
      if (state.down) throw new Error('store down');
      return !state.losing && inner.compareAndSet(id, expected, data, ttl);
    };
  }
  return { inner, store, calls, state };
}

/** A signed-in user's browser over `store`: its cookies, and a loader of its requests' sessions. */
async function signedInSession(store: SessionStore) {
  const errors: string[] = [];
  const manager = new SessionManager({
    secrets,
    store,
    logger: { debug() {}, error: (message) => errors.push(message) },
  });
  const browser = async () => {
    const session = await manager.load({ cookies: new Map(), secure: false });
    session.set('logto.idToken', 'id-1');
    session.set('logto.refreshToken', 'r0');
    const headers = await manager.commit(session);
    const cookies = parseCookieHeader(headers.map((header) => header.split(';')[0]).join('; '));
    return { cookies, load: () => manager.load({ cookies, secure: false }) };
  };
  const { cookies, load } = await browser();
  const id = (await load()).storeId!;
  return { manager, sync: manager.sync!, cookies, load, id, errors, browser };
}

describe('StoreSync', () => {
  it('of two requests taking the same entry (a repeated callback) only the first gets it', async () => {
    const { manager, sync, load } = await signedInSession(new MemoryStore());
    const [first, second] = [await load(), await load()];
    assert.equal(await sync.take(first), true);
    assert.equal(await sync.take(second), false);
    const withoutEntry = await manager.load({ cookies: new Map(), secure: false });
    withoutEntry.set('logto.signIn.s', 'pending');
    assert.equal(await sync.take(withoutEntry), true, 'a session without an entry has nothing to take');
  });

  it('a taken session is written back whole when committed: a callback that fails leaves the user signed in', async () => {
    const { manager, sync, load, id } = await signedInSession(new MemoryStore());
    const session = await load();
    assert.equal(await sync.take(session), true);
    assert.equal(await sync.read(id), undefined, 'taken out of the store');
    await manager.commit(session);
    const after = await load();
    assert.equal(after.get('logto.idToken'), 'id-1');
    assert.equal(after.get('logto.refreshToken'), 'r0');
  });

  it('a regenerated session is neither taken, refilled nor written through its old entry (session fixation)', async () => {
    const { store, calls } = recordingStore();
    const { sync, load, id } = await signedInSession(store);
    const session = await load();
    session.regenerate();
    session.set('logto.idToken', 'id-2');
    const before = { ...calls };
    assert.equal(await sync.take(session), true);
    await sync.reload(session);
    assert.equal(session.get('logto.refreshToken'), undefined, 'the old data does not come back');
    await sync.probe(session);
    await sync.flush(session);
    assert.deepEqual(calls, before, 'nothing written');
    assert.equal((await sync.read(id))?.data['logto.idToken'], 'id-1', 'the old entry is left as it was');
  });

  it('a session without an entry (pending sign-ins kept in the cookie) is neither refilled nor written early', async () => {
    const { store, calls } = recordingStore();
    const { manager, sync } = await signedInSession(store);
    const started = await manager.load({ cookies: new Map(), secure: false });
    started.set('logto.signIn.s', 'pending');
    const headers = await manager.commit(started);
    const cookies = parseCookieHeader(headers.map((header) => header.split(';')[0]).join('; '));
    const session = await manager.load({ cookies, secure: false });
    assert.equal(session.storeId, undefined);
    session.set('logto.signIn.t', 'second');
    const before = { ...calls };
    await sync.reload(session);
    assert.equal(session.get('logto.signIn.s'), 'pending');
    await sync.probe(session);
    await sync.flush(session);
    assert.deepEqual(calls, before, 'nothing written');
    assert.equal(session.dirty, true, 'still committed with the response');
  });

  it('a request that wrote its changes early writes nothing at commit, so a newer refresh survives whichever response ends last', async () => {
    const { store, calls } = recordingStore();
    const { manager, sync, load } = await signedInSession(store);
    const [first, second] = [await load(), await load()];
    first.set('logto.refreshToken', 'r1');
    await sync.flush(first);
    second.set('logto.refreshToken', 'r2');
    await sync.flush(second);
    assert.equal(second.get('logto.refreshToken'), 'r2');
    const probed = await load();
    probed.set('unrelated', 'x');
    await sync.probe(probed);
    const before = { ...calls };
    assert.deepEqual(await manager.commit(second), []);
    assert.deepEqual(await manager.commit(first), []);
    assert.deepEqual(await manager.commit(probed), []);
    assert.deepEqual(calls, before, 'no store write at commit');
    const after = await load();
    assert.equal(after.get('logto.refreshToken'), 'r2');
    assert.equal(after.get('unrelated'), 'x');
  });

  for (const compareAndSet of [true, false]) {
    describe(compareAndSet ? 'with compare-and-set' : 'without compare-and-set', () => {
      it('a store outage with nothing to save is neither reported nor kept', async () => {
        const { store, state } = recordingStore({ compareAndSet });
        const { manager, sync, load, errors } = await signedInSession(store);
        const session = await load();
        state.down = true;
        await sync.flush(session);
        assert.deepEqual(errors, []);
        assert.equal(manager.pendingWrites, 0);
      });

      it('a store outage during a save is reported and the changes kept, the response still answered; the next write takes them along', async () => {
        const { store, state } = recordingStore({ compareAndSet });
        const { manager, sync, load, errors } = await signedInSession(store);
        const session = await load();
        session.set('logto.refreshToken', 'r1');
        state.down = true;
        await sync.flush(session);
        assert.match(errors.join('\n'), /the new tokens are kept/);
        assert.equal(manager.pendingWrites, 1);
        assert.deepEqual(await manager.commit(session), [], 'nothing left to write: answered, not 503');
        state.down = false;
        const next = await load();
        assert.equal(next.get('logto.refreshToken'), 'r1', 'this process serves the kept token');
        next.set('other', 'x');
        await manager.commit(next);
        assert.equal(manager.pendingWrites, 0, 'written with the next write');
        const after = await load();
        assert.equal(after.get('logto.refreshToken'), 'r1');
        assert.equal(after.get('other'), 'x');
      });

      it('claims a pending sign-in once, for as long as a pending sign-in lives (10 minutes)', async () => {
        let now = 1_700_000_000_000;
        const inner = new MemoryStore({ now: () => now });
        const store: SessionStore = compareAndSet
          ? inner
          : {
              get: (id) => inner.get(id),
              set: (id, data, ttl) => inner.set(id, data, ttl),
              destroy: (id) => inner.destroy(id),
            };
        const sync = new SessionManager({ secrets, store, now: () => now }).sync!;
        assert.equal(await sync.claim('state-digest'), true);
        assert.equal(await sync.claim('state-digest'), false, 'claimed already');
        assert.equal(await sync.claim('other-digest'), true);
        now += 599_000;
        assert.equal(await sync.claim('state-digest'), false);
        now += 1_000;
        assert.equal(await sync.claim('state-digest'), true, 'expired with the pending sign-in');
      });
    });
  }

  it('tokens kept for a failing store are forgotten once their session is re-read as ended, signed out or replaced', async () => {
    const { store, inner, state } = recordingStore();
    const { manager, sync, browser } = await signedInSession(store);
    const keptFor = async (load: () => ReturnType<typeof manager.load>) => {
      const session = await load();
      session.set('logto.refreshToken', 'r1');
      state.down = true;
      await sync.flush(session);
      state.down = false;
      assert.equal(manager.pendingWrites, 1);
      return session;
    };

    const ended = await browser();
    const session = await keptFor(ended.load);
    await sync.reload(session);
    assert.equal(manager.pendingWrites, 1, 'kept while the entry lives');
    assert.equal(session.get('logto.refreshToken'), 'r1');
    await inner.destroy(session.storeId!);
    await sync.reload(session);
    assert.equal(manager.pendingWrites, 0, 'ended elsewhere: forgotten');
    assert.equal(session.get('logto.idToken'), undefined, 'and not brought back');

    const signedOut = await browser();
    await keptFor(signedOut.load);
    const signingOut = await signedOut.load();
    signingOut.destroy();
    await manager.commit(signingOut);
    assert.equal(manager.pendingWrites, 0, 'signed out: forgotten');

    const replaced = await browser();
    await keptFor(replaced.load);
    const signingIn = await replaced.load();
    signingIn.regenerate();
    signingIn.set('logto.idToken', 'id-2');
    await manager.commit(signingIn);
    assert.equal(manager.pendingWrites, 0, 'replaced at sign-in: forgotten');
  });

  it('writes once when no one else wrote, and unconditionally after five lost compare-and-set races', async () => {
    const { store, calls, state } = recordingStore();
    const { manager, sync, load } = await signedInSession(store);
    const quiet = await load();
    quiet.set('a', '1');
    calls.compareAndSet = 0;
    calls.set = 0;
    await manager.commit(quiet);
    assert.deepEqual(calls, { compareAndSet: 1, set: 0 });

    const busy = await load();
    busy.set('logto.refreshToken', 'r1');
    state.down = true;
    await sync.flush(busy);
    state.down = false;
    assert.equal(manager.pendingWrites, 1);
    busy.set('b', '2');
    state.losing = true;
    calls.compareAndSet = 0;
    calls.set = 0;
    await manager.commit(busy);
    assert.deepEqual(calls, { compareAndSet: 5, set: 1 });
    assert.equal(manager.pendingWrites, 0, 'the kept token went along');
    const after = await load();
    assert.deepEqual([after.get('a'), after.get('b'), after.get('logto.refreshToken')], ['1', '2', 'r1']);
  });

  it('a session signed out elsewhere is not brought back by a concurrent request that changed it', async () => {
    const { manager, load } = await signedInSession(new MemoryStore());
    const refreshing = await load();
    const signingOut = await load();
    refreshing.set('logto.refreshToken', 'r1');
    signingOut.destroy();
    await manager.commit(signingOut);
    await manager.commit(refreshing);
    const after = await load();
    assert.equal(after.get('logto.refreshToken'), undefined);
    assert.equal(after.refused, true);
  });
});
