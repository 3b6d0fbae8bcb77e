import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CookieSealer, type UnsealFailure } from './cookie-session.ts';
import { SessionCookies } from './session-cookies.ts';

const secret = 'session-cookies-secret-0123456789abcd';
const now = 1_700_000_000_000;

function sessionCookies(usesStore: boolean) {
  const sealer = new CookieSealer({ secrets: [secret], now: () => now });
  const refusals: UnsealFailure[] = [];
  const cookies = new SessionCookies({
    name: 'logto_session',
    sealer,
    usesStore,
    secure: 'auto',
    path: '/',
    domain: undefined,
    now: () => now,
    refused: (reason) => refusals.push(reason),
  });
  // Sealed with the application's own secret: what only a leaked secret or an older version could send.
  const sealed = (payload: unknown) => sealer.seal('logto_session', payload, now + 60_000);
  return { cookies, refusals, sealed };
}

describe('SessionCookies', () => {
  it("parses a returning user's Cookie header once, and the cookie names it found cannot be changed", () => {
    const { cookies } = sessionCookies(false);
    const header = `theme=dark; logto_session=v1.abc.${'x'.repeat(40)}; logto_session.1=tail`;
    const found = cookies.find(header);
    assert.deepEqual(found.present, ['logto_session', 'logto_session.1']);
    assert.equal(found.value, `v1.abc.${'x'.repeat(40)}tail`);
    assert.equal(cookies.find(header), found, 'the same header is not parsed again');
    assert.throws(() => (found.present as string[]).push('other'), TypeError);
    assert.deepEqual(cookies.find(header).present, ['logto_session', 'logto_session.1']);
  });

  it('opens a cookie opened before at once, to the same contents', async () => {
    const { cookies, sealed } = sessionCookies(false);
    const value = await sealed({ 'logto.idToken': 'token' });
    const first = cookies.open(value);
    assert.ok(first instanceof Promise, 'the first time it is decrypted');
    const opened = await first;
    assert.equal(opened?.kind, 'data');
    const again = cookies.open(value);
    assert.ok(!(again instanceof Promise), 'then it is known');
    assert.equal(again, opened);
  });

  it("opens a store session's cookie to its id", async () => {
    const { cookies, sealed } = sessionCookies(true);
    assert.deepEqual(await cookies.open(await sealed({ sid: 'session-id' })), {
      kind: 'id',
      sid: 'session-id',
      expiresAt: now + 60_000,
    });
  });

  it('refuses, as malformed, a sealed cookie whose contents are not session data', async () => {
    const { cookies, refusals, sealed } = sessionCookies(false);
    for (const payload of [['a'], { a: 1 }, 'text', null]) {
      assert.equal(await cookies.open(await sealed(payload)), undefined, JSON.stringify(payload));
    }
    assert.deepEqual(refusals, ['malformed', 'malformed', 'malformed', 'malformed']);
  });

  it('with a store, refuses a cookie holding anything but a session id or pending sign-ins', async () => {
    const { cookies, refusals, sealed } = sessionCookies(true);
    const smuggled = [
      // A signed-in session kept in the cookie instead of the store.
      { anonymous: { 'logto.idToken': 'token' } },
      { anonymous: { 'logto.signIn.s1': 'pending', extra: 'x' } },
      { sid: 42 },
      { sid: { id: 'session-id' } },
      { 'logto.idToken': 'token' },
    ];
    for (const payload of smuggled) {
      assert.equal(await cookies.open(await sealed(payload)), undefined, JSON.stringify(payload));
    }
    assert.deepEqual(
      refusals,
      smuggled.map(() => 'malformed'),
    );
    const pending = await cookies.open(await sealed({ anonymous: { 'logto.signIn.s1': 'pending' } }));
    assert.equal(pending?.kind === 'data' && pending.data.get('logto.signIn.s1'), 'pending');
  });
});
