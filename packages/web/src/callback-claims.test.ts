// The sign-in and callback routes end to end through createLogtoCore (open, route, commit), against
// an in-memory provider: a callback is completed once (a replay or a concurrent duplicate is refused
// without a second code exchange and without touching the cookie), and a callback that matches no
// pending sign-in of this browser neither changes its cookie nor blocks the browser that started it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogtoError } from '@logto-kit/client';
import { createFakeProvider, type FakeProvider } from '../../client/src/test-support/fake-provider.ts';
import { CookieSealer } from './cookie-session.ts';
import type { RouteAnswer } from './logto-core.ts';
import { MemoryStore, type SessionStore } from './session-store.ts';
import { commit, coreOf, location, open, send, startSignIn, world } from './test-support/core-flow.ts';

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
      const done = await send(app.core, started.callback, started.cookies);
      assert.equal(location(done.answer), '/orders');
      assert.ok(done.setCookie.length > 0);
      assert.equal(await (await open(app.core, '/', done.cookies)).client.isAuthenticated(), true);
    });

    it('refuses a replayed callback without a second code exchange, and leaves the cookie alone', async () => {
      const app = await world(makeStore());
      const started = await startSignIn(app);
      await send(app.core, started.callback, started.cookies);
      const replay = await send(app.core, started.callback, started.cookies);
      refusedAs(replay.answer, 'callback_state_mismatch');
      assert.deepEqual(replay.setCookie, [], 'the winner’s cookie is not overwritten');
      assert.equal(app.provider.tokenRequests.length, 1);
    });

    // Atomic only with compare-and-set (or take), as the SessionStore docs say: a store without them
    // is checked then written, so the case is not asserted for it.
    if (kind !== 'a store without take or compare-and-set')
      it('of two concurrent identical callbacks, completes one and refuses the other untouched', async () => {
        const app = await world(makeStore());
        const started = await startSignIn(app);
        const [first, second] = await Promise.all([
          send(app.core, started.callback, started.cookies),
          send(app.core, started.callback, started.cookies),
        ]);
        assert.deepEqual([first.answer?.kind, second.answer?.kind].sort(), ['answer', 'callback_error']);
        const loser = first.answer?.kind === 'callback_error' ? first : second;
        assert.deepEqual(loser.setCookie, []);
        assert.equal(app.provider.tokenRequests.length, 1);
      });

    it('a callback matching no pending sign-in of this browser changes no cookie and does not block the browser that started it', async () => {
      const app = await world(makeStore());
      const victim = await startSignIn(app);
      const other = await startSignIn(app);
      const foreign = await send(app.core, victim.callback, other.cookies);
      refusedAs(foreign.answer, 'callback_state_mismatch');
      assert.deepEqual(foreign.setCookie, []);
      const withoutState = await send(app.core, '/callback?code=code-1', other.cookies);
      assert.equal(withoutState.answer?.kind, 'callback_error');
      assert.deepEqual(withoutState.setCookie, []);
      app.provider.nonce = victim.nonce;
      const done = await send(app.core, victim.callback, victim.cookies);
      assert.equal(location(done.answer), '/orders');
    });

    it('completes sign-ins of several browsers one after the other', async () => {
      const app = await world(makeStore());
      for (const returnTo of ['/a', '/b', '/c']) {
        const started = await startSignIn(app, new Map(), returnTo);
        assert.equal(location((await send(app.core, started.callback, started.cookies)).answer), returnTo);
      }
    });
  });
}

describe('callbacks of store sessions', () => {
  it('a pending sign-in ends with its session: ended meanwhile (signed out in another tab), the callback is refused', async () => {
    const app = await world(new MemoryStore());
    const first = await startSignIn(app);
    const signedIn = (await send(app.core, first.callback, first.cookies)).cookies;
    const started = await startSignIn(app, signedIn);
    const callback = await open(app.core, started.callback, started.cookies);
    const elsewhere = await open(app.core, '/', started.cookies);
    elsewhere.session.destroy();
    await commit(app.core, elsewhere);
    refusedAs(await app.core.route(callback), 'callback_state_mismatch');
    assert.equal(app.provider.tokenRequests.length, 1, 'no code exchange for the ended session');
  });
});

describe('sign-in starts', () => {
  it('keep the newest five pending sign-ins of a browser, in the session and its index', async () => {
    const app = await world();
    let cookies = new Map<string, string>();
    const started: { callback: string; state: string }[] = [];
    for (let n = 0; n < 7; n++) {
      const next = await startSignIn(app, cookies, `/page-${n}`);
      cookies = next.cookies;
      started.push(next);
    }
    const { session } = await open(app.core, '/', cookies);
    const pending = session.keys().filter((key) => key.startsWith('logto.signIn.') && key !== 'logto.signInIndex');
    assert.equal(pending.length, 5);
    const index = JSON.parse(session.get('logto.signInIndex') ?? '[]') as { state: string }[];
    assert.deepEqual(
      index.map((entry) => entry.state),
      started.slice(2).map((entry) => entry.state),
    );
    refusedAs((await send(app.core, started[0]?.callback ?? '', cookies)).answer, 'callback_state_mismatch');
    assert.equal(location((await send(app.core, started[6]?.callback ?? '', cookies)).answer), '/page-6');
  });

  it('beyond five, drop the oldest without rewriting the rest: a concurrent refresh in the store is kept', async () => {
    const app = await world(new MemoryStore());
    const started = await startSignIn(app);
    let cookies = (await send(app.core, started.callback, started.cookies)).cookies;
    for (let n = 0; n < 5; n++) cookies = (await startSignIn(app, cookies, `/page-${n}`)).cookies;
    const signingIn = await open(app.core, '/sign-in', cookies);
    const refreshing = await open(app.core, '/', cookies);
    refreshing.session.set('logto.refreshToken', 'rotated-meanwhile');
    await commit(app.core, refreshing);
    await app.core.route(signingIn);
    await commit(app.core, signingIn);
    const { session } = await open(app.core, '/', cookies);
    assert.equal(session.get('logto.refreshToken'), 'rotated-meanwhile');
    const pending = session.keys().filter((key) => key.startsWith('logto.signIn.') && key !== 'logto.signInIndex');
    assert.equal(pending.length, 5);
  });

  it('pass a login hint on to the provider', async () => {
    const app = await world();
    const { session } = await open(app.core, '/');
    const url = new URL(await app.core.routes.signIn(session, { loginHint: 'demo@example.com' }));
    assert.equal(url.searchParams.get('login_hint'), 'demo@example.com');
  });
});

describe('session cookies an application accepts', () => {
  const sealer = new CookieSealer({ secrets: ['core-flow-test-secret-0123456789abcdefgh'] });
  const sealedCookie = async (payload: unknown) =>
    new Map([['logto_session', await sealer.seal('logto_session', payload, Date.now() + 60_000)]]);

  it('with a store, refuses a cookie carrying session data instead of an id, or tokens as anonymous data', async () => {
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
      const { session } = await open(app.core, '/', await sealedCookie(payload));
      assert.equal(session.refused, true, JSON.stringify(payload));
      assert.deepEqual(session.keys(), []);
    }
  });

  it('with a store, opens an anonymous cookie holding only pending sign-ins, and rewrites nothing when nothing changed', async () => {
    const app = await world(new MemoryStore());
    const started = await startSignIn(app);
    const context = await open(app.core, '/', started.cookies);
    assert.equal(context.session.refused, false);
    assert.ok(context.session.keys().some((key) => key.startsWith('logto.signIn.')));
    assert.deepEqual(await commit(app.core, context), []);
  });

  it('in cookie sessions, refuses a cookie whose data is not a map of strings', async () => {
    const app = await world();
    for (const payload of [
      { 'logto.idToken': 7 },
      { 'logto.idToken': 'x', 'logto.refreshToken': 7 },
      ['logto.idToken'],
      'text',
      null,
    ]) {
      const { session } = await open(app.core, '/', await sealedCookie(payload));
      assert.equal(session.refused, true, JSON.stringify(payload));
    }
  });

  it('rewrites no cookie when a value is set to what it was or an absent key is deleted', async () => {
    const app = await world();
    const started = await startSignIn(app);
    const context = await open(app.core, '/', started.cookies);
    const [key] = context.session.keys();
    assert.ok(key);
    context.session.set(key, context.session.get(key) ?? '');
    context.session.delete('logto.absent');
    assert.deepEqual(await commit(app.core, context), []);
  });

  it('sets the session cookie on the whole site by default, HttpOnly and SameSite=Lax', async () => {
    const app = await world();
    const { setCookie } = await send(app.core, '/sign-in');
    const [header] = setCookie;
    assert.match(header ?? '', /; Path=\/(;|$)/);
    assert.match(header ?? '', /HttpOnly/);
    assert.match(header ?? '', /SameSite=Lax/);
  });
});

/** An application over `provider` whose sessions' clock is `clock`. */
function application(provider: FakeProvider, clock: { time: number }, store?: SessionStore) {
  return coreOf(provider, { now: () => clock.time, ...(store ? { store } : {}) });
}

describe('refused callbacks', () => {
  it('renew no cookie, even one due for renewal: the winner’s cookie and the browser’s own stay as they are', async () => {
    const provider = await createFakeProvider();
    const clock = { time: Date.now() };
    const core = application(provider, clock);
    const app = { core, provider };
    const victim = await startSignIn(app);
    const other = await startSignIn(app);
    // Past half of a pending sign-in's lifetime: any commit would renew the cookie.
    clock.time += 6 * 60_000;
    const foreign = await send(core, victim.callback, other.cookies);
    refusedAs(foreign.answer, 'callback_state_mismatch');
    assert.deepEqual(foreign.setCookie, []);
    const withoutState = await send(core, '/callback?code=code-1', other.cookies);
    assert.equal(withoutState.answer?.kind, 'callback_error');
    assert.deepEqual(withoutState.setCookie, []);
    provider.nonce = victim.nonce;
    assert.equal(location((await send(core, victim.callback, victim.cookies)).answer), '/orders');
    const replay = await send(core, victim.callback, victim.cookies);
    refusedAs(replay.answer, 'callback_state_mismatch');
    assert.deepEqual(replay.setCookie, [], 'the winner’s cookie is not overwritten');
  });

  it('a sign-in kept in the cookie is completed once across instances sharing the store', async () => {
    const provider = await createFakeProvider();
    const clock = { time: Date.now() };
    const store = new MemoryStore();
    const first = application(provider, clock, store);
    const second = application(provider, clock, store);
    const started = await startSignIn({ core: first, provider });
    assert.equal(location((await send(first, started.callback, started.cookies)).answer), '/orders');
    const replay = await send(second, started.callback, started.cookies);
    refusedAs(replay.answer, 'callback_state_mismatch');
    assert.equal(provider.tokenRequests.length, 1, 'one code exchange');
  });
});
