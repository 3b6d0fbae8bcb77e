import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CookieSealer } from './cookie-session.ts';
import { parseCookieHeader } from './cookies.ts';
import { maxSessionCookieBytes } from './session-budget.ts';
import { type Logger, SessionManager, type SessionOptions } from './session-manager.ts';
import { MemoryStore } from './session-store.ts';
import { clock, jar } from './test-support/cookie-jar.ts';

const secret = 'session-test-secret-0123456789abcdef';
const otherSecret = 'another-session-secret-0123456789ab';

function logger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug: (line) => lines.push(line) };
}

async function roundTrip(
  manager: SessionManager,
  browser: ReturnType<typeof jar>,
  change: (s: import('./session.ts').Session) => void,
) {
  const session = await manager.load({ cookies: browser.cookies, secure: false });
  change(session);
  const headers = await manager.commit(session);
  browser.apply(headers);
  return { session, headers };
}

for (const mode of ['cookie', 'store'] as const) {
  describe(`session (${mode})`, () => {
    function manager(options: Partial<SessionOptions> = {}) {
      const time = clock();
      const store = new MemoryStore({ now: time.now });
      const log = logger();
      const sessions = new SessionManager({
        secrets: [secret],
        now: time.now,
        logger: log,
        ...(mode === 'store' ? { store } : {}),
        ...options,
      });
      return { sessions, time, store, log };
    }

    it('starts empty and sets no cookie while nothing is stored', async () => {
      const { sessions } = manager();
      const browser = jar();
      const { headers } = await roundTrip(sessions, browser, () => {});
      assert.deepEqual(headers, []);
    });

    it('keeps data across requests in an HttpOnly, SameSite=Lax cookie', async () => {
      const { sessions } = manager();
      const browser = jar();
      const { headers } = await roundTrip(sessions, browser, (s) => s.set('logto.idToken', 'v'));
      assert.equal(headers.length, 1);
      assert.match(headers[0]!, /^logto_session=v1\.[^;]+; Max-Age=1209600; Path=\/; HttpOnly; SameSite=Lax$/);
      const next = await sessions.load({ cookies: browser.cookies, secure: false });
      assert.equal(next.get('logto.idToken'), 'v');
      assert.deepEqual(await sessions.commit(next), [], 'an unchanged session is not rewritten');
    });

    it('keeps a session without a signed-in user only as long as a pending sign-in (10 minutes)', async () => {
      const { sessions, store, time } = manager();
      const ttls: number[] = [];
      const set = store.set.bind(store);
      store.set = (id, data, ttl) => {
        ttls.push(ttl);
        return set(id, data, ttl);
      };
      const browser = jar();
      const { headers } = await roundTrip(sessions, browser, (s) => s.set('k', 'v'));
      assert.match(headers[0]!, /; Max-Age=600;/);
      if (mode === 'store') assert.deepEqual(ttls, [600], 'the store entry lives 10 minutes, not 14 days');
      time.advance(599_000);
      assert.equal((await sessions.load({ cookies: browser.cookies, secure: false })).get('k'), 'v');
      time.advance(1_000);
      assert.equal((await sessions.load({ cookies: browser.cookies, secure: false })).get('k'), undefined);
    });

    it('gives a session the full lifetime once the user is signed in', async () => {
      const { sessions, time } = manager();
      const browser = jar();
      await roundTrip(sessions, browser, (s) => s.set('logto.signIn.x', 'pending'));
      const { headers } = await roundTrip(sessions, browser, (s) => {
        s.regenerate();
        s.set('logto.idToken', 'token');
      });
      assert.match(headers[0]!, /; Max-Age=1209600;/);
      time.advance(3_600_000);
      assert.equal((await sessions.load({ cookies: browser.cookies, secure: false })).get('logto.idToken'), 'token');
    });

    it('(data) keeps arbitrary keys across requests', async () => {
      const { sessions } = manager();
      const browser = jar();
      await roundTrip(sessions, browser, (s) => s.set('k', 'v'));
      const next = await sessions.load({ cookies: browser.cookies, secure: false });
      assert.equal(next.get('k'), 'v');
      assert.deepEqual(await sessions.commit(next), [], 'an unchanged session is not rewritten');
    });

    it('marks the cookie Secure on https requests', async () => {
      const { sessions } = manager();
      const session = await sessions.load({ cookies: new Map(), secure: true });
      session.set('k', 'v');
      assert.match((await sessions.commit(session))[0]!, /; Secure;/);
    });

    it('honours an explicit secure setting', async () => {
      const { sessions } = manager({ secure: true });
      const session = await sessions.load({ cookies: new Map(), secure: false });
      session.set('k', 'v');
      assert.match((await sessions.commit(session))[0]!, /; Secure;/);
    });

    it('gives an empty session for a tampered cookie, logs once and clears it', async () => {
      const { sessions, log } = manager();
      const browser = jar();
      await roundTrip(sessions, browser, (s) => s.set('k', 'v'));
      const value = browser.cookies.get('logto_session')!;
      const tampered = `${value.slice(0, -3)}${value.at(-3) === 'A' ? 'B' : 'A'}${value.slice(-2)}`;
      browser.cookies.set('logto_session', tampered);
      const session = await sessions.load({ cookies: browser.cookies, secure: false });
      assert.equal(session.get('k'), undefined);
      assert.equal(session.refused, true);
      assert.equal(log.lines.length, 1);
      assert.match(log.lines[0]!, /tampered/);
      assert.deepEqual(await sessions.commit(session), [
        'logto_session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax',
      ]);
    });

    it('gives an empty session for a cookie sealed with a foreign secret', async () => {
      const { sessions } = manager();
      const foreign = manager({ secrets: [otherSecret] }).sessions;
      const browser = jar();
      await roundTrip(foreign, browser, (s) => s.set('k', 'v'));
      const session = await sessions.load({ cookies: browser.cookies, secure: false });
      assert.equal(session.get('k'), undefined);
    });

    it('reads sessions sealed with an older secret after rotation and reseals them with the new one', async () => {
      const time = clock();
      const store = new MemoryStore({ now: time.now });
      const withStore = mode === 'store' ? { store } : {};
      const before = new SessionManager({ secrets: [secret], now: time.now, ...withStore });
      const after = new SessionManager({ secrets: [otherSecret, secret], now: time.now, ...withStore });
      const browser = jar();
      await roundTrip(before, browser, (s) => s.set('k', 'v'));
      await roundTrip(after, browser, (s) => s.set('k2', 'v2'));
      const onlyNew = new SessionManager({ secrets: [otherSecret], now: time.now, ...withStore });
      const session = await onlyNew.load({ cookies: browser.cookies, secure: false });
      assert.equal(session.get('k'), 'v');
      assert.equal(session.get('k2'), 'v2');
    });

    it('expires after maxAge, using the injected clock', async () => {
      const { sessions, time } = manager({ maxAge: 60 });
      const browser = jar();
      await roundTrip(sessions, browser, (s) => s.set('k', 'v'));
      time.advance(59_000);
      assert.equal((await sessions.load({ cookies: browser.cookies, secure: false })).get('k'), 'v');
      time.advance(1_000);
      const expired = await sessions.load({ cookies: browser.cookies, secure: false });
      assert.equal(expired.get('k'), undefined);
      assert.equal(expired.refused, true);
    });

    it('renews an active session once half of its lifetime has passed', async () => {
      const { sessions, time } = manager({ maxAge: 100 });
      const browser = jar();
      await roundTrip(sessions, browser, (s) => s.set('k', 'v'));
      time.advance(40_000);
      assert.deepEqual((await roundTrip(sessions, browser, () => {})).headers, []);
      time.advance(20_000);
      assert.equal((await roundTrip(sessions, browser, () => {})).headers.length, 1);
      time.advance(90_000);
      assert.equal((await sessions.load({ cookies: browser.cookies, secure: false })).get('k'), 'v');
    });

    it('regenerates: new cookie contents and no old data', async () => {
      const { sessions, store } = manager();
      const browser = jar();
      await roundTrip(sessions, browser, (s) => s.set('planted', 'x'));
      const before = browser.cookies.get('logto_session');
      const stolen = new Map(browser.cookies);
      await roundTrip(sessions, browser, (s) => {
        s.regenerate();
        s.set('user', 'u');
      });
      assert.notEqual(browser.cookies.get('logto_session'), before);
      const fresh = await sessions.load({ cookies: browser.cookies, secure: false });
      assert.equal(fresh.get('planted'), undefined);
      assert.equal(fresh.get('user'), 'u');
      if (mode === 'store') {
        // The id planted before sign-in no longer names a session.
        const old = await sessions.load({ cookies: stolen, secure: false });
        assert.equal(old.get('planted'), undefined);
        assert.equal(old.get('user'), undefined);
        assert.equal(store.size, 1);
      }
    });

    it('destroy clears the cookie (and the stored session)', async () => {
      const { sessions, store } = manager();
      const browser = jar();
      await roundTrip(sessions, browser, (s) => s.set('k', 'v'));
      const stolen = new Map(browser.cookies);
      const { headers } = await roundTrip(sessions, browser, (s) => s.destroy());
      assert.match(headers[0]!, /^logto_session=; Max-Age=0/);
      assert.equal(browser.cookies.size, 0);
      if (mode === 'store') {
        assert.equal(store.size, 0);
        assert.equal((await sessions.load({ cookies: stolen, secure: false })).get('k'), undefined);
      }
    });
  });
}

describe('session (cookie) chunking', () => {
  it('splits a large session across cookies and clears chunks no longer needed', async () => {
    const sessions = new SessionManager({ secrets: [secret] });
    const browser = jar();
    await roundTrip(sessions, browser, (s) => s.set('big', 'z'.repeat(5_000)));
    assert.deepEqual([...browser.cookies.keys()], ['logto_session', 'logto_session.1']);
    for (const value of browser.cookies.values()) assert.ok(value.length <= 3800);
    assert.equal((await sessions.load({ cookies: browser.cookies, secure: false })).get('big'), 'z'.repeat(5_000));

    const { headers } = await roundTrip(sessions, browser, (s) => s.set('big', 'small'));
    assert.equal(headers.length, 2);
    assert.match(headers[1]!, /^logto_session\.1=; Max-Age=0/);
    assert.deepEqual([...browser.cookies.keys()], ['logto_session']);
    assert.equal((await sessions.load({ cookies: browser.cookies, secure: false })).get('big'), 'small');
  });

  it('gives an empty session when chunks are swapped or one is missing', async () => {
    const sessions = new SessionManager({ secrets: [secret] });
    const browser = jar();
    await roundTrip(sessions, browser, (s) => s.set('big', 'q'.repeat(5_000)));
    assert.equal(browser.cookies.size, 2);
    const swapped = new Map(browser.cookies);
    swapped.set('logto_session', browser.cookies.get('logto_session.1')!);
    swapped.set('logto_session.1', browser.cookies.get('logto_session')!);
    assert.equal((await sessions.load({ cookies: swapped, secure: false })).get('big'), undefined);
    const missing = new Map(browser.cookies);
    missing.delete('logto_session.1');
    assert.equal((await sessions.load({ cookies: missing, secure: false })).get('big'), undefined);
  });

  it('keeps its cookies within the 7 KB budget: cached access tokens, then the oldest pending sign-ins are left out', async () => {
    const sessions = new SessionManager({ secrets: [secret] });
    const browser = jar();
    const { headers } = await roundTrip(sessions, browser, (s) => {
      s.set('logto.idToken', 'i'.repeat(1_000));
      s.set('logto.accessTokens', 'a'.repeat(3_000));
      for (const state of ['s1', 's2', 's3']) s.set(`logto.signIn.${state}`, 'p'.repeat(1_500));
      s.set('logto.signInIndex', JSON.stringify(['s1', 's2', 's3'].map((state) => ({ state, expiresAt: 1 }))));
    });
    const cookieHeader = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    assert.ok(cookieHeader.length <= maxSessionCookieBytes, `${cookieHeader.length} bytes`);
    assert.ok(headers.length >= 1);
    const kept = await sessions.load({ cookies: browser.cookies, secure: false });
    assert.equal(kept.get('logto.idToken'), 'i'.repeat(1_000));
    assert.equal(kept.get('logto.accessTokens'), undefined, 'the cache is left out first');
    assert.equal(kept.get('logto.signIn.s1'), undefined, 'then the oldest pending sign-in');
    assert.equal(kept.get('logto.signIn.s3'), 'p'.repeat(1_500));
  });

  it('ends a session that cannot fit the budget (clears its cookies, reports it) instead of writing it', async () => {
    const errors: string[] = [];
    const sessions = new SessionManager({
      secrets: [secret],
      logger: { debug: () => {}, error: (message) => errors.push(message) },
    });
    const browser = jar();
    await roundTrip(sessions, browser, (s) => s.set('logto.idToken', 'small'));
    const { headers } = await roundTrip(sessions, browser, (s) => s.set('logto.idToken', 'x'.repeat(8_000)));
    assert.match(headers[0]!, /^logto_session=; Max-Age=0/);
    assert.equal(browser.cookies.size, 0);
    assert.match(errors[0]!, /server-side store/);
    assert.equal(sessions.fits(await sessions.load({ cookies: new Map(), secure: false })), true);
  });

  it('never opens a session cookie over the budget, and clears it', async () => {
    const log = logger();
    const sessions = new SessionManager({ secrets: [secret], logger: log });
    // Correctly sealed (e.g. by an older version without the budget), but over the budget.
    const sealed = await new CookieSealer({ secrets: [secret] }).seal(
      'logto_session',
      { 'logto.idToken': 'x'.repeat(8_000) },
      Date.now() + 60_000,
    );
    const cookies = new Map([
      ['logto_session', sealed.slice(0, 3_800)],
      ['logto_session.1', sealed.slice(3_800, 7_600)],
      ['logto_session.2', sealed.slice(7_600)],
    ]);
    const session = await sessions.load({ cookies, secure: false });
    assert.equal(session.refused, true);
    assert.equal(session.get('logto.idToken'), undefined);
    const headers = await sessions.commit(session);
    assert.deepEqual(
      headers.map((header) => header.split(';')[0]),
      ['logto_session=', 'logto_session.1=', 'logto_session.2='],
    );
  });

  it('never serves the session of another Cookie header that ends the same way', async () => {
    const sessions = new SessionManager({ secrets: [secret] });
    const [alice, mallory] = [jar(), jar()];
    await roundTrip(sessions, alice, (s) => s.set('user', 'alice'));
    await roundTrip(sessions, mallory, (s) => s.set('user', 'mallory'));
    const header = (browser: ReturnType<typeof jar>) =>
      `${[...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ')}; pad=${'x'.repeat(40)}`;
    for (let round = 0; round < 3; round += 1) {
      assert.equal((await sessions.open(header(alice), false)).get('user'), 'alice');
      assert.equal((await sessions.open(header(mallory), false)).get('user'), 'mallory');
    }
    assert.equal((await sessions.open(`other=1; pad=${'x'.repeat(40)}`, false)).get('user'), undefined);
  });

  it('parses request cookies from a header', async () => {
    const sessions = new SessionManager({ secrets: [secret] });
    const browser = jar();
    await roundTrip(sessions, browser, (s) => s.set('k', 'v'));
    const header = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const session = await sessions.load({ cookies: parseCookieHeader(`other=1; ${header}`), secure: false });
    assert.equal(session.get('k'), 'v');
  });
});

describe('session (store) concurrency', () => {
  it('merges the changes of two concurrent requests instead of losing one', async () => {
    const store = new MemoryStore();
    const sessions = new SessionManager({ secrets: [secret], store });
    const browser = jar();
    await roundTrip(sessions, browser, (s) => s.set('base', '1'));
    const first = await sessions.load({ cookies: browser.cookies, secure: false });
    const second = await sessions.load({ cookies: browser.cookies, secure: false });
    first.set('a', 'from-first');
    second.set('b', 'from-second');
    second.delete('base');
    await sessions.commit(first);
    await sessions.commit(second);
    const merged = await sessions.load({ cookies: browser.cookies, secure: false });
    assert.equal(merged.get('a'), 'from-first');
    assert.equal(merged.get('b'), 'from-second');
    assert.equal(merged.get('base'), undefined);
  });

  it('keeps only an opaque id in the cookie', async () => {
    const store = new MemoryStore();
    const sessions = new SessionManager({ secrets: [secret], store });
    const browser = jar();
    await roundTrip(sessions, browser, (s) => s.set('big', 'w'.repeat(10_000)));
    assert.deepEqual([...browser.cookies.keys()], ['logto_session']);
    assert.ok(browser.cookies.get('logto_session')!.length < 200);
  });
});

describe('session changes', () => {
  it('saves a removed key, and ends the session (clears its cookie) once every key is removed', async () => {
    const sessions = new SessionManager({ secrets: [secret] });
    const browser = jar();
    await roundTrip(sessions, browser, (s) => {
      s.set('a', '1');
      s.set('b', '2');
    });
    const removed = await roundTrip(sessions, browser, (s) => s.delete('b'));
    assert.deepEqual(removed.session.keys(), ['a'], 'a removed key is gone from the data');
    assert.equal(removed.headers.length, 1, 'the removal is saved');
    const next = await sessions.load({ cookies: browser.cookies, secure: false });
    assert.equal(next.get('a'), '1', 'what was not removed is kept');
    assert.equal(next.get('b'), undefined);
    const { headers } = await roundTrip(sessions, browser, (s) => s.delete('a'));
    assert.equal(headers.length, 1);
    assert.match(headers[0]!, /^logto_session=; Max-Age=0/);
    assert.equal(browser.cookies.size, 0);
  });

  it('announces its first change once, and at once when it has already changed', async () => {
    const sessions = new SessionManager({ secrets: [secret] });
    const browser = jar();
    await roundTrip(sessions, browser, (s) => s.set('k', 'v'));
    const session = await sessions.load({ cookies: browser.cookies, secure: false });
    const announced: string[] = [];
    session.onFirstChange(() => announced.push('first'));
    session.set('k', 'v');
    session.delete('absent');
    assert.deepEqual([...announced], [], 'setting the same value or removing an absent key changes nothing');
    session.set('k', 'w');
    assert.deepEqual([...announced], ['first']);
    session.set('k', 'x');
    assert.deepEqual([...announced], ['first'], 'only the first change');
    session.onFirstChange(() => announced.push('late'));
    assert.deepEqual([...announced], ['first', 'late'], 'a session already changed is announced at once');
  });

  it('announces a removal, a regeneration, a destruction and a session taken out of the store as changes', async () => {
    const sessions = new SessionManager({ secrets: [secret] });
    const browser = jar();
    await roundTrip(sessions, browser, (s) => s.set('k', 'v'));
    const changes: Array<[string, (s: import('./session.ts').Session) => void]> = [
      ['delete', (s) => s.delete('k')],
      ['regenerate', (s) => s.regenerate()],
      ['destroy', (s) => s.destroy()],
      ['taken', (s) => s.taken({ k: 'v' })],
    ];
    for (const [name, change] of changes) {
      const session = await sessions.load({ cookies: browser.cookies, secure: false });
      let announced = false;
      session.onFirstChange(() => (announced = true));
      change(session);
      assert.equal(announced, true, name);
      assert.equal(session.dirty, true, name);
    }
  });

  it('a session left untouched (a repeated callback that lost) sends and stores nothing, even when changed', async () => {
    const store = new MemoryStore();
    for (const sessions of [
      new SessionManager({ secrets: [secret] }),
      new SessionManager({ secrets: [secret], store }),
    ]) {
      const session = await sessions.load({ cookies: new Map(), secure: false });
      session.set('logto.idToken', 'loser');
      session.leaveUntouched();
      assert.equal(sessions.needsCommit(session), false);
      assert.deepEqual(await sessions.commit(session), []);
    }
    assert.equal(store.size, 0);
  });
});
