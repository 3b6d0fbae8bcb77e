// Sessions that end when they should, through `@logto-kit/express` against the hostile provider:
// the cookie bomb (a cross-site page growing the session until every request fails), sign-out
// CSRF, cacheable personal pages, long-lived anonymous store entries, non-canonical sealed
// cookies, the ID token in the end-session URL, and back-channel logout tokens that are forged,
// replayed or malformed. Each test tries the attack and checks that it is refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CookieSealer, MemoryStore, type SessionStore } from '@logto-kit/express';
import { type HostileProvider, startHostileProvider } from '../fixtures/hostile-provider.ts';
import { Browser, errorCodeOf, sessionSecret, startWebApp, type WebApp } from './web-harness.ts';

const cookieName = 'logto_session';
/** The library's cookies may take at most this many bytes of the `Cookie` header. */
const cookieBudget = 7 * 1024;

/** The `Cookie` header a browser sends to the app: the library's cookies only (the test app sets no other). */
function cookieHeader(browser: Browser): string {
  return [...browser.cookies()].map(([name, value]) => `${name}=${value}`).join('; ');
}

describe('security: the cookie bomb (cookie sessions)', () => {
  let provider: HostileProvider;
  let app: WebApp;
  before(async () => {
    provider = await startHostileProvider();
    app = await startWebApp(provider);
  });
  after(async () => {
    await app.close();
    await provider.close();
  });

  it('keeps the cookies under 7 KB through 20 cross-site sign-in starts with 2 KB return paths; the app still answers', async () => {
    const victim = new Browser(app.url);
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const start = await victim.get(
        `/sign-in?returnTo=${encodeURIComponent(`/${String(attempt % 10).repeat(2000)}`)}`,
      );
      assert.equal(start.status, 302);
      assert.ok(
        cookieHeader(victim).length <= cookieBudget,
        `after ${attempt + 1}: ${cookieHeader(victim).length} bytes`,
      );
    }
    assert.equal((await victim.get('/me')).status, 401, 'answered, not 431');
    const { callback } = await victim.signIn();
    assert.equal(callback?.status, 302, 'the victim can still sign in');
    assert.equal((await victim.get('/me')).status, 200);
  });

  it('keeps 5 pending sign-ins: starting a sixth drops the oldest, whose callback is then refused', async () => {
    const browser = new Browser(app.url);
    const callbacks: string[] = [];
    for (let index = 0; index < 6; index += 1) callbacks.push(await browser.startSignIn(`?returnTo=/tab-${index}`));
    const oldest = await browser.get(callbacks[0]!);
    assert.equal(oldest.status, 400);
    assert.equal(errorCodeOf(oldest), 'callback_state_mismatch');
    const newest = await browser.get(callbacks[5]!);
    assert.equal(newest.status, 302);
    assert.equal(newest.location, '/tab-5');
  });

  it('returns to "/" after sign-in for a return path over 512 characters (it is not stored)', async () => {
    const browser = new Browser(app.url);
    const { callback } = await browser.signIn(`?returnTo=${encodeURIComponent(`/${'a'.repeat(600)}`)}`);
    assert.equal(callback?.location, '/');
  });

  it('refuses a profile too large for cookies at the callback (session_too_large, naming a server-side store) instead of locking the user out', async () => {
    provider.misbehave = { idTokenClaims: ({ claims }) => ({ ...claims, email: `${'e'.repeat(12_000)}@example.com` }) };
    try {
      const browser = new Browser(app.url);
      const { callback } = await browser.signIn();
      assert.equal(callback?.status, 500);
      assert.equal(errorCodeOf(callback), 'session_too_large');
      assert.match(callback.body, /server-side store/);
      assert.ok(cookieHeader(browser).length <= cookieBudget, 'no oversized cookie was set');
      assert.equal((await browser.get('/me')).status, 401, 'answered, not 431');
    } finally {
      provider.misbehave = {};
    }
  });

  it('with a server store, the same large profile signs in (the fix the error page names)', async () => {
    provider.misbehave = { idTokenClaims: ({ claims }) => ({ ...claims, email: `${'e'.repeat(12_000)}@example.com` }) };
    const storeApp = await startWebApp(provider, { session: { secrets: [sessionSecret], store: new MemoryStore() } });
    try {
      const browser = new Browser(storeApp.url);
      const { callback } = await browser.signIn();
      assert.equal(callback?.status, 302);
      assert.equal((await browser.get('/me')).status, 200);
    } finally {
      provider.misbehave = {};
      await storeApp.close();
    }
  });

  it('clears a correctly sealed session cookie over the budget instead of opening it', async () => {
    const sealed = await new CookieSealer({ secrets: [sessionSecret] }).seal(
      cookieName,
      { 'logto.idToken': 'x'.repeat(9_000) },
      Date.now() + 60_000,
    );
    const browser = new Browser(app.url);
    for (let index = 0; index * 3800 < sealed.length; index += 1) {
      browser
        .cookies()
        .set(index === 0 ? cookieName : `${cookieName}.${index}`, sealed.slice(index * 3800, (index + 1) * 3800));
    }
    const me = await browser.get('/me');
    assert.equal(me.status, 401);
    assert.equal(browser.cookies().size, 0, 'every chunk is cleared');
  });
});

describe('security: sign-out CSRF', () => {
  let provider: HostileProvider;
  let app: WebApp;
  before(async () => {
    provider = await startHostileProvider();
    app = await startWebApp(provider);
  });
  after(async () => {
    await app.close();
    await provider.close();
  });

  it('a cross-site GET /sign-out (link, image, top-level navigation) leaves the user signed in with a working refresh token', async () => {
    const browser = new Browser(app.url);
    await browser.signIn();
    const page = await browser.get('/sign-out', { headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(page.status, 200);
    assert.match(page.body, /<form id="sign-out" method="post"/);
    assert.doesNotMatch(page.body, /<script>/, 'no automatic submission for another site');
    assert.equal((await browser.get('/me')).status, 200);
    assert.equal((await browser.get('/me/api-token')).status, 200, 'the refresh token was not revoked');
  });

  for (const [name, headers] of [
    ['Origin of another site', { origin: 'https://evil.example' }],
    ['Origin null (sandboxed frame)', { origin: 'null' }],
    ['Sec-Fetch-Site cross-site (even with the app’s Origin)', { 'sec-fetch-site': 'cross-site', origin: 'APP' }],
    ['Sec-Fetch-Site same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
    ['neither Origin nor Sec-Fetch-Site', {}],
  ] as const) {
    it(`refuses a sign-out POST with ${name}: 403, still signed in`, async () => {
      const browser = new Browser(app.url);
      await browser.signIn();
      const resolved = Object.fromEntries(
        Object.entries(headers).map(([header, value]) => [header, value === 'APP' ? app.url : value]),
      );
      const refused = await browser.get('/sign-out', { method: 'POST', headers: resolved });
      assert.equal(refused.status, 403);
      assert.equal(refused.location, undefined);
      assert.equal((await browser.get('/me')).status, 200);
    });
  }

  it('signs out on a same-origin POST, and the end-session URL carries no ID token', async () => {
    const browser = new Browser(app.url);
    await browser.signIn();
    const out = await browser.get('/sign-out', { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } });
    assert.equal(out.status, 302);
    const endSession = new URL(out.location!);
    assert.equal(endSession.searchParams.get('id_token_hint'), null);
    assert.equal(endSession.searchParams.get('client_id'), provider.clientId);
    assert.doesNotMatch(out.location!, /eyJ/, 'no JWT anywhere in the URL');
    assert.equal((await browser.get('/me')).status, 401);
  });
});

describe('security: personal answers are not cacheable', () => {
  let provider: HostileProvider;
  let app: WebApp;
  before(async () => {
    provider = await startHostileProvider();
    app = await startWebApp(provider);
  });
  after(async () => {
    await app.close();
    await provider.close();
  });

  it('marks the routes and every answer of authenticated() Cache-Control: private, no-store and Vary: Cookie', async () => {
    const browser = new Browser(app.url);
    const read = (path: string) =>
      fetch(`${app.url}${path}`, { redirect: 'manual', headers: { cookie: cookieHeader(browser) } });
    const answers = [await read('/me')];
    await browser.signIn();
    for (const path of ['/me', '/me/userinfo', '/sign-in', '/sign-out', '/callback?state=unknown']) {
      answers.push(await read(path));
    }
    assert.deepEqual(
      answers.map((answer) => answer.status),
      [401, 200, 200, 302, 200, 400],
    );
    for (const answer of answers) {
      assert.equal(answer.headers.get('cache-control'), 'private, no-store', answer.url);
      assert.match(answer.headers.get('vary') ?? '', /\bCookie\b/, answer.url);
    }
  });
});

describe('security: anonymous sign-in starts and a server store', () => {
  it('writes nothing to the store for anonymous sign-in starts (their pending sign-ins stay in the cookie); a signed-in session gets the full lifetime', async () => {
    const provider = await startHostileProvider();
    const memory = new MemoryStore();
    const ttls: number[] = [];
    const store: SessionStore = {
      get: (id) => memory.get(id),
      destroy: (id) => memory.destroy(id),
      set: (id, data, ttl) => {
        ttls.push(ttl);
        return memory.set(id, data, ttl);
      },
    };
    const app = await startWebApp(provider, { session: { secrets: [sessionSecret], store } });
    try {
      for (let index = 0; index < 20; index += 1) await new Browser(app.url).get('/sign-in');
      assert.deepEqual(ttls, [], 'no store entry for anonymous starts');
      assert.equal(memory.size, 0);
      const { callback } = await new Browser(app.url).signIn();
      assert.equal(callback?.status, 302);
      assert.equal(ttls.at(-1), 14 * 24 * 3600);
    } finally {
      await app.close();
      await provider.close();
    }
  });
});

describe('security: non-canonical sealed cookies', () => {
  it('refuses a sealed cookie whose last character’s unused bits were changed, though it decodes to the same bytes', async () => {
    const provider = await startHostileProvider();
    const app = await startWebApp(provider);
    try {
      const browser = new Browser(app.url);
      await browser.signIn();
      const sealer = new CookieSealer({ secrets: [sessionSecret] });
      const opened = await sealer.unseal<Record<string, string>>(cookieName, browser.cookies().get(cookieName)!);
      assert.ok(opened.ok);
      // Reseal with a filler key until the last character has unused bits (length not a multiple of 3 bytes).
      let sealed = '';
      for (let filler = 0; sealed === '' || sealed.length % 4 === 0; filler += 1) {
        sealed = await sealer.seal(cookieName, { ...opened.value, filler: 'f'.repeat(filler) }, opened.expiresAt);
      }
      const control = new Browser(app.url);
      control.cookies().set(cookieName, sealed);
      assert.equal((await control.get('/me')).status, 200, 'the canonical cookie opens');
      const last = sealed.at(-1)!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const sibling = alphabet[alphabet.indexOf(last) + 1]!;
      assert.deepEqual(
        Buffer.from(`${sealed.slice(0, -1)}${sibling}`.split('.')[2]!, 'base64url'),
        Buffer.from(sealed.split('.')[2]!, 'base64url'),
        'the altered text decodes to the same bytes',
      );
      const altered = new Browser(app.url);
      altered.cookies().set(cookieName, `${sealed.slice(0, -1)}${sibling}`);
      const me = await altered.get('/me');
      assert.equal(me.status, 401);
      assert.ok(
        me.setCookies.some((line) => line.startsWith(`${cookieName}=;`)),
        'and cleared',
      );
    } finally {
      await app.close();
      await provider.close();
    }
  });
});

describe('security: back-channel logout tokens', () => {
  let provider: HostileProvider;
  let app: WebApp;
  const event = { 'http://schemas.openid.net/event/backchannel-logout': {} };
  let jti = 0;
  before(async () => {
    provider = await startHostileProvider();
    app = await startWebApp(provider, { backChannelLogout: {} });
  });
  after(async () => {
    await app.close();
    await provider.close();
  });

  const logoutClaims = (sub: string, overrides: Record<string, unknown> = {}) => ({
    iss: provider.issuer,
    aud: provider.clientId,
    iat: Math.floor(Date.now() / 1000),
    jti: `jti-${++jti}`,
    sub,
    events: event,
    ...overrides,
  });
  const post = (token: string) =>
    fetch(`${app.url}/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: token }).toString(),
    });
  async function signedIn(): Promise<{ browser: Browser; sub: string }> {
    const browser = new Browser(app.url);
    await browser.signIn();
    const me = await browser.get('/me');
    assert.equal(me.status, 200);
    return { browser, sub: JSON.parse(me.body).sub };
  }

  it('ends the cookie session of the logout token’s sub at its next request, and a copy of its cookie', async () => {
    // A user of their own, so the other tests' sign-ins are not ended with this one.
    provider.misbehave = { idTokenClaims: ({ claims }) => ({ ...claims, sub: 'back-channel-victim' }) };
    const { browser, sub } = await signedIn();
    provider.misbehave = {};
    const copy = new Map(browser.cookies());
    const answer = await post(await provider.sign(logoutClaims(sub), { header: { typ: 'logout+jwt' } }));
    assert.equal(answer.status, 200, await answer.text());
    assert.equal((await browser.get('/me')).status, 401);
    const replay = new Browser(app.url);
    for (const [name, value] of copy) replay.cookies().set(name, value);
    assert.equal((await replay.get('/me')).status, 401, 'the copied cookie is worthless too');
  });

  const attacks: ReadonlyArray<{ name: string; token: (sub: string) => Promise<string> }> = [
    {
      name: 'signed by a key the provider does not publish, under its kid',
      token: async (sub) =>
        provider.sign(logoutClaims(sub), {
          key: await provider.createKey('ES384'),
          header: { kid: provider.signingKey.kid },
        }),
    },
    { name: 'alg none', token: async (sub) => `${b64({ alg: 'none' })}.${b64(logoutClaims(sub))}.` },
    { name: 'for another application', token: (sub) => provider.sign(logoutClaims(sub, { aud: 'another-app' })) },
    {
      name: 'from another issuer',
      token: (sub) => provider.sign(logoutClaims(sub, { iss: 'https://evil.example/oidc' })),
    },
    {
      name: 'an ID token (nonce, no events)',
      token: (sub) => provider.sign(logoutClaims(sub, { events: undefined, nonce: 'n' })),
    },
    { name: 'without sid and sub', token: (sub) => provider.sign({ ...logoutClaims(sub), sub: undefined }) },
    {
      name: 'an hour old',
      token: (sub) => provider.sign(logoutClaims(sub, { iat: Math.floor(Date.now() / 1000) - 3600 })),
    },
  ];
  for (const attack of attacks) {
    it(`refuses a logout token ${attack.name}: 400, the user stays signed in`, async () => {
      const { browser, sub } = await signedIn();
      const answer = await post(await attack.token(sub));
      assert.equal(answer.status, 400);
      assert.equal(((await answer.json()) as { error: string }).error, 'invalid_request');
      assert.equal((await browser.get('/me')).status, 200);
    });
  }

  it('refuses a replayed logout token (its jti is accepted once)', async () => {
    const token = await provider.sign(logoutClaims('someone-else'));
    assert.equal((await post(token)).status, 200);
    const replay = await post(token);
    assert.equal(replay.status, 400);
    assert.match(((await replay.json()) as { error_description: string }).error_description, /already used/);
  });
});

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
