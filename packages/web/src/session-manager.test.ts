// What SessionManager sends back and stores for a request: nothing for an unchanged session, the
// cookie (or store entry) rules of pending sign-ins, ended sessions, the cookie budget, and where
// failures are reported.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CookieSealer, splitCookieValue } from './cookie-session.ts';
import type { Session } from './session.ts';
import { maxSessionCookieBytes } from './session-budget.ts';
import { type Logger, SessionManager, type SessionOptions } from './session-manager.ts';
import { MemoryStore, type SessionStore } from './session-store.ts';
import { clock, jar } from './test-support/cookie-jar.ts';

const secret = 'session-manager-secret-0123456789abcd';

/** A memory store that records removals and whose writes can be made to fail. */
function recordingStore(now: () => number) {
  const inner = new MemoryStore({ now });
  const destroyed: unknown[] = [];
  let failing = false;
  const store: SessionStore & { size: number } = {
    get size() {
      return inner.size;
    },
    get: (id) => inner.get(id),
    set: async (id, data, ttl) => {
      if (failing) throw new Error('store down');
      await inner.set(id, data, ttl);
    },
    compareAndSet: async (id, expected, data, ttl) => {
      if (failing) throw new Error('store down');
      return inner.compareAndSet(id, expected, data, ttl);
    },
    destroy: async (id) => {
      destroyed.push(id);
      await inner.destroy(id);
    },
  };
  return { store, destroyed, fail: (value: boolean) => (failing = value) };
}

function setup(mode: 'cookie' | 'store', options: Partial<SessionOptions> = {}) {
  const time = clock();
  const { store, destroyed, fail } = recordingStore(time.now);
  const debug: string[] = [];
  const errors: Array<[string, unknown]> = [];
  const logger: Logger = { debug: (line) => debug.push(line), error: (line, error) => errors.push([line, error]) };
  const sessions = new SessionManager({
    secrets: [secret],
    now: time.now,
    logger,
    ...(mode === 'store' ? { store } : {}),
    ...options,
  });
  const browser = jar();
  const load = () => sessions.load({ cookies: browser.cookies, secure: false });
  const request = async (change: (session: Session) => void) => {
    const session = await load();
    change(session);
    const headers = await sessions.commit(session);
    browser.apply(headers);
    return headers;
  };
  return { sessions, time, store, destroyed, fail, debug, errors, browser, load, request };
}

/** The bytes the session's cookies take in a `Cookie` header. */
function cookieBytes(browser: ReturnType<typeof jar>): number {
  return [...browser.cookies]
    .filter(([name]) => name.startsWith('logto_session'))
    .map(([name, value]) => `${name}=${value}`)
    .join('; ').length;
}

/** The bytes the cookies of `payload`, sealed until `expiresAt`, take in a `Cookie` header. */
async function sealedBytes(payload: unknown, expiresAt: number): Promise<number> {
  const sealed = await new CookieSealer({ secrets: [secret] }).seal('logto_session', payload, expiresAt);
  return splitCookieValue('logto_session', sealed)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ').length;
}

/** The longest padding for which the cookies of `payload(padding)` stay within the budget. */
async function longestFitting(payload: (padding: string) => unknown, expiresAt: number): Promise<number> {
  let low = 0;
  let high = maxSessionCookieBytes;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if ((await sealedBytes(payload('x'.repeat(middle)), expiresAt)) <= maxSessionCookieBytes) low = middle;
    else high = middle - 1;
  }
  return low;
}

for (const mode of ['cookie', 'store'] as const) {
  describe(`what a request sends back (${mode})`, () => {
    it("a signed-in user's unchanged request sends and stores nothing", async () => {
      const { sessions, request, load, store } = setup(mode);
      await request((session) => session.set('logto.idToken', 'token'));
      const entries = store.size;
      const session = await load();
      assert.equal(session.get('logto.idToken'), 'token');
      assert.equal(sessions.needsCommit(session), false);
      assert.deepEqual(await sessions.commit(session), []);
      assert.equal(store.size, entries);
    });

    it('a session left untouched (a callback that lost a race) sends nothing, even when changed', async () => {
      const { sessions, request, load, browser } = setup(mode);
      await request((session) => session.set('logto.idToken', 'token'));
      const before = new Map(browser.cookies);
      const session = await load();
      session.set('logto.idToken', 'loser');
      session.leaveUntouched();
      assert.equal(sessions.needsCommit(session), false);
      assert.deepEqual(await sessions.commit(session), []);
      assert.deepEqual(browser.cookies, before);
      assert.equal((await load()).get('logto.idToken'), 'token');
    });

    it('renews a session only once more than half of its lifetime has passed', async () => {
      const { sessions, request, load, time } = setup(mode, { maxAge: 100 });
      await request((session) => session.set('logto.idToken', 'token'));
      time.advance(50_000);
      const atHalf = await load();
      assert.equal(sessions.needsCommit(atHalf), false);
      assert.deepEqual(await sessions.commit(atHalf), []);
      time.advance(1);
      const pastHalf = await load();
      assert.equal(sessions.needsCommit(pastHalf), true);
      assert.equal((await sessions.commit(pastHalf)).length, 1);
    });

    it('sets the configured cookie Path', async () => {
      const { request } = setup(mode, { path: '/app' });
      const [header] = await request((session) => session.set('logto.idToken', 'token'));
      assert.match(header!, /; Path=\/app;/);
    });

    it('ends a session for which the ended-sessions check answers true (back-channel logout)', async () => {
      const { sessions, request, load, store, browser } = setup(mode);
      await request((session) => session.set('logto.idToken', 'ended-user'));
      const ended = new Map(browser.cookies);
      const other = jar();
      other.apply(await sessions.commit(await signedIn(sessions, 'other-user')));
      const checked: string[] = [];
      sessions.endSessionsWhen(async (session) => {
        checked.push(session.get('logto.idToken')!);
        return session.get('logto.idToken') === 'ended-user';
      });
      const session = await load();
      assert.equal(session.get('logto.idToken'), undefined);
      const headers = await sessions.commit(session);
      assert.match(headers[0]!, /^logto_session=; Max-Age=0/);
      if (mode === 'store') {
        assert.equal(store.size, 1, 'its stored copy is removed, the other user keeps theirs');
        assert.equal((await sessions.load({ cookies: ended, secure: false })).get('logto.idToken'), undefined);
      }
      const kept = await sessions.load({ cookies: other.cookies, secure: false });
      assert.equal(kept.get('logto.idToken'), 'other-user');
      assert.deepEqual(checked, ['ended-user', 'other-user']);
    });
  });
}

async function signedIn(sessions: SessionManager, user: string): Promise<Session> {
  const session = await sessions.load({ cookies: new Map(), secure: false });
  session.set('logto.idToken', user);
  return session;
}

describe('opening a returning user’s cookie session', () => {
  it('opens a cookie opened before at once, without waiting', async () => {
    const { sessions, request, browser } = setup('cookie');
    await request((session) => session.set('logto.idToken', 'token'));
    const first = sessions.open(browser.header(), false);
    assert.ok(first instanceof Promise);
    assert.equal((await first).get('logto.idToken'), 'token');
    const again = sessions.open(browser.header(), false);
    assert.ok(!(again instanceof Promise), 'known cookie: no decryption, no promise');
    assert.equal(again.get('logto.idToken'), 'token');
  });

  it('opens a cookie of exactly the budget’s length, and refuses (as malformed) a longer one', async () => {
    const { sessions, debug, time } = setup('cookie');
    const sealer = new CookieSealer({ secrets: [secret] });
    const expiresAt = time.now() + 60_000;
    // Sealed values grow by one or two characters per byte: some key length reaches the budget exactly.
    let sealed: string | undefined;
    for (let key = 1; sealed === undefined; key += 1) {
      const payload = (length: number) => ({ ['k'.repeat(key)]: 'v'.repeat(length) });
      let length = 0;
      while (sealer.sealedLength(payload(length + 1), expiresAt) <= maxSessionCookieBytes) length += 1;
      if (sealer.sealedLength(payload(length), expiresAt) === maxSessionCookieBytes) {
        sealed = await sealer.seal('logto_session', payload(length), expiresAt);
      }
    }
    assert.equal(sealed.length, maxSessionCookieBytes);
    const cookies = new Map(splitCookieValue('logto_session', sealed));
    const atBudget = await sessions.load({ cookies, secure: false });
    assert.equal(atBudget.refused, false);
    assert.equal(atBudget.keys().length, 1);
    assert.deepEqual(debug, []);

    cookies.set('logto_session.1', `${cookies.get('logto_session.1')}x`);
    const over = await sessions.load({ cookies, secure: false });
    assert.equal(over.refused, true);
    assert.deepEqual(over.keys(), []);
    assert.match(debug[0]!, /\(malformed\)/);
  });
});

describe('store sessions: pending sign-ins stay in the cookie', () => {
  it('a pending sign-in alone writes nothing to the store; an unchanged one sends nothing; a new one is added', async () => {
    const { sessions, request, load, store } = setup('store');
    assert.equal((await request((session) => session.set('logto.signIn.s1', 'first'))).length, 1);
    assert.equal(store.size, 0);
    const unchanged = await load();
    assert.equal(unchanged.get('logto.signIn.s1'), 'first');
    assert.equal(sessions.needsCommit(unchanged), false);
    assert.deepEqual(await sessions.commit(unchanged), []);
    assert.equal((await request((session) => session.set('logto.signIn.s2', 'second'))).length, 1);
    const both = await load();
    assert.equal(both.get('logto.signIn.s1'), 'first');
    assert.equal(both.get('logto.signIn.s2'), 'second');
    assert.equal(store.size, 0);
  });

  it('a stored session left with only pending sign-ins moves back into the cookie, and its entry is removed', async () => {
    const { sessions, request, load, store, browser } = setup('store');
    await request((session) => {
      session.set('logto.idToken', 'token');
      session.set('logto.signIn.s1', 'pending');
    });
    assert.equal(store.size, 1);
    const earlier = new Map(browser.cookies);
    assert.equal((await sessions.load({ cookies: earlier, secure: false })).get('logto.idToken'), 'token');
    await request((session) => session.delete('logto.idToken'));
    assert.equal(store.size, 0);
    const session = await load();
    assert.equal(session.get('logto.signIn.s1'), 'pending');
    assert.equal(session.storeId, undefined);
    const replayed = await sessions.load({ cookies: earlier, secure: false });
    assert.equal(replayed.get('logto.idToken'), undefined, 'the earlier cookie no longer names a session');
    assert.equal(replayed.refused, true);
  });

  it('pending sign-ins that cannot fit the cookie end the session: cookies cleared, entry removed, reported', async () => {
    const { request, store, browser, errors } = setup('store');
    await request((session) => session.set('logto.idToken', 'token'));
    assert.equal(store.size, 1);
    // An index of pending sign-ins that no lighter version can shrink (it names none of them).
    const headers = await request((session) => {
      session.delete('logto.idToken');
      session.set('logto.signInIndex', 'i'.repeat(8_000));
    });
    assert.match(headers[0]!, /^logto_session=; Max-Age=0/);
    assert.equal(browser.cookies.size, 0);
    assert.equal(store.size, 0);
    assert.match(errors[0]![0], /cookie budget/);
  });

  it('keeps the pending sign-ins cookie within the budget, measured with the cookie’s real expiry', async () => {
    // An expiry written with one more digit than the current time: the estimate must use the expiry.
    const start = 10 ** 13 - 1_000;
    const expiresAt = start + 600_000;
    const payload = (padding: string) => ({ anonymous: { 'logto.signIn.old': padding, 'logto.signIn.new': 'n' } });
    const longest = await longestFitting(payload, expiresAt);
    for (const [padding, keepsOld] of [
      [longest, true],
      [longest + 1, false],
    ] as const) {
      const time = clock(start);
      const sessions = new SessionManager({
        secrets: [secret],
        now: time.now,
        store: new MemoryStore({ now: time.now }),
      });
      const browser = jar();
      const session = await sessions.load({ cookies: browser.cookies, secure: false });
      session.set('logto.signIn.old', 'x'.repeat(padding));
      session.set('logto.signIn.new', 'n');
      browser.apply(await sessions.commit(session));
      assert.ok(cookieBytes(browser) <= maxSessionCookieBytes, `${cookieBytes(browser)} bytes`);
      const next = await sessions.load({ cookies: browser.cookies, secure: false });
      assert.equal(next.get('logto.signIn.new'), 'n');
      assert.equal(next.get('logto.signIn.old') !== undefined, keepsOld, `padding ${padding}`);
    }
  });
});

describe('store session entries', () => {
  it('a new or refused session removes no store entry', async () => {
    const { sessions, request, load, destroyed, browser } = setup('store');
    await request((session) => session.set('logto.idToken', 'token'));
    const firstId = (await load()).storeId;
    assert.deepEqual(destroyed, []);
    await request((session) => {
      session.regenerate();
      session.set('logto.idToken', 'again');
    });
    assert.deepEqual(destroyed, [firstId], 'only the regenerated session’s old entry');
    browser.cookies.set('logto_session', 'v1.tampered.value');
    const refused = await sessions.load({ cookies: browser.cookies, secure: false });
    assert.equal(refused.refused, true);
    assert.match((await sessions.commit(refused))[0]!, /^logto_session=; Max-Age=0/);
    const fresh = await sessions.load({ cookies: new Map(), secure: false });
    fresh.regenerate();
    fresh.set('logto.idToken', 'new');
    await sessions.commit(fresh);
    assert.deepEqual(destroyed, [firstId]);
  });

  it('a cookie naming an entry no longer stored reads as a refused, empty session', async () => {
    const { sessions, request, load, store, browser } = setup('store');
    await request((session) => session.set('logto.idToken', 'token'));
    // Expired or removed elsewhere (signed out on another device).
    await store.destroy((await load()).storeId!);
    const session = await load();
    assert.equal(session.refused, true);
    assert.equal(session.get('logto.idToken'), undefined);
    browser.apply(await sessions.commit(session));
    assert.equal(browser.cookies.size, 0);
  });

  it('signing out forgets the new tokens kept while the store was down', async () => {
    const { sessions, request, load, fail, errors } = setup('store');
    await request((session) => {
      session.set('logto.idToken', 'token');
      session.set('logto.refreshToken', 'rt-1');
    });
    const refreshing = await load();
    refreshing.set('logto.refreshToken', 'rt-2');
    fail(true);
    await sessions.sync!.flush(refreshing);
    assert.equal(sessions.pendingWrites, 1);
    assert.match(errors[0]![0], /new tokens are kept/);
    fail(false);
    await request((session) => session.destroy());
    assert.equal(sessions.pendingWrites, 0);
  });
});

describe('session manager settings', () => {
  it('tells whether sessions live in a store; cookie sessions have no writes waiting', () => {
    const cookie = setup('cookie').sessions;
    const store = setup('store').sessions;
    assert.equal(cookie.usesStore, false);
    assert.equal(store.usesStore, true);
    assert.equal(cookie.pendingWrites, 0);
    assert.equal(store.pendingWrites, 0);
  });
});

describe('the cookie budget of cookie sessions, measured with the cookie’s real expiry', () => {
  // An expiry written with one more digit than the current time: the estimate must use the expiry.
  const start = 10 ** 13 - 1_000;
  const expiresAt = start + 600_000;

  it('a session that fits exactly is kept whole; one byte more leaves the cached access tokens out', async () => {
    const payload = (padding: string) => ({ 'logto.idToken': 'token', 'logto.accessTokens': padding });
    const longest = await longestFitting(payload, expiresAt);
    for (const [padding, keepsCache] of [
      [longest, true],
      [longest + 1, false],
    ] as const) {
      const time = clock(start);
      const sessions = new SessionManager({ secrets: [secret], now: time.now, maxAge: 600 });
      const browser = jar();
      const session = await sessions.load({ cookies: browser.cookies, secure: false });
      session.set('logto.idToken', 'token');
      session.set('logto.accessTokens', 'x'.repeat(padding));
      assert.equal(sessions.fits(session), true);
      browser.apply(await sessions.commit(session));
      assert.ok(cookieBytes(browser) <= maxSessionCookieBytes, `${cookieBytes(browser)} bytes`);
      const next = await sessions.load({ cookies: browser.cookies, secure: false });
      assert.equal(next.get('logto.idToken'), 'token');
      assert.equal(next.get('logto.accessTokens') !== undefined, keepsCache, `padding ${padding}`);
    }
  });

  it('tells whether a session can be kept: up to the budget with cookies, always with a store', async () => {
    const payload = (padding: string) => ({ 'logto.idToken': padding });
    const longest = await longestFitting(payload, expiresAt);
    const time = clock(start);
    const cookie = new SessionManager({ secrets: [secret], now: time.now, maxAge: 600 });
    const withStore = new SessionManager({ secrets: [secret], now: time.now, maxAge: 600, store: new MemoryStore() });
    for (const [padding, fits] of [
      [longest, true],
      [longest + 1, false],
    ] as const) {
      const session = await signedIn(cookie, 'x'.repeat(padding));
      assert.equal(cookie.fits(session), fits, `padding ${padding}`);
      assert.equal(withStore.fits(await signedIn(withStore, 'x'.repeat(padding))), true);
    }
  });
});

describe('where failures are reported', () => {
  it("a store failure goes to the logger's error, with the error", () => {
    const { sessions, errors } = setup('store');
    const failure = new Error('store down');
    sessions.reportStoreFailure(failure);
    assert.equal(errors.length, 1);
    assert.match(errors[0]![0], /session store failed/);
    assert.equal(errors[0]![1], failure);
  });

  it('without an error logger, store failures and sessions over the budget go to console.error', async (t) => {
    const printed = t.mock.method(console, 'error', () => {});
    const failure = new Error('store down');
    for (const logger of [undefined, { debug: () => {} }]) {
      printed.mock.resetCalls();
      const sessions = new SessionManager({ secrets: [secret], logger, store: new MemoryStore() });
      sessions.reportStoreFailure(failure);
      const cookieSessions = new SessionManager({ secrets: [secret], logger });
      const session = await cookieSessions.load({ cookies: new Map(), secure: false });
      session.set('logto.idToken', 'x'.repeat(8_000));
      assert.deepEqual(await cookieSessions.commit(session), []);
      assert.deepEqual(
        printed.mock.calls.map((call) => call.arguments.length),
        [2, 1],
      );
      assert.match(String(printed.mock.calls[0]!.arguments[0]), /session store failed/);
      assert.equal(printed.mock.calls[0]!.arguments[1], failure);
      assert.match(String(printed.mock.calls[1]!.arguments[0]), /cookie budget/);
    }
  });
});
