// Web-app attack batteries through `@logto-kit/express` against the hostile provider: open
// redirects after sign-in and sign-out, cookie tampering, session fixation, and CSRF on the
// callback. Table-driven: a new vector is one row.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CookieSealer, createLogto, MemoryStore } from '@logto-kit/express';
import { type HostileProvider, startHostileProvider } from '../fixtures/hostile-provider.ts';
import { Browser, sessionSecret, startWebApp, type WebApp } from './web-harness.ts';

const cookieName = 'logto_session';

/** `returnTo` / post-sign-out vectors that must never lead off the app's origin. */
const redirectVectors: readonly string[] = [
  'https://evil.example/',
  'http://evil.example',
  'HtTpS://evil.example',
  '//evil.example',
  '///evil.example',
  '/\\evil.example',
  '\\/evil.example',
  '\\\\evil.example',
  '%2F%2Fevil.example',
  '/%2F%2Fevil.example',
  '/%2f%2fevil.example',
  '%252F%252Fevil.example',
  '/%252F%252Fevil.example',
  '/%5Cevil.example',
  '/%255Cevil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  '/%09/evil.example',
  '/%0a/evil.example',
  '\t//evil.example',
  ' //evil.example',
  '/.//evil.example',
  '/./\\evil.example',
  '/..//evil.example',
  'https://user@evil.example',
  '//user:password@evil.example',
  '/@evil.example/..//evil.example',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'java\tscript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  'evil.example',
  '',
];

describe('security: open redirects after sign-in (returnTo), full sign-in', () => {
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

  for (const vector of redirectVectors) {
    it(`returns to "/" for returnTo=${JSON.stringify(vector)}`, async () => {
      const browser = new Browser(app.url);
      const { callback } = await browser.signIn(`?returnTo=${encodeURIComponent(vector)}`);
      assert.equal(callback?.status, 302, callback?.body);
      assert.equal(callback.location, '/');
      assert.equal(new URL(callback.location, app.url).origin, new URL(app.url).origin);
    });
  }

  it('returns to "/" when returnTo is given twice (an array, not a path)', async () => {
    const browser = new Browser(app.url);
    const { callback } = await browser.signIn('?returnTo=/fine&returnTo=//evil.example');
    assert.equal(callback?.status, 302);
    assert.equal(callback.location, '/');
  });

  for (const path of ['/orders?id=1#top', '/a/b/c', '/search?q=%2F%2Fevil.example']) {
    it(`returns to the same-origin path ${path}`, async () => {
      const browser = new Browser(app.url);
      const { callback } = await browser.signIn(`?returnTo=${encodeURIComponent(path)}`);
      assert.equal(callback?.status, 302);
      assert.equal(callback.location, path);
    });
  }
});

describe('security: open redirects after sign-out', () => {
  let provider: HostileProvider;
  before(async () => {
    provider = await startHostileProvider();
  });
  after(() => provider.close());

  const config = (postSignOutRedirectPath: string) => ({
    endpoint: provider.endpoint,
    appId: provider.clientId,
    appSecret: provider.clientSecret,
    baseUrl: 'http://app.test',
    session: { secrets: ['security-suite-session-secret-0123456789'] },
    postSignOutRedirectPath,
  });

  for (const vector of redirectVectors) {
    it(`never sends the provider a post-sign-out target off the app's origin: ${JSON.stringify(vector)}`, async () => {
      let logto: ReturnType<typeof createLogto>;
      try {
        logto = createLogto(config(vector));
      } catch (error) {
        assert.ok(error instanceof TypeError, 'refused at configuration time');
        return;
      }
      const session = await logto.sessions.load({ cookies: new Map(), secure: false });
      const endSession = new URL(await logto.routes.signOut(session));
      const target = endSession.searchParams.get('post_logout_redirect_uri');
      assert.ok(target);
      assert.equal(new URL(target).origin, 'http://app.test');
    });
  }

  it('ignores sign-out query parameters that name another target', async () => {
    const app = await startWebApp(provider);
    try {
      const browser = new Browser(app.url);
      const out = await browser.get(
        '/sign-out?post_logout_redirect_uri=https://evil.example/&returnTo=//evil.example&redirect=https://evil.example',
        { method: 'POST', headers: { origin: app.url } },
      );
      assert.equal(out.status, 302);
      const target = new URL(out.location ?? '').searchParams.get('post_logout_redirect_uri');
      assert.equal(target, `${app.url}/`);
    } finally {
      await app.close();
    }
  });
});

interface TamperRow {
  readonly name: string;
  /** Needs a session spanning several cookies (cookie sessions with a large ID token). */
  readonly chunked?: boolean;
  /** Changes the signed-in browser's session cookies; may use a second app (`other`). */
  readonly tamper: (cookies: Map<string, string>, other: Browser) => void | Promise<void>;
}

function flipCharacter(value: string, index: number): string {
  const character = value[index] ?? 'A';
  return `${value.slice(0, index)}${character === 'A' ? 'B' : 'A'}${value.slice(index + 1)}`;
}

const tamperRows: readonly TamperRow[] = [
  {
    name: 'a flipped character in the ciphertext',
    tamper: (cookies) => {
      const value = cookies.get(cookieName)!;
      cookies.set(cookieName, flipCharacter(value, Math.floor(value.length / 2)));
    },
  },
  {
    name: 'a flipped character in the authentication tag',
    tamper: (cookies) => {
      const last = [...cookies.keys()]
        .filter((name) => name.startsWith(cookieName))
        .sort()
        .at(-1)!;
      const value = cookies.get(last)!;
      cookies.set(last, flipCharacter(value, value.length - 3));
    },
  },
  {
    name: 'a flipped key id',
    tamper: (cookies) => {
      const value = cookies.get(cookieName)!;
      cookies.set(cookieName, flipCharacter(value, 4));
    },
  },
  {
    name: 'a truncated cookie',
    tamper: (cookies) => {
      const value = cookies.get(cookieName)!;
      cookies.set(cookieName, value.slice(0, value.length - 10));
    },
  },
  {
    name: 'a dropped chunk',
    chunked: true,
    tamper: (cookies) => {
      assert.ok(cookies.has(`${cookieName}.1`), 'the session is chunked');
      cookies.delete(`${cookieName}.1`);
    },
  },
  {
    name: 'swapped chunks',
    chunked: true,
    tamper: (cookies) => {
      const first = cookies.get(cookieName)!;
      const second = cookies.get(`${cookieName}.1`);
      assert.ok(second, 'the session is chunked');
      cookies.set(cookieName, second);
      cookies.set(`${cookieName}.1`, first);
    },
  },
  {
    name: 'a cookie sealed with another secret',
    tamper: async (cookies, other) => {
      const { callback } = await other.signIn();
      assert.equal(callback?.status, 302);
      for (const name of [...cookies.keys()]) cookies.delete(name);
      for (const [name, value] of other.cookies()) cookies.set(name, value);
    },
  },
  {
    name: 'a cookie value chosen by an attacker',
    tamper: (cookies) => {
      for (const name of [...cookies.keys()]) cookies.delete(name);
      cookies.set(cookieName, 'v1.AAAAAAAA.eyJzdWIiOiJhZG1pbiJ9');
    },
  },
];

describe('security: tampered session cookies sign nobody in (cookie sessions)', () => {
  let provider: HostileProvider;
  let app: WebApp;
  let otherApp: WebApp;
  before(async () => {
    provider = await startHostileProvider();
    // A large ID token makes the sealed session span two cookies (within the 7 KB budget).
    provider.misbehave = { idTokenClaims: ({ claims }) => ({ ...claims, padding: 'p'.repeat(2000) }) };
    app = await startWebApp(provider);
    otherApp = await startWebApp(provider, { session: { secrets: ['another-application-secret-0123456789abc'] } });
  });
  after(async () => {
    await app.close();
    await otherApp.close();
    await provider.close();
  });

  for (const row of tamperRows) {
    it(`refuses ${row.name}: signed out, the cookie is cleared`, async () => {
      const browser = new Browser(app.url);
      const { callback } = await browser.signIn();
      assert.equal(callback?.status, 302);
      assert.equal((await browser.get('/me')).status, 200, 'signed in before tampering');
      await row.tamper(browser.cookies(), new Browser(otherApp.url));
      const me = await browser.get('/me');
      assert.equal(me.status, 401);
      assert.ok(
        me.setCookies.some((line) => line.startsWith(`${cookieName}=;`)),
        'the refused cookie is cleared',
      );
    });
  }

  it('binds a sealed value to its cookie name: the same session sealed for another cookie name is refused', async () => {
    const browser = new Browser(app.url);
    await browser.signIn();
    const cookies = browser.cookies();
    const sealed = [...cookies.keys()]
      .filter((name) => name.startsWith(cookieName))
      .sort()
      .map((name) => cookies.get(name))
      .join('');
    const sealer = new CookieSealer({ secrets: [sessionSecret] });
    const opened = await sealer.unseal(cookieName, sealed);
    assert.ok(opened.ok);
    const expiresAt = Date.now() + 3_600_000;
    for (const name of [...cookies.keys()]) cookies.delete(name);

    cookies.set(cookieName, await sealer.seal('another_cookie', opened.value, expiresAt));
    assert.equal((await browser.get('/me')).status, 401, 'sealed for another name: refused');
    cookies.set(cookieName, await sealer.seal(cookieName, opened.value, expiresAt));
    assert.equal((await browser.get('/me')).status, 200, 'control: sealed for this name, the same value opens');
  });

  it('refuses a cookie past its expiry (injected clock)', async () => {
    let now = Date.now();
    const clocked = await startWebApp(provider, {
      session: { secrets: ['clocked-application-secret-0123456789ab'], now: () => now, maxAge: 3600 },
    });
    try {
      const browser = new Browser(clocked.url);
      await browser.signIn();
      assert.equal((await browser.get('/me')).status, 200);
      now += 3601 * 1000;
      assert.equal((await browser.get('/me')).status, 401);
    } finally {
      await clocked.close();
    }
  });
});

describe('security: tampered session cookies sign nobody in (server store sessions)', () => {
  let provider: HostileProvider;
  let app: WebApp;
  let otherApp: WebApp;
  const store = new MemoryStore();
  before(async () => {
    provider = await startHostileProvider();
    app = await startWebApp(provider, { session: { secrets: [sessionSecret], store } });
    otherApp = await startWebApp(provider, {
      session: { secrets: ['another-application-secret-0123456789abc'], store },
    });
  });
  after(async () => {
    await app.close();
    await otherApp.close();
    await provider.close();
  });

  for (const row of tamperRows.filter((candidate) => !candidate.chunked)) {
    it(`refuses ${row.name}: signed out`, async () => {
      const browser = new Browser(app.url);
      await browser.signIn();
      assert.equal((await browser.get('/me')).status, 200, 'signed in before tampering');
      await row.tamper(browser.cookies(), new Browser(otherApp.url));
      assert.equal((await browser.get('/me')).status, 401);
    });
  }

  it('refuses a correctly sealed id that the store does not hold', async () => {
    const browser = new Browser(app.url);
    const sealer = new CookieSealer({ secrets: [sessionSecret] });
    browser
      .cookies()
      .set(cookieName, await sealer.seal(cookieName, { sid: 'a-guessed-session-id' }, Date.now() + 3_600_000));
    assert.equal((await browser.get('/me')).status, 401);
  });
});

describe('security: cookie prefixes', () => {
  it('supports a __Host- cookie name (Secure, Path=/, no Domain), so sibling subdomains cannot toss a session cookie in', async () => {
    const provider = await startHostileProvider();
    const app = await startWebApp(provider, {
      session: { secrets: [sessionSecret], cookieName: '__Host-logto', secure: true },
    });
    try {
      const browser = new Browser(app.url);
      const { callback } = await browser.signIn();
      const lines = callback?.setCookies.filter((line) => line.startsWith('__Host-logto')) ?? [];
      assert.ok(lines.length > 0);
      for (const line of lines) {
        assert.match(line, /; Secure/);
        assert.match(line, /; Path=\/(;|$)/);
        assert.doesNotMatch(line, /; Domain=/i);
      }
      assert.equal((await browser.get('/me')).status, 200);
    } finally {
      await app.close();
      await provider.close();
    }
  });
});

describe('security: replaying a signed-out session’s cookie', () => {
  let provider: HostileProvider;
  before(async () => {
    provider = await startHostileProvider();
  });
  after(() => provider.close());

  it('with a server store: the old cookie signs nobody in after sign-out', async () => {
    const app = await startWebApp(provider, {
      session: { secrets: [sessionSecretFor('store')], store: new MemoryStore() },
    });
    try {
      const browser = new Browser(app.url);
      await browser.signIn();
      assert.equal((await browser.get('/me')).status, 200);
      const stolen = new Map(browser.cookies());
      await browser.get('/sign-out', { method: 'POST', headers: { origin: app.url } });
      assert.equal((await browser.get('/me')).status, 401);
      const replay = new Browser(app.url);
      for (const [name, value] of stolen) replay.cookies().set(name, value);
      assert.equal((await replay.get('/me')).status, 401);
      assert.equal((await replay.get('/me/api-token')).status, 401);
    } finally {
      await app.close();
    }
  });

  it('with cookie sessions: the old cookie still holds the ID token until it expires, but the revoked refresh token gets no new token', async () => {
    // Cookie sessions are stateless by design: the server keeps nothing to invalidate, so a copy
    // of the cookie taken before sign-out still opens (documented in SECURITY.md). Sign-out revokes
    // the refresh token at the provider, so the copy cannot obtain access tokens.
    const app = await startWebApp(provider);
    try {
      const browser = new Browser(app.url);
      await browser.signIn();
      const stolen = new Map(browser.cookies());
      await browser.get('/sign-out', { method: 'POST', headers: { origin: app.url } });
      assert.equal((await browser.get('/me')).status, 401, 'the browser that signed out is signed out');
      const replay = new Browser(app.url);
      for (const [name, value] of stolen) replay.cookies().set(name, value);
      assert.equal((await replay.get('/me')).status, 200, 'documented: the copied cookie still opens');
      const token = await replay.get('/me/api-token');
      assert.equal(token.status, 401, 'no access token from a revoked refresh token');
    } finally {
      await app.close();
    }
  });
});

function sessionSecretFor(mode: string): string {
  return `security-suite-${mode}-secret-0123456789abcdef`;
}

for (const mode of ['cookie', 'store'] as const) {
  describe(`security: session fixation (${mode} sessions)`, () => {
    let provider: HostileProvider;
    let app: WebApp;
    before(async () => {
      provider = await startHostileProvider();
      app = await startWebApp(provider, {
        session: { secrets: [sessionSecretFor(mode)], ...(mode === 'store' ? { store: new MemoryStore() } : {}) },
      });
    });
    after(async () => {
      await app.close();
      await provider.close();
    });

    it('a session cookie planted before sign-in is not adopted: the cookie changes and the planted one stays signed out', async () => {
      const attacker = new Browser(app.url);
      await attacker.get('/sign-in');
      const planted = new Map(attacker.cookies());
      assert.ok(planted.get(cookieName), 'the attacker holds a valid pre-sign-in session cookie');

      const victim = new Browser(app.url);
      for (const [name, value] of planted) victim.cookies().set(name, value);
      const { callback } = await victim.signIn();
      assert.equal(callback?.status, 302);
      assert.equal((await victim.get('/me')).status, 200, 'the victim is signed in');
      assert.notEqual(victim.cookies().get(cookieName), planted.get(cookieName), 'a new session cookie at sign-in');

      const me = await attacker.get('/me');
      assert.equal(me.status, 401, 'the planted session did not become the victim’s');
    });

    it('a cookie value invented by an attacker is not adopted', async () => {
      const victim = new Browser(app.url);
      victim.cookies().set(cookieName, 'attacker-chosen-session-id');
      const { callback } = await victim.signIn();
      assert.equal(callback?.status, 302);
      assert.notEqual(victim.cookies().get(cookieName), 'attacker-chosen-session-id');
      const attacker = new Browser(app.url);
      attacker.cookies().set(cookieName, 'attacker-chosen-session-id');
      assert.equal((await attacker.get('/me')).status, 401);
    });
  });
}

describe('security: CSRF on the callback (state is bound to the browser that started the sign-in)', () => {
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

  const cases: ReadonlyArray<{ name: string; victimStartsSignIn: boolean }> = [
    { name: 'a victim with no sign-in in progress', victimStartsSignIn: false },
    { name: 'a victim with its own sign-in in progress', victimStartsSignIn: true },
  ];
  for (const { name, victimStartsSignIn } of cases) {
    it(`refuses the attacker's callback URL in ${name}`, async () => {
      const attacker = new Browser(app.url);
      const forgedCallback = await attacker.startSignIn();
      const victim = new Browser(app.url);
      if (victimStartsSignIn) await victim.startSignIn();
      const answer = await victim.get(forgedCallback);
      assert.equal(answer.status, 400);
      assert.match(answer.body, /callback_state_mismatch/);
      assert.equal((await victim.get('/me')).status, 401, 'the victim is not signed in as the attacker');
    });
  }

  it('refuses a replayed callback in the same browser (state is single use)', async () => {
    const browser = new Browser(app.url);
    const callbackUrl = await browser.startSignIn();
    assert.equal((await browser.get(callbackUrl)).status, 302);
    await browser.get('/sign-out', { method: 'POST', headers: { origin: app.url } });
    const replay = await browser.get(callbackUrl);
    assert.equal(replay.status, 400);
    assert.match(replay.body, /callback_state_mismatch/);
    assert.equal((await browser.get('/me')).status, 401);
  });

  it('refuses a callback whose state was changed', async () => {
    const browser = new Browser(app.url);
    const callbackUrl = new URL(await browser.startSignIn());
    callbackUrl.searchParams.set('state', `${callbackUrl.searchParams.get('state')}x`);
    const answer = await browser.get(callbackUrl.href);
    assert.equal(answer.status, 400);
    assert.match(answer.body, /callback_state_mismatch/);
    assert.equal((await browser.get('/me')).status, 401);
  });
});
