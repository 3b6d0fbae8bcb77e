/**
 * The shared behaviour suite: every framework adapter must answer sign-in, callback, sign-out,
 * open redirects, tampered cookies, session-store outages and API guard errors the same way.
 * A difference between adapters fails here.
 */
import assert from 'node:assert/strict';
import type { RequestListener } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createAccessTokenVerifier } from '@logto-kit/api';
import { confirmSignOut, signInThroughForms } from '@logto-kit/dev-server/testing';
import { MemoryStore } from '@logto-kit/web';
import { decodeJwt } from 'jose';
import {
  accessToken,
  claimsFor,
  fakeProvider,
  generateSigningKey,
  shopping,
} from '../../packages/api/src/test-support/provider.ts';
import { adapters, shoppingApi } from './adapters.ts';
import { Browser, listen, sessionCookies, sessionSecret, startWebApp, type WebAppUnderTest } from './support.ts';

/** returnTo values that must never lead off the app after sign-in. */
const redirectVectors: readonly string[] = [
  'https://evil.example/',
  'HtTpS://evil.example',
  '//evil.example',
  '///evil.example',
  '/\\evil.example',
  '\\/evil.example',
  '/%2F%2Fevil.example',
  '/%252F%252Fevil.example',
  '/%5Cevil.example',
  '/\t/evil.example',
  '/%0a/evil.example',
  ' //evil.example',
  '/..//evil.example',
  '//user:password@evil.example',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'evil.example',
  '',
];

for (const adapter of adapters) {
  describe(adapter.name, () => {
    describe('web app (cookie sessions)', () => {
      let app: WebAppUnderTest;
      before(async () => {
        app = await startWebApp((config) => adapter.webApp(config));
      });
      after(() => app.close());

      it('signs in: sign-in redirects to the provider, the callback sets an HttpOnly, SameSite=Lax cookie', async () => {
        const browser = new Browser(app.url);
        const started = await browser.get('/sign-in');
        assert.equal(started.status, 302);
        assert.equal(started.headers.get('cache-control'), 'private, no-store');
        assert.match(started.headers.get('vary') ?? '', /\bCookie\b/);
        const authorization = new URL(started.location!);
        assert.equal(`${authorization.origin}${authorization.pathname}`, `${app.endpoint}/oidc/auth`);
        assert.equal(authorization.searchParams.get('redirect_uri'), `${app.url}/callback`);
        assert.ok(authorization.searchParams.get('state'));

        const { callback } = await browser.signIn();
        assert.equal(callback.status, 302);
        assert.equal(callback.location, '/');
        assert.equal(callback.headers.get('cache-control'), 'private, no-store');
        const cookies = sessionCookies(callback);
        assert.ok(cookies.length >= 1);
        for (const cookie of cookies) {
          assert.match(cookie, /; HttpOnly/);
          assert.match(cookie, /; SameSite=Lax/);
          assert.match(cookie, /; Path=\//);
          assert.doesNotMatch(cookie, /; Secure/, 'plain http: no Secure attribute');
        }
        const me = await browser.get('/me');
        assert.equal(me.status, 200);
        const claims = JSON.parse(me.body);
        assert.equal(claims.username, 'demo');
        assert.equal(claims.email, 'demo@example.com');
        const unchanged = await browser.get('/me');
        assert.deepEqual(sessionCookies(unchanged), [], 'an unchanged session is not rewritten');
      });

      it('authenticated() answers 401 JSON to a signed-out request, or redirects with shouldRedirect', async () => {
        const browser = new Browser(app.url);
        const api = await browser.get('/me');
        assert.equal(api.status, 401);
        assert.match(api.headers.get('content-type') ?? '', /^application\/json/);
        assert.deepEqual(JSON.parse(api.body), { error: 'Not authenticated' });
        const page = await browser.get('/page?tab=1');
        assert.equal(page.status, 302);
        assert.equal(page.location, '/sign-in?returnTo=%2Fpage%3Ftab%3D1');
        const post = await browser.request('/page?tab=1', { method: 'POST' });
        assert.equal(post.status, 302);
        assert.equal(post.location, '/sign-in', 'a POST is not repeated after sign-in');
      });

      it('returns to the page that required sign-in', async () => {
        const browser = new Browser(app.url);
        const page = await browser.get('/page?tab=1');
        const { callback } = await browser.signIn(page.location!);
        assert.equal(callback.location, '/page?tab=1');
        const back = await browser.get(callback.location!);
        assert.equal(back.status, 200);
        assert.equal(JSON.parse(back.body).sub, JSON.parse((await browser.get('/me')).body).sub);
      });

      for (const vector of redirectVectors) {
        it(`returns to "/" for returnTo=${JSON.stringify(vector)}`, async () => {
          const browser = new Browser(app.url);
          const { callback } = await browser.signIn(`/sign-in?returnTo=${encodeURIComponent(vector)}`);
          assert.equal(callback.status, 302);
          assert.equal(callback.location, '/');
        });
      }

      it('returns to "/" when returnTo is given twice, and to a same-origin path as given', async () => {
        const twice = await new Browser(app.url).signIn('/sign-in?returnTo=/fine&returnTo=//evil.example');
        assert.equal(twice.callback.location, '/');
        const path = '/orders?id=1#top';
        const fine = await new Browser(app.url).signIn(`/sign-in?returnTo=${encodeURIComponent(path)}`);
        assert.equal(fine.callback.location, path);
      });

      it('refuses a callback with an unknown state with a 400 HTML page naming the error', async () => {
        const { callbackUrl } = await new Browser(app.url).signIn();
        const forged = new URL(callbackUrl);
        forged.searchParams.set('state', 'forged-state');
        const fresh = new Browser(app.url);
        await fresh.get('/sign-in');
        const refused = await fresh.get(forged.href);
        assert.equal(refused.status, 400);
        assert.equal(refused.headers.get('cache-control'), 'private, no-store');
        assert.match(refused.headers.get('content-type') ?? '', /^text\/html/);
        assert.match(refused.body, /callback_state_mismatch/);
        assert.match(refused.body, /href="\/"/);
        assert.equal((await fresh.get('/me')).status, 401);
      });

      it('refuses a replayed callback', async () => {
        const browser = new Browser(app.url);
        const { callbackUrl, callback } = await browser.signIn();
        assert.equal(callback.status, 302);
        const replay = await browser.get(callbackUrl);
        assert.equal(replay.status, 400);
        assert.match(replay.body, /callback_state_mismatch/);
      });

      it('refuses a callback carried to another browser (login CSRF)', async () => {
        const victim = new Browser(app.url);
        const started = await new Browser(app.url).get('/sign-in');
        const callbackUrl = await signInThroughForms(started.location!, {
          username: 'alice',
          password: 'alice-password',
        });
        assert.equal((await victim.get(callbackUrl)).status, 400);
        assert.equal((await victim.get('/me')).status, 401, 'the victim is not signed in as the attacker');
      });

      it('ignores HEAD requests to the routes: a prefetch neither starts a sign-in nor consumes a callback', async () => {
        const browser = new Browser(app.url);
        const head = await browser.request('/sign-in', { method: 'HEAD' });
        assert.notEqual(head.status, 302);
        assert.deepEqual(sessionCookies(head), []);
        const started = await browser.get('/sign-in');
        const callbackUrl = await signInThroughForms(
          started.location!,
          { username: 'demo', password: 'demo-password' },
          { cookieJar: browser.providerJar },
        );
        assert.notEqual((await browser.request(callbackUrl, { method: 'HEAD' })).status, 302);
        const callback = await browser.get(callbackUrl);
        assert.equal(callback.status, 302, 'the callback still works after a HEAD');
        assert.equal((await browser.get('/me')).status, 200);
      });

      it('treats a tampered, truncated or foreign session cookie as signed out and clears it, never a 500', async () => {
        const browser = new Browser(app.url);
        await browser.signIn();
        const header = browser.cookieHeader();
        const value = /logto_session=([^;]+)/.exec(header)![1]!;
        const index = value.length - 10;
        const tampered = `${value.slice(0, index)}${value[index] === 'A' ? 'B' : 'A'}${value.slice(index + 1)}`;
        const response = await fetch(`${app.url}/me`, { headers: { cookie: header.replace(value, tampered) } });
        assert.equal(response.status, 401);
        assert.match(response.headers.getSetCookie().join('\n'), /logto_session=; Max-Age=0/);
        const other = await startWebApp((config) => adapter.webApp(config), {
          session: { secrets: ['another-application-secret-0123456789abc'] },
        });
        try {
          const foreign = new Browser(other.url);
          await foreign.signIn();
          const foreignValue = /logto_session=([^;]+)/.exec(foreign.cookieHeader())![1]!;
          for (const cookie of [
            'logto_session=garbage',
            'logto_session=v1.x.y',
            `logto_session=${value.slice(0, 20)}`,
            `logto_session=${foreignValue}`,
          ]) {
            const refused = await fetch(`${app.url}/me`, { headers: { cookie } });
            assert.equal(refused.status, 401, cookie);
            assert.match(refused.headers.getSetCookie().join('\n'), /logto_session=; Max-Age=0/, cookie);
          }
        } finally {
          await other.close();
        }
      });

      it('gives a new session at sign-in: the cookie from before sign-in does not become signed in', async () => {
        const browser = new Browser(app.url);
        const started = await browser.get('/sign-in');
        const planted = browser.cookieHeader();
        assert.match(planted, /logto_session=/, 'the pending sign-in lives in the session');
        const callbackUrl = await signInThroughForms(
          started.location!,
          { username: 'demo', password: 'demo-password' },
          { cookieJar: browser.providerJar },
        );
        assert.equal((await browser.get(callbackUrl)).status, 302);
        assert.notEqual(browser.cookieHeader(), planted);
        assert.equal((await fetch(`${app.url}/me`, { headers: { cookie: planted } })).status, 401);
        assert.equal((await browser.get('/me')).status, 200);
      });

      it('obtains an access token for an API resource for a signed-in user', async () => {
        const browser = new Browser(app.url);
        await browser.signIn();
        const { accessToken: token } = JSON.parse((await browser.get('/shopping')).body);
        assert.equal(decodeJwt(token).aud, shoppingApi);
      });

      it('signs out on a same-origin POST: clears the session and redirects to the end-session endpoint, no ID token in the URL', async () => {
        const sameOrigin: Record<string, string>[] = [{ origin: app.url }, { 'sec-fetch-site': 'same-origin' }];
        for (const headers of sameOrigin) {
          const browser = new Browser(app.url);
          await browser.signIn();
          const signOut = await browser.request('/sign-out', { method: 'POST', headers });
          assert.equal(signOut.status, 302, JSON.stringify(headers));
          assert.equal(signOut.headers.get('cache-control'), 'private, no-store');
          const endSession = new URL(signOut.location!);
          assert.equal(`${endSession.origin}${endSession.pathname}`, `${app.endpoint}/oidc/session/end`);
          assert.equal(endSession.searchParams.get('client_id'), 'sample-web-app');
          assert.equal(endSession.searchParams.get('post_logout_redirect_uri'), `${app.url}/`);
          assert.equal(endSession.searchParams.get('id_token_hint'), null);
          assert.match(signOut.headers.getSetCookie().join('\n'), /logto_session=; Max-Age=0/);
          assert.equal((await browser.get('/me')).status, 401);
        }
      });

      it('answers GET /sign-out with a confirmation page that posts to /sign-out, and stays signed in', async () => {
        const browser = new Browser(app.url);
        await browser.signIn();
        for (const site of ['cross-site', 'same-origin']) {
          const page = await browser.get('/sign-out', { 'sec-fetch-site': site });
          assert.equal(page.status, 200);
          assert.equal(page.headers.get('cache-control'), 'private, no-store');
          assert.equal(page.headers.get('x-frame-options'), 'DENY');
          assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
          assert.match(page.body, /<form id="sign-out" method="post" action="\/sign-out">/);
          // Reached from the app's own link it submits itself; from another site a person confirms.
          assert.equal(/<script>/.test(page.body), site === 'same-origin', site);
          assert.deepEqual(sessionCookies(page), []);
        }
        assert.equal((await browser.get('/me')).status, 200, 'still signed in');
      });

      it('refuses a cross-site sign-out POST (403 confirmation page) and keeps the user signed in', async () => {
        const browser = new Browser(app.url);
        await browser.signIn();
        const crossSite: Record<string, string>[] = [
          { origin: 'https://evil.example' },
          { origin: 'null' },
          { 'sec-fetch-site': 'cross-site', origin: app.url },
          { 'sec-fetch-site': 'same-site' },
          {},
        ];
        for (const headers of crossSite) {
          const refused = await browser.request('/sign-out', { method: 'POST', headers });
          assert.equal(refused.status, 403, JSON.stringify(headers));
          assert.equal(refused.location, null);
          assert.match(refused.body, /action="\/sign-out"/);
          assert.deepEqual(sessionCookies(refused), []);
        }
        assert.equal((await browser.get('/me')).status, 200, 'still signed in');
      });

      it('marks every answer of authenticated() private, not cacheable, varying by cookie', async () => {
        const browser = new Browser(app.url);
        const answers = [await browser.get('/me'), await browser.get('/page')];
        await browser.signIn();
        answers.push(await browser.get('/me'), await browser.get('/page'));
        assert.deepEqual(
          answers.map((answer) => answer.status),
          [401, 302, 200, 200],
        );
        for (const answer of answers) {
          assert.equal(answer.headers.get('cache-control'), 'private, no-store', String(answer.status));
          assert.match(answer.headers.get('vary') ?? '', /Cookie/);
        }
      });

      it('starts registration from /sign-up', async () => {
        const started = await new Browser(app.url).get('/sign-up');
        assert.equal(started.status, 302);
        assert.equal(new URL(started.location!).searchParams.get('first_screen'), 'register');
      });

      it('leaves other paths to the app', async () => {
        const home = await new Browser(app.url).get('/');
        assert.equal(home.status, 200);
        assert.equal(home.body, 'home');
        assert.deepEqual(sessionCookies(home), [], 'no cookie for a visitor without a session');
      });
    });

    describe('web app with back-channel logout (cookie sessions)', () => {
      let app: WebAppUnderTest;
      before(async () => {
        app = await startWebApp((config) => adapter.webApp(config), { backChannelLogout: {} });
      });
      after(() => app.close());

      it('ends the session when the user signs out at the provider (the provider posts a logout token)', async () => {
        const browser = new Browser(app.url);
        await browser.signIn();
        const other = new Browser(app.url);
        await other.signIn('/sign-in', { username: 'alice', password: 'alice-password' });
        assert.equal((await browser.get('/me')).status, 200);
        const endSession = new URL(`${app.endpoint}/oidc/session/end`);
        endSession.searchParams.set('client_id', 'sample-web-app');
        endSession.searchParams.set('post_logout_redirect_uri', `${app.url}/`);
        await confirmSignOut(endSession.href, browser.providerJar);
        const me = await browser.get('/me');
        assert.equal(me.status, 401);
        assert.match(me.headers.getSetCookie().join('\n'), /logto_session=; Max-Age=0/, 'the ended cookie is cleared');
        assert.equal((await other.get('/me')).status, 200, 'another user stays signed in');
      });

      it('refuses a logout token that is not one (400 invalid_request), ending nothing', async () => {
        const browser = new Browser(app.url);
        await browser.signIn();
        for (const body of ['', 'logout_token=not-a-jwt']) {
          const refused = await fetch(`${app.url}/backchannel-logout`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body,
          });
          assert.equal(refused.status, 400, body);
          assert.equal(((await refused.json()) as { error: string }).error, 'invalid_request');
        }
        assert.equal((await browser.get('/me')).status, 200);
      });
    });

    describe('web app with a route prefix', () => {
      let app: WebAppUnderTest;
      before(async () => {
        app = await startWebApp((config) => adapter.webApp(config), { routes: { prefix: '/auth' } });
      });
      after(() => app.close());

      it('serves the routes under the prefix only, and redirects there', async () => {
        const browser = new Browser(app.url);
        const started = await browser.get('/auth/sign-in');
        assert.equal(started.status, 302);
        assert.equal(new URL(started.location!).searchParams.get('redirect_uri'), `${app.url}/auth/callback`);
        assert.equal((await browser.get('/sign-in')).status, 404);
        assert.equal((await browser.get('/page')).location, '/auth/sign-in?returnTo=%2Fpage');
      });
    });

    describe('web app while the provider cannot be reached', () => {
      let app: WebAppUnderTest;
      let down = false;
      const switchable: typeof fetch = (input, init) =>
        down ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init);
      before(async () => {
        app = await startWebApp((config) => adapter.webApp(config), { clientOptions: { fetch: switchable } });
      });
      after(() => app.close());

      it('answers a sign-in with the sign-in error page (502), or JSON by content negotiation, naming no internal URL', async () => {
        down = true;
        try {
          const page = await new Browser(app.url).get('/sign-in', { accept: 'text/html' });
          assert.equal(page.status, 502);
          assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
          assert.equal(page.headers.get('cache-control'), 'private, no-store');
          assert.match(page.body, /Error code: <code>discovery_failed<\/code>/);
          assert.ok(!page.body.includes(app.endpoint), 'the provider URL stays out of the answer');
          assert.doesNotMatch(page.body, /127\.0\.0\.1|openid-configuration/);
          const json = await new Browser(app.url).get('/sign-up', { accept: 'application/json' });
          assert.equal(json.status, 502);
          assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
          assert.deepEqual(JSON.parse(json.body), { error: 'Identity provider unavailable', code: 'discovery_failed' });
        } finally {
          down = false;
        }
      });

      it('answers a callback whose code cannot be exchanged with the sign-in error page (502), naming no internal URL', async () => {
        const browser = new Browser(app.url);
        const started = await browser.get('/sign-in');
        const callbackUrl = await signInThroughForms(
          started.location!,
          { username: 'demo', password: 'demo-password' },
          { cookieJar: browser.providerJar },
        );
        down = true;
        try {
          const callback = await browser.get(callbackUrl);
          assert.equal(callback.status, 502);
          assert.match(callback.headers.get('content-type') ?? '', /^text\/html/);
          assert.match(callback.body, /Error code: <code>(token_request_failed|discovery_failed)<\/code>/);
          assert.ok(!callback.body.includes(app.endpoint), 'the provider URL stays out of the answer');
          assert.doesNotMatch(callback.body, /127\.0\.0\.1/);
        } finally {
          down = false;
        }
      });
    });

    describe('web app (server store sessions)', () => {
      let app: WebAppUnderTest;
      const store = new MemoryStore();
      const healthy = { get: store.get.bind(store), set: store.set.bind(store) };
      const reported: unknown[] = [];
      before(async () => {
        app = await startWebApp((config) => adapter.webApp(config), {
          session: {
            secrets: [sessionSecret],
            store,
            logger: { debug: () => {}, error: (_message, error) => reported.push(error) },
          },
        });
      });
      after(() => app.close());

      it('keeps only a sealed id in the cookie, and sign-out destroys the stored session', async () => {
        const browser = new Browser(app.url);
        await browser.signIn();
        const signedIn = browser.cookieHeader();
        assert.ok(signedIn.length < 400, 'the cookie holds an id, not the tokens');
        assert.equal((await browser.get('/me')).status, 200);
        await browser.request('/sign-out', { method: 'POST', headers: { origin: app.url } });
        assert.equal((await fetch(`${app.url}/me`, { headers: { cookie: signedIn } })).status, 401);
      });

      it('answers 503 without a cookie or redirect when the session cannot be saved', async () => {
        reported.length = 0;
        // A sign-in start keeps its pending sign-in in the cookie; its completion needs the store.
        const browser = new Browser(app.url);
        const started = await browser.get('/sign-in');
        const callbackUrl = await signInThroughForms(
          started.location!,
          { username: 'demo', password: 'demo-password' },
          { cookieJar: browser.providerJar },
        );
        store.set = async () => {
          throw new Error('store unavailable');
        };
        try {
          const response = await fetch(callbackUrl, {
            redirect: 'manual',
            headers: { cookie: browser.cookieHeader() },
          });
          assert.equal(response.status, 503);
          assert.equal(response.headers.get('location'), null);
          assert.equal(response.headers.get('retry-after'), '5');
          assert.deepEqual(response.headers.getSetCookie(), []);
          assert.match(await response.text(), /session_store_unavailable/);
          assert.equal(reported.length, 1);
        } finally {
          store.set = healthy.set;
        }
      });

      it('answers 503 (JSON for API clients), not "signed out", when the session cannot be read', async () => {
        const browser = new Browser(app.url);
        await browser.signIn();
        store.get = async () => {
          throw new Error('store unavailable');
        };
        try {
          const api = await browser.get('/me', { accept: 'application/json' });
          assert.equal(api.status, 503);
          assert.deepEqual(JSON.parse(api.body), { error: 'Session store unavailable' });
          const page = await browser.get('/page', { accept: 'text/html' });
          assert.equal(page.status, 503);
          assert.match(page.body, /Temporarily unavailable/);
        } finally {
          store.get = healthy.get;
        }
        assert.equal((await browser.get('/me')).status, 200, 'signed in again once the store is back');
      });
    });

    // Last in this block: an adapter without an API guard of its own stops here.
    const api = adapter.api?.bind(adapter);
    if (!api) return;
    describe('API guard (requireAuth)', () => {
      const key = generateSigningKey('ES384');
      const provider = fakeProvider([key]);
      const verifier = createAccessTokenVerifier(
        { endpoint: provider.endpoint },
        { audience: shopping, fetch: provider.fetch },
      );
      const unreachable = fakeProvider([key]);
      unreachable.state.down = true;
      const down = createAccessTokenVerifier(
        { endpoint: unreachable.endpoint },
        { audience: shopping, fetch: unreachable.fetch },
      );
      const claims = (overrides: Record<string, unknown> = {}) =>
        claimsFor(provider.issuer, Math.floor(Date.now() / 1000), overrides);
      let server: Awaited<ReturnType<typeof listen>>;
      before(async () => {
        server = await listen();
        const handler: RequestListener = await api({ verifier, down });
        server.setHandler(handler);
      });
      after(() => server.close());
      const get = (path: string, authorization?: string) =>
        fetch(`${server.url}${path}`, { headers: authorization ? { authorization } : {} });

      it('lets a valid token through with the verified caller', async () => {
        const response = await get('/products', `Bearer ${accessToken(key, claims())}`);
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { sub: 'user-1', scopes: ['shopping:read'] });
      });

      const errorRows: ReadonlyArray<{
        name: string;
        authorization: () => string | undefined;
        path?: string;
        status: number;
        code: string;
        challenge: RegExp;
      }> = [
        {
          name: 'a missing Authorization header',
          authorization: () => undefined,
          status: 401,
          code: 'auth.authorization_header_missing',
          challenge: /^Bearer$/,
        },
        {
          name: 'a Basic scheme',
          authorization: () => 'Basic dXNlcjpwYXNz',
          status: 401,
          code: 'auth.authorization_token_type_not_supported',
          challenge: /error="invalid_request"/,
        },
        {
          name: 'a forged token',
          authorization: () => `Bearer ${accessToken(generateSigningKey('ES384'), claims(), { kid: key.kid })}`,
          status: 401,
          code: 'invalid_token',
          challenge: /^Bearer error="invalid_token"/,
        },
        {
          name: 'an expired token',
          authorization: () => `Bearer ${accessToken(key, claims({ exp: Math.floor(Date.now() / 1000) - 3600 }))}`,
          status: 401,
          code: 'invalid_token',
          challenge: /error="invalid_token"/,
        },
        {
          name: 'a missing scope',
          authorization: () => `Bearer ${accessToken(key, claims({ scope: 'store:read' }))}`,
          status: 403,
          code: 'insufficient_scope',
          challenge: /error="insufficient_scope".*scope="shopping:read"/,
        },
        {
          name: "another organization's token",
          path: '/organizations/org-globex/projects',
          authorization: () =>
            `Bearer ${accessToken(key, claims({ aud: 'urn:logto:organization:org-acme', scope: 'read:projects' }))}`,
          status: 401,
          code: 'invalid_token',
          challenge: /error="invalid_token"/,
        },
        {
          name: 'an unreachable provider (never a pass)',
          path: '/down',
          authorization: () =>
            `Bearer ${accessToken(key, claimsFor(unreachable.issuer, Math.floor(Date.now() / 1000)))}`,
          status: 503,
          code: 'provider_unavailable',
          challenge: /^$/,
        },
      ];
      for (const row of errorRows) {
        it(`answers ${row.status} ${row.code} for ${row.name}`, async () => {
          const response = await get(row.path ?? '/products', row.authorization());
          assert.equal(response.status, row.status);
          assert.match(response.headers.get('www-authenticate') ?? '', row.challenge);
          assert.equal(response.headers.get('cache-control'), 'no-store');
          assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
          assert.equal((await response.json()).code, row.code);
        });
      }

      it('reads the organization from the route and accepts its organization token', async () => {
        const acme = accessToken(key, claims({ aud: 'urn:logto:organization:org-acme', scope: 'read:projects' }));
        const response = await get('/organizations/org-acme/projects', `Bearer ${acme}`);
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { sub: 'user-1', organizationId: 'org-acme' });
      });
    });
  });
}
