import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { BackChannelLogout, signedInAtKey } from './back-channel-logout.ts';
import { backChannelLogoutEvent } from './logout-token.ts';
import { SessionManager } from './session-manager.ts';
import { MemoryStore } from './session-store.ts';

const clientId = 'web-app';
let providerCount = 0;

/** A provider (discovery + JWKS behind an injected fetch), a clock, and the route under test. */
async function setup() {
  const issuer = `https://idp-${++providerCount}.example/oidc`;
  const { privateKey, publicKey } = await generateKeyPair('ES384');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES384', use: 'sig' };
  const fetchImpl = (async (input: RequestInfo | URL) => {
    const url = String(input);
    if (url.endsWith('/.well-known/openid-configuration')) {
      return Response.json({
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
      });
    }
    if (url.endsWith('/jwks')) return Response.json({ keys: [jwk] });
    return new Response('not found', { status: 404 });
  }) as typeof fetch;
  let time = Date.UTC(2026, 0, 1);
  const now = () => time;
  const store = new MemoryStore({ now });
  const route = new BackChannelLogout({
    store,
    issuer,
    clientId,
    now,
    clockToleranceSeconds: 60,
    sessionLifetimeSeconds: 14 * 24 * 3600,
    sessionNow: now,
    remote: { fetch: fetchImpl },
  });
  const seconds = () => Math.floor(time / 1000);
  let jtiCount = 0;
  const logoutToken = (
    claims: Record<string, unknown> = {},
    header: Record<string, unknown> = {},
    key: CryptoKey = privateKey,
  ) =>
    new SignJWT({
      iss: issuer,
      aud: clientId,
      iat: seconds(),
      jti: `jti-${++jtiCount}`,
      sub: 'user-1',
      events: { [backChannelLogoutEvent]: {} },
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES384', kid: 'k1', typ: 'logout+jwt', ...header })
      .sign(key);
  const post = (token: string) => route.receive(new URLSearchParams({ logout_token: token }).toString());
  /** A signed-in session whose (unverified here) ID token names `claims`. */
  const sessions = new SessionManager({ secrets: ['back-channel-test-secret-0123456789ab'], now });
  const signedIn = async (claims: Record<string, unknown>) => {
    const session = await sessions.load({ cookies: new Map(), secure: true });
    const payload = Buffer.from(JSON.stringify({ sub: 'user-1', iat: seconds(), ...claims })).toString('base64url');
    session.set('logto.idToken', `eyJhbGciOiJFUzM4NCJ9.${payload}.sig`);
    return session;
  };
  return { route, post, logoutToken, signedIn, seconds, advance: (ms: number) => (time += ms) };
}

describe('back-channel logout', () => {
  it('accepts a valid logout token (200) and ends the sessions of its sub issued before it', async () => {
    const { post, logoutToken, signedIn, route, advance } = await setup();
    const before = await signedIn({});
    const other = await signedIn({ sub: 'user-2' });
    advance(1_000);
    const answer = await post(await logoutToken());
    assert.equal(answer.status, 200, answer.body);
    assert.equal(answer.headers['Cache-Control'], 'no-store');
    assert.equal(await route.hasEnded(before), true);
    assert.equal(await route.hasEnded(other), false, 'another user');
    advance(1_000);
    assert.equal(await route.hasEnded(await signedIn({})), false, 'a sign-in after the logout');
  });

  it('does not end a session signed in after the logout, even within the same second', async () => {
    const { post, logoutToken, signedIn, route, advance } = await setup();
    const before = await signedIn({});
    before.set(signedInAtKey, String(Date.UTC(2026, 0, 1)));
    advance(100);
    assert.equal((await post(await logoutToken())).status, 200);
    advance(100);
    const after = await signedIn({});
    after.set(signedInAtKey, String(Date.UTC(2026, 0, 1) + 200));
    assert.equal(await route.hasEnded(before), true);
    assert.equal(await route.hasEnded(after), false);
  });

  it('ends only the session of the sid when the token names one', async () => {
    const { post, logoutToken, signedIn, route } = await setup();
    const ended = await signedIn({ sid: 'sid-1' });
    const kept = await signedIn({ sid: 'sid-2' });
    assert.equal((await post(await logoutToken({ sid: 'sid-1' }))).status, 200);
    assert.equal(await route.hasEnded(ended), true);
    assert.equal(await route.hasEnded(kept), false);
  });

  it('refuses a replayed logout token (same jti)', async () => {
    const { post, logoutToken } = await setup();
    const token = await logoutToken();
    assert.equal((await post(token)).status, 200);
    const replay = await post(token);
    assert.equal(replay.status, 400);
    assert.match(JSON.parse(replay.body).error_description, /already used/);
  });

  const refusals: ReadonlyArray<{ name: string; token: (t: Awaited<ReturnType<typeof setup>>) => Promise<string> }> = [
    {
      name: 'a token signed by another key',
      token: async (t) => t.logoutToken({}, {}, (await generateKeyPair('ES384')).privateKey),
    },
    {
      name: 'an HMAC token keyed with a guessable secret',
      token: () =>
        new SignJWT({ iss: 'x', aud: clientId, iat: 1, jti: 'j', sub: 'u', events: { [backChannelLogoutEvent]: {} } })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode('secret')),
    },
    { name: 'another issuer', token: (t) => t.logoutToken({ iss: 'https://evil.example/oidc' }) },
    { name: 'another audience', token: (t) => t.logoutToken({ aud: 'another-app' }) },
    { name: 'a missing iat', token: (t) => t.logoutToken({ iat: undefined }) },
    { name: 'an iat 10 minutes old', token: (t) => t.logoutToken({ iat: t.seconds() - 600 }) },
    { name: 'an iat in the future', token: (t) => t.logoutToken({ iat: t.seconds() + 600 }) },
    { name: 'an expired token', token: (t) => t.logoutToken({ exp: t.seconds() - 120 }) },
    { name: 'a missing events claim', token: (t) => t.logoutToken({ events: undefined }) },
    { name: 'an events claim without the logout event', token: (t) => t.logoutToken({ events: { other: {} } }) },
    {
      name: 'a logout event that is not an object',
      token: (t) => t.logoutToken({ events: { [backChannelLogoutEvent]: 'yes' } }),
    },
    { name: 'neither sid nor sub', token: (t) => t.logoutToken({ sub: undefined }) },
    { name: 'an empty sub', token: (t) => t.logoutToken({ sub: '' }) },
    { name: 'a nonce (an ID token, not a logout token)', token: (t) => t.logoutToken({ nonce: 'n' }) },
    { name: 'a missing jti', token: (t) => t.logoutToken({ jti: undefined }) },
    { name: 'another typ', token: (t) => t.logoutToken({}, { typ: 'JWT' }) },
    { name: 'garbage', token: async () => 'not-a-jwt' },
  ];
  for (const row of refusals) {
    it(`refuses ${row.name} with 400 invalid_request, ending nothing`, async () => {
      const t = await setup();
      const session = await t.signedIn({});
      const answer = await t.post(await row.token(t));
      assert.equal(answer.status, 400, answer.body);
      assert.equal(JSON.parse(answer.body).error, 'invalid_request');
      assert.equal(await t.route.hasEnded(session), false);
    });
  }

  it('refuses a request without exactly one logout_token', async () => {
    const { route } = await setup();
    for (const body of ['', 'logout_token=', 'logout_token=a&logout_token=b', 'other=1']) {
      assert.equal((await route.receive(body)).status, 400, body);
    }
  });
});
