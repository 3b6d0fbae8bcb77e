// The sign-in and callback routes end to end through createLogtoCore, against an in-memory
// provider: a callback is completed once (a replay or a concurrent duplicate is refused without a
// second code exchange and without touching the cookie), and a callback that matches no pending
// sign-in of this browser neither changes its cookie nor blocks the browser that started it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogtoError } from '@logto-kit/client';
import { createFakeProvider, type FakeProvider } from '../../client/src/test-support/fake-provider.ts';
import { CookieSealer } from './cookie-session.ts';
import { parseCookieHeader } from './cookies.ts';
import { createLogtoCore, type LogtoCore, type RouteAnswer } from './logto-core.ts';
import { MemoryStore, type SessionStore } from './session-store.ts';

const secrets = ['callback-claims-test-secret-0123456789abcdef'];

async function world(store?: SessionStore): Promise<{ provider: FakeProvider; core: LogtoCore }> {
  const provider = await createFakeProvider();
  const core = createLogtoCore({
    endpoint: provider.endpoint,
    appId: provider.appId,
    appSecret: provider.appSecret,
    baseUrl: 'https://app.example',
    session: { secrets, ...(store ? { store } : {}) },
    clientOptions: { fetch: provider.fetch, now: provider.now },
  });
  return { provider, core };
}

/** The cookies a browser sends after receiving `headers` (cleared ones dropped). */
function cookiesAfter(previous: ReadonlyMap<string, string>, headers: readonly string[]): Map<string, string> {
  const cookies = new Map(previous);
  for (const header of headers) {
    const [name, value] = [...parseCookieHeader(header.split(';')[0])][0] ?? [];
    if (name === undefined) continue;
    if (value === '' || /max-age=0/i.test(header)) cookies.delete(name);
    else cookies.set(name, value ?? '');
  }
  return cookies;
}

/** GET /sign-in from a browser with `cookies`: its new cookies and the callback query the provider would send back. */
async function startSignIn(
  { core, provider }: { core: LogtoCore; provider: FakeProvider },
  cookies: ReadonlyMap<string, string> = new Map(),
  returnTo = '/orders',
): Promise<{ cookies: Map<string, string>; search: string; state: string; nonce: string | undefined }> {
  const session = await core.sessions.load({ cookies, secure: true });
  const answer = await core.serveRoute(session, {
    method: 'GET',
    path: '/sign-in',
    search: `?returnTo=${encodeURIComponent(returnTo)}`,
  });
  assert.equal(answer?.kind, 'redirect');
  const url = new URL(answer?.kind === 'redirect' ? answer.location : '');
  provider.nonce = url.searchParams.get('nonce') ?? undefined;
  const state = url.searchParams.get('state') ?? '';
  return {
    cookies: cookiesAfter(cookies, await session.commit()),
    search: `?code=code-1&state=${state}`,
    state,
    nonce: provider.nonce,
  };
}

async function callback(
  core: LogtoCore,
  cookies: ReadonlyMap<string, string>,
  search: string,
): Promise<{ answer: RouteAnswer | undefined; headers: string[]; cookies: Map<string, string> }> {
  const session = await core.sessions.load({ cookies, secure: true });
  const answer = await core.serveRoute(session, { method: 'GET', path: '/callback', search });
  const headers = await session.commit();
  return { answer, headers, cookies: cookiesAfter(cookies, headers) };
}

async function isSignedIn(core: LogtoCore, cookies: ReadonlyMap<string, string>): Promise<boolean> {
  return core.clientFor(await core.sessions.load({ cookies, secure: true })).isAuthenticated();
}

function refusedAs(answer: RouteAnswer | undefined, code: string): void {
  assert.equal(answer?.kind, 'callback_error');
  const error = answer?.kind === 'callback_error' ? answer.error : undefined;
  assert.ok(error instanceof LogtoError, String(error));
  assert.equal(error.code, code);
}

/** A store with only the required operations (no take, no compare-and-set), over a MemoryStore. */
function minimalStore(): SessionStore {
  const inner = new MemoryStore();
  return {
    get: (id) => inner.get(id),
    set: (id, data, ttlSeconds) => inner.set(id, data, ttlSeconds),
    destroy: (id) => inner.destroy(id),
  };
}

for (const [kind, makeStore] of [
  ['cookie sessions', () => undefined],
  ['a session store', () => new MemoryStore()],
  ['a store without take or compare-and-set', minimalStore],
] as const) {
  describe(`callback claims (${kind})`, () => {
    it('completes a sign-in: a new session cookie, signed in, back to returnTo', async () => {
      const app = await world(makeStore());
      const started = await startSignIn(app);
      const done = await callback(app.core, started.cookies, started.search);
      assert.deepEqual(done.answer, { kind: 'redirect', location: '/orders' });
      assert.ok(done.headers.length > 0);
      assert.equal(await isSignedIn(app.core, done.cookies), true);
    });

    it('refuses a replayed callback without a second code exchange, and leaves the cookie alone', async () => {
      const app = await world(makeStore());
      const started = await startSignIn(app);
      await callback(app.core, started.cookies, started.search);
      const replay = await callback(app.core, started.cookies, started.search);
      refusedAs(replay.answer, 'callback_state_mismatch');
      assert.deepEqual(replay.headers, [], 'the winner’s cookie is not overwritten');
      assert.equal(app.provider.tokenRequests.length, 1);
    });

    // Atomic only with compare-and-set (or take): a store without them is checked then written.
    it('of two concurrent identical callbacks, completes one and refuses the other untouched', {
      skip: kind === 'a store without take or compare-and-set',
    }, async () => {
      const app = await world(makeStore());
      const started = await startSignIn(app);
      const [first, second] = await Promise.all([
        callback(app.core, started.cookies, started.search),
        callback(app.core, started.cookies, started.search),
      ]);
      const kinds = [first.answer?.kind, second.answer?.kind].sort();
      assert.deepEqual(kinds, ['callback_error', 'redirect']);
      const loser = first.answer?.kind === 'callback_error' ? first : second;
      assert.deepEqual(loser.headers, []);
      assert.equal(app.provider.tokenRequests.length, 1);
    });

    it('a callback matching no pending sign-in of this browser changes no cookie and does not block the browser that started it', async () => {
      const app = await world(makeStore());
      const victim = await startSignIn(app);
      const other = await startSignIn(app);
      const foreign = await callback(app.core, other.cookies, victim.search);
      refusedAs(foreign.answer, 'callback_state_mismatch');
      assert.deepEqual(foreign.headers, []);
      const withoutState = await callback(app.core, other.cookies, '?code=code-1');
      assert.equal(withoutState.answer?.kind, 'callback_error');
      assert.deepEqual(withoutState.headers, []);
      app.provider.nonce = victim.nonce;
      const done = await callback(app.core, victim.cookies, victim.search);
      assert.deepEqual(done.answer, { kind: 'redirect', location: '/orders' });
    });

    it('completes sign-ins of several browsers one after the other', async () => {
      const app = await world(makeStore());
      for (const returnTo of ['/a', '/b', '/c']) {
        const started = await startSignIn(app, new Map(), returnTo);
        const done = await callback(app.core, started.cookies, started.search);
        assert.deepEqual(done.answer, { kind: 'redirect', location: returnTo });
      }
    });
  });
}

describe('sign-in starts', () => {
  it('keep the newest five pending sign-ins of a browser, in the session and its index', async () => {
    const app = await world();
    let cookies = new Map<string, string>();
    const started: { search: string; state: string }[] = [];
    for (let n = 0; n < 7; n++) {
      const next = await startSignIn(app, cookies, `/page-${n}`);
      cookies = next.cookies;
      started.push(next);
    }
    const session = await app.core.sessions.load({ cookies, secure: true });
    const pending = session.keys().filter((key) => key.startsWith('logto.signIn.') && key !== 'logto.signInIndex');
    assert.equal(pending.length, 5);
    const index = JSON.parse(session.get('logto.signInIndex') ?? '[]') as { state: string }[];
    assert.deepEqual(
      index.map((entry) => entry.state),
      started.slice(2).map((entry) => entry.state),
    );
    refusedAs((await callback(app.core, cookies, started[0]?.search ?? '')).answer, 'callback_state_mismatch');
    const done = await callback(app.core, cookies, started[6]?.search ?? '');
    assert.deepEqual(done.answer, { kind: 'redirect', location: '/page-6' });
  });

  it('pass a login hint on to the provider', async () => {
    const app = await world();
    const session = await app.core.sessions.load({ cookies: new Map(), secure: true });
    const url = new URL(await app.core.routes.signIn(session, { loginHint: 'demo@example.com' }));
    assert.equal(url.searchParams.get('login_hint'), 'demo@example.com');
  });
});

describe('session cookies a store-backed application accepts', () => {
  const sealer = new CookieSealer({ secrets });
  const sealedCookie = async (payload: unknown) =>
    new Map([['logto_session', await sealer.seal('logto_session', payload, Date.now() + 60_000)]]);

  it('refuses a cookie carrying session data instead of an id, or tokens as anonymous data', async () => {
    const app = await world(new MemoryStore());
    for (const payload of [
      { 'logto.idToken': 'forged' },
      { anonymous: { 'logto.idToken': 'forged' } },
      { anonymous: { 'logto.signIn.x': 7 } },
      { anonymous: null },
      { sid: 42 },
      'logto.idToken',
      null,
    ]) {
      const session = await app.core.sessions.load({ cookies: await sealedCookie(payload), secure: true });
      assert.equal(session.refused, true, JSON.stringify(payload));
      assert.deepEqual(session.keys(), []);
    }
  });

  it('opens an anonymous cookie holding only pending sign-ins, and rewrites nothing when nothing changed', async () => {
    const app = await world(new MemoryStore());
    const started = await startSignIn(app);
    const session = await app.core.sessions.load({ cookies: started.cookies, secure: true });
    assert.equal(session.refused, false);
    assert.ok(session.keys().some((key) => key.startsWith('logto.signIn.')));
    assert.deepEqual(await session.commit(), []);
  });

  it('refuses, in cookie sessions, a cookie whose data is not a map of strings', async () => {
    const app = await world();
    for (const payload of [
      { 'logto.idToken': 7 },
      { 'logto.idToken': 'x', 'logto.refreshToken': 7 },
      ['logto.idToken'],
      'text',
      null,
    ]) {
      const session = await app.core.sessions.load({ cookies: await sealedCookie(payload), secure: true });
      assert.equal(session.refused, true, JSON.stringify(payload));
    }
  });
});

describe('committing a loaded session', () => {
  it('rewrites no cookie when a value is set to what it was or an absent key is deleted', async () => {
    const app = await world();
    const started = await startSignIn(app);
    const session = await app.core.sessions.load({ cookies: started.cookies, secure: true });
    const [key] = session.keys();
    assert.ok(key);
    session.set(key, session.get(key) ?? '');
    session.delete('logto.absent');
    assert.deepEqual(await session.commit(), []);
  });

  it('sets the session cookie on the whole site by default, HttpOnly and SameSite=Lax', async () => {
    const app = await world();
    const session = await app.core.sessions.load({ cookies: new Map(), secure: true });
    session.set('logto.signIn.x', '{}');
    const [header] = await session.commit();
    assert.match(header ?? '', /; Path=\/(;|$)/);
    assert.match(header ?? '', /HttpOnly/);
    assert.match(header ?? '', /SameSite=Lax/);
  });
});
