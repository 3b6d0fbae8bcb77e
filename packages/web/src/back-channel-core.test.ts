// Back-channel logout through createLogtoCore (open, route, commit), against an in-memory provider:
// the logout token is verified with the application's own clock, fetch and clock tolerance, and it
// ends the user's sessions on every instance that shares the store.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { createFakeProvider, type FakeProvider } from '../../client/src/test-support/fake-provider.ts';
import { splitTarget } from './adapter-request.ts';
import { backChannelLogoutEvent } from './logout-token.ts';
import { createLogtoCore, type LogtoCore, type LogtoCoreConfig } from './logto-core.ts';
import { MemoryStore } from './session-store.ts';
import { open, send, startSignIn } from './test-support/core-flow.ts';

let jtiCount = 0;

/** An application over `provider`; its sessions' clock is `clock` (the provider's clock is its own). */
function application(provider: FakeProvider, clock: { time: number }, extra: Partial<LogtoCoreConfig> = {}) {
  return createLogtoCore({
    endpoint: provider.endpoint,
    appId: provider.appId,
    appSecret: provider.appSecret,
    baseUrl: 'https://app.example',
    session: { secrets: ['back-channel-core-secret-0123456789abcd'], now: () => clock.time },
    clientOptions: { fetch: provider.fetch, now: provider.now },
    backChannelLogout: {},
    ...extra,
  });
}

function logoutToken(provider: FakeProvider, claims: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({
    iss: provider.issuer,
    aud: provider.appId,
    iat: Math.floor(provider.time / 1000),
    jti: `jti-${++jtiCount}`,
    sub: provider.sub,
    events: { [backChannelLogoutEvent]: {} },
    ...claims,
  })
    .setProtectedHeader({ alg: 'ES384', kid: 'key-1', typ: 'logout+jwt' })
    .sign(provider.privateKey);
}

/** POSTs a logout token to the route, as the provider does. */
async function postLogout(core: LogtoCore, token: string, headers: Record<string, string> = {}) {
  const body = new URLSearchParams({ logout_token: token }).toString();
  const opened = await core.open({
    method: 'POST',
    ...splitTarget('/backchannel-logout'),
    cookies: undefined,
    secure: true,
    header: (name) => headers[name],
    text: async () => body,
  });
  assert.equal(opened.kind, 'opened');
  return opened.kind === 'opened' ? core.route(opened.context) : undefined;
}

async function signIn(core: LogtoCore, provider: FakeProvider): Promise<Map<string, string>> {
  const started = await startSignIn({ core, provider });
  return (await send(core, started.callback, started.cookies)).cookies;
}

async function isSignedIn(core: LogtoCore, cookies: Map<string, string>): Promise<boolean> {
  return (await open(core, '/', cookies)).client.isAuthenticated();
}

describe('back-channel logout through the core', () => {
  it('ends the sessions signed in before the logout, not those signed in after it', async () => {
    const provider = await createFakeProvider();
    const clock = { time: provider.time + 3_600_000 };
    const core = application(provider, clock);
    const before = await signIn(core, provider);
    assert.equal(await isSignedIn(core, before), true);
    clock.time += 1_000;
    const answer = await postLogout(core, await logoutToken(provider));
    assert.equal(answer?.answer.status, 200, answer?.answer.body);
    assert.equal(await isSignedIn(core, before), false, 'signed in before the logout');
    clock.time += 1_000;
    const after = await signIn(core, provider);
    assert.equal(await isSignedIn(core, after), true, 'signed in after the logout');
  });

  it('with cookie sessions, remembers ended sessions by the sessions’ clock', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const provider = await createFakeProvider();
    const clock = { time: provider.time };
    const core = application(provider, clock);
    const cookies = await signIn(core, provider);
    clock.time += 1_000;
    assert.equal((await postLogout(core, await logoutToken(provider)))?.answer.status, 200);
    // Weeks pass on another clock; none on the sessions' clock, where the session is still valid.
    t.mock.timers.tick(30 * 24 * 3_600_000);
    assert.equal(await isSignedIn(core, cookies), false);
  });

  it('verifies the token with the application’s fetch, before any sign-in', async () => {
    const provider = await createFakeProvider();
    const core = application(provider, { time: provider.time });
    const answer = await postLogout(core, await logoutToken(provider));
    assert.equal(answer?.answer.status, 200, answer?.answer.body);
  });

  it('allows 60 seconds of clock skew by default, and the configured tolerance otherwise', async () => {
    const provider = await createFakeProvider();
    const core = application(provider, { time: provider.time });
    const ahead = await logoutToken(provider, { iat: Math.floor(provider.time / 1000) + 30 });
    assert.equal((await postLogout(core, ahead))?.answer.status, 200);
    const strict = application(provider, { time: provider.time }, { clockToleranceSeconds: 5 });
    const refused = await postLogout(
      strict,
      await logoutToken(provider, { iat: Math.floor(provider.time / 1000) + 30 }),
    );
    assert.equal(refused?.answer.status, 400);
  });

  it('ends the session on every instance that shares the session store', async () => {
    const provider = await createFakeProvider();
    const clock = { time: provider.time };
    const store = new MemoryStore({ now: () => clock.time });
    const first = application(provider, clock, {
      session: { secrets: ['shared-secret-0123456789abcdefghijk'], store, now: () => clock.time },
    });
    const second = application(provider, clock, {
      session: { secrets: ['shared-secret-0123456789abcdefghijk'], store, now: () => clock.time },
    });
    const cookies = await signIn(first, provider);
    assert.equal(await isSignedIn(second, cookies), true);
    clock.time += 1_000;
    assert.equal((await postLogout(first, await logoutToken(provider)))?.answer.status, 200);
    assert.equal(await isSignedIn(second, cookies), false);
  });

  it('ends cookie sessions on every instance that shares the back-channel store', async () => {
    const provider = await createFakeProvider();
    const clock = { time: provider.time };
    const store = new MemoryStore({ now: () => clock.time });
    const first = application(provider, clock, { backChannelLogout: { store } });
    const second = application(provider, clock, { backChannelLogout: { store } });
    const cookies = await signIn(first, provider);
    assert.equal(await isSignedIn(second, cookies), true);
    clock.time += 1_000;
    assert.equal((await postLogout(first, await logoutToken(provider)))?.answer.status, 200);
    assert.equal(await isSignedIn(second, cookies), false);
  });

  it('reads a body up to 64 KiB, and answers 400 to a request without one', async () => {
    const provider = await createFakeProvider();
    const core = application(provider, { time: provider.time });
    const answer = await postLogout(core, await logoutToken(provider), { 'content-length': '65536' });
    assert.equal(answer?.answer.status, 200, answer?.answer.body);
    const opened = await core.open({
      method: 'POST',
      path: '/backchannel-logout',
      query: '',
      cookies: undefined,
      secure: true,
      header: () => undefined,
    });
    const empty = opened.kind === 'opened' ? await core.route(opened.context) : assert.fail();
    assert.equal(empty?.answer.status, 400);
  });

  it('records no sign-in time in the session when back-channel logout is off', async () => {
    const provider = await createFakeProvider();
    const core = application(provider, { time: provider.time }, { backChannelLogout: undefined });
    const started = await startSignIn({ core, provider });
    const context = await open(core, started.callback, started.cookies);
    await core.route(context);
    assert.deepEqual(
      context.session.keys().filter((key) => !key.startsWith('logto.')),
      [],
    );
  });
});
