import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CookieJar } from '../cookie-jar.ts';
import { createCsrfTokens } from '../csrf.ts';
import { findAlert, findTitle, parseForms } from '../html-form.ts';
import { SignInThrottle } from '../sign-in-throttle.ts';
import { confirmSignOut, FormFlowError, registerThroughForms, signInThroughForms } from '../testing.ts';
import { type Fixture, startFixture } from './test-support/oidc-fixture.ts';

interface OpenedPage {
  url: string;
  status: number;
  headers: Headers;
  html: string;
  jar: CookieJar;
}

/** Follows the authorization request's redirects to the interaction page, like a browser. */
async function openInteraction(fixture: Fixture, extra: Record<string, string> = {}, jar = new CookieJar()) {
  let url = fixture.authorizationUrl(extra);
  for (let step = 0; step < 10; step++) {
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(url) } });
    jar.store(url, response.headers);
    const location = response.headers.get('location');
    if (location) {
      url = new URL(location, url).href;
      continue;
    }
    return { url, status: response.status, headers: response.headers, html: await response.text(), jar };
  }
  throw new Error('too many redirects');
}

async function post(page: OpenedPage, action: string, fields: Record<string, string>): Promise<OpenedPage> {
  const url = new URL(action, page.url).href;
  const response = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: page.jar.header(url), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  page.jar.store(url, response.headers);
  return { url, status: response.status, headers: response.headers, html: await response.text(), jar: page.jar };
}

function csrfOf(page: OpenedPage): string {
  const token = parseForms(page.html, page.url)
    .flatMap((form) => form.inputs)
    .find((input) => input.name === 'csrf')?.value;
  assert.ok(token, 'the page carries a CSRF token');
  return token;
}

function signInForm(page: OpenedPage) {
  const form = parseForms(page.html, page.url).find((candidate) => candidate.action.endsWith('/login'));
  assert.ok(form, 'the page has the sign-in form');
  return form;
}

describe('interaction routes', () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await startFixture();
  });
  after(() => fixture.close());

  it('renders the sign-in page with the app name, the expected fields and protective headers', async () => {
    const page = await openInteraction(fixture);
    assert.equal(page.status, 200);
    assert.match(page.url, /\/interaction\/[A-Za-z0-9_-]+$/);
    assert.equal(findTitle(page.html), 'Sign in');
    assert.match(page.html, /Sample web app/);
    const form = signInForm(page);
    assert.equal(form.method, 'post');
    assert.deepEqual(
      form.inputs.map((input) => input.name),
      ['csrf', 'identifier', 'password'],
    );
    assert.match(page.html, /<button type="submit">Sign in<\/button>/);
    assert.match(page.html, /\?screen=register/);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  });

  it('completes an authorization code flow through the forms, granting consent without a page', async () => {
    const callback = await signInThroughForms(fixture.authorizationUrl({ state: 'flow-1' }), {
      username: 'demo',
      password: 'demo-password',
    });
    const url = new URL(callback);
    assert.equal(`${url.origin}${url.pathname}`, fixture.redirectUri);
    assert.equal(url.searchParams.get('state'), 'flow-1');
    assert.ok(url.searchParams.get('code'));
  });

  it('signs in with the email address as identifier', async () => {
    const callback = await signInThroughForms(fixture.authorizationUrl(), {
      username: 'demo@example.com',
      password: 'demo-password',
    });
    assert.ok(new URL(callback).searchParams.get('code'));
  });

  it('pre-fills the identifier from login_hint and escapes it (XSS attempt)', async () => {
    const attack = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    const page = await openInteraction(fixture, { login_hint: attack });
    assert.ok(!page.html.includes('<script>alert(1)'), 'the script tag is not injected');
    assert.ok(!page.html.includes('<img src=x'), 'the image tag is not injected');
    assert.match(page.html, /&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    const identifier = signInForm(page).inputs.find((input) => input.name === 'identifier');
    assert.equal(identifier?.value, attack, 'the hint round-trips as the field value');
  });

  it('answers a wrong password and an unknown user with the same message and no hint', async () => {
    const page = await openInteraction(fixture);
    const wrongPassword = await post(page, signInForm(page).action, {
      csrf: csrfOf(page),
      identifier: 'demo',
      password: 'not-the-password',
    });
    assert.equal(wrongPassword.status, 401);
    assert.equal(findAlert(wrongPassword.html), 'Incorrect username/email or password.');
    assert.equal(signInForm(wrongPassword).inputs.find((input) => input.name === 'identifier')?.value, 'demo');

    const unknownUser = await post(page, signInForm(page).action, {
      csrf: csrfOf(page),
      identifier: 'nobody-here',
      password: 'not-the-password',
    });
    assert.equal(unknownUser.status, 401);
    assert.equal(findAlert(unknownUser.html), 'Incorrect username/email or password.');
  });

  it('makes the helper throw a descriptive error for wrong credentials', async () => {
    await assert.rejects(
      signInThroughForms(fixture.authorizationUrl(), { username: 'alice', password: 'wrong' }),
      (error: unknown) =>
        error instanceof FormFlowError &&
        error.status === 401 &&
        /Incorrect username\/email or password/.test(error.message),
    );
  });

  it('drives the flow with an injected fetch', async () => {
    const requested: string[] = [];
    const countingFetch: typeof fetch = (input, init) => {
      requested.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    };
    await signInThroughForms(
      fixture.authorizationUrl(),
      { username: 'demo', password: 'demo-password' },
      { fetch: countingFetch },
    );
    assert.equal(requested[0], 'GET /auth');
    assert.ok(
      requested.some((line) => /^POST \/interaction\/[^/]+\/login$/.test(line)),
      requested.join('\n'),
    );
    assert.ok(!requested.some((line) => line.includes('/callback')), 'the redirect URI is never requested');
  });

  it('starts the flow at an app route that redirects to the authorization URL, keeping its cookies', async () => {
    const app = createServer((_request, response) => {
      response.writeHead(302, {
        location: fixture.authorizationUrl({ state: 'from-app' }),
        'set-cookie': 'app-session=pending; Path=/; HttpOnly',
      });
      response.end();
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    try {
      const jar = new CookieJar();
      const callback = await signInThroughForms(
        `${appUrl}/sign-in`,
        { username: 'demo', password: 'demo-password' },
        { cookieJar: jar },
      );
      const url = new URL(callback);
      assert.equal(`${url.origin}${url.pathname}`, fixture.redirectUri);
      assert.equal(url.searchParams.get('state'), 'from-app');
      // Cookies are per host, not per port (as in browsers): the provider's share the jar.
      assert.ok(jar.header(`${appUrl}/callback`).includes('app-session=pending'));
    } finally {
      app.close();
    }
  });

  it('makes the helpers throw for an authorization request the server refuses', async () => {
    await assert.rejects(
      signInThroughForms(fixture.authorizationUrl({ client_id: 'unknown-app' }), {
        username: 'demo',
        password: 'demo-password',
      }),
      (error: unknown) =>
        error instanceof FormFlowError && error.status === 400 && /client is invalid/.test(error.message),
    );
  });

  it('refuses a POST without a CSRF token, or with a token of another interaction (403)', async () => {
    const page = await openInteraction(fixture);
    const action = signInForm(page).action;
    const missing = await post(page, action, { identifier: 'demo', password: 'demo-password' });
    assert.equal(missing.status, 403);
    assert.match(findAlert(missing.html) ?? '', /security token/);

    const other = await openInteraction(fixture);
    const foreign = await post(page, action, { csrf: csrfOf(other), identifier: 'demo', password: 'demo-password' });
    assert.equal(foreign.status, 403);

    const forged = await post(page, action, {
      csrf: createCsrfTokens().issue(new URL(page.url).pathname.split('/').at(-1) ?? ''),
      identifier: 'demo',
      password: 'demo-password',
    });
    assert.equal(forged.status, 403, 'a token made with another secret is refused');

    const registerAction = action.replace(/\/login$/, '/register');
    const register = await post(page, registerAction, { username: 'csrf_victim', password: 'long-enough-password' });
    assert.equal(register.status, 403);
    assert.equal(fixture.accounts.accounts.has('csrf_victim'), false, 'no account was created');

    const ok = await post(page, action, { csrf: csrfOf(page), identifier: 'demo', password: 'demo-password' });
    assert.equal(ok.status, 303, 'the genuine form still works');
  });

  it('refuses a form posted to an interaction the browser does not hold', async () => {
    const mine = await openInteraction(fixture);
    const theirs = await openInteraction(fixture);
    const theirAction = signInForm(theirs).action;
    // The attacker knows the victim's interaction path and token but not the browser's cookie.
    const response = await post(mine, theirAction, {
      csrf: csrfOf(theirs),
      identifier: 'demo',
      password: 'demo-password',
    });
    assert.equal(response.status, 400);
    assert.match(findAlert(response.html) ?? '', /expired or was started in another browser/);
  });

  it('shows an expiry page for an unknown interaction', async () => {
    const response = await fetch(`${fixture.url}/interaction/unknown-uid`);
    assert.equal(response.status, 400);
    assert.match(findAlert(await response.text()) ?? '', /expired/);
  });

  it('refuses a form that is not urlencoded (415), too large (413), or a wrong method (405)', async () => {
    const page = await openInteraction(fixture);
    const action = signInForm(page).action;
    const json = await fetch(action, {
      method: 'POST',
      headers: { cookie: page.jar.header(action), 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: 'demo', password: 'demo-password', csrf: csrfOf(page) }),
    });
    assert.equal(json.status, 415);
    const get = await fetch(action, { headers: { cookie: page.jar.header(action) } });
    assert.equal(get.status, 405);
    const oversized = await post(page, action, {
      csrf: csrfOf(page),
      identifier: 'demo',
      password: 'x'.repeat(20_000),
    });
    assert.equal(oversized.status, 413);
  });

  it('passes other paths to the next middleware', async () => {
    const response = await fetch(`${fixture.url}/.well-known/openid-configuration`);
    assert.equal(response.status, 200);
  });

  for (const [name, extra] of [
    ['first_screen=register', { first_screen: 'register' }],
    ['first_screen=identifier:register', { first_screen: 'identifier:register' }],
    ['interaction_mode=signUp', { interaction_mode: 'signUp' }],
  ] as const) {
    it(`shows the registration page first for ${name}`, async () => {
      const page = await openInteraction(fixture, extra);
      assert.equal(page.status, 200);
      assert.equal(findTitle(page.html), 'Create account');
      const form = parseForms(page.html, page.url).find((candidate) => candidate.action.endsWith('/register'));
      assert.deepEqual(
        form?.inputs.map((input) => input.name),
        ['csrf', 'username', 'email', 'password'],
      );
      assert.match(page.html, /<button type="submit">Create account<\/button>/);
    });
  }

  it('pre-fills the registration page from login_hint: an email, or else the username', async () => {
    const byEmail = await openInteraction(fixture, { first_screen: 'register', login_hint: 'new@example.com' });
    assert.match(byEmail.html, /name="email" type="email" autocomplete="email" value="new@example.com"/);
    const byName = await openInteraction(fixture, { first_screen: 'register', login_hint: 'newbie' });
    const form = parseForms(byName.html, byName.url).find((candidate) => candidate.action.endsWith('/register'));
    assert.equal(form?.inputs.find((input) => input.name === 'username')?.value, 'newbie');
    assert.equal(form?.inputs.find((input) => input.name === 'email')?.value, '');
  });

  it('shows the sign-in page for first_screen=sign_in and interaction_mode=signIn', async () => {
    const requests: Array<Record<string, string>> = [{ first_screen: 'sign_in' }, { interaction_mode: 'signIn' }];
    for (const extra of requests) {
      const page = await openInteraction(fixture, extra);
      assert.equal(findTitle(page.html), 'Sign in');
    }
  });

  it('switches between the screens with the links', async () => {
    const page = await openInteraction(fixture, { first_screen: 'register' });
    const toSignIn = await fetch(`${page.url}?screen=sign-in`, { headers: { cookie: page.jar.header(page.url) } });
    assert.equal(findTitle(await toSignIn.text()), 'Sign in');
    const toRegister = await fetch(`${page.url}?screen=register`, { headers: { cookie: page.jar.header(page.url) } });
    assert.equal(findTitle(await toRegister.text()), 'Create account');
  });

  it('registers an account and signs it in', async () => {
    const callback = await registerThroughForms(fixture.authorizationUrl({ first_screen: 'register', state: 'reg' }), {
      username: 'new_user',
      email: 'new@example.com',
      password: 'new-user-password',
    });
    const url = new URL(callback);
    assert.equal(url.searchParams.get('state'), 'reg');
    assert.ok(url.searchParams.get('code'));
    assert.equal(await fixture.accounts.exists('new@example.com'), true);
    // The new account signs in with its password.
    const again = await signInThroughForms(fixture.authorizationUrl(), {
      username: 'new_user',
      password: 'new-user-password',
    });
    assert.ok(new URL(again).searchParams.get('code'));
  });

  it('shows account errors on the registration page and keeps the entered values', async () => {
    const page = await openInteraction(fixture, { first_screen: 'register' });
    const action = new URL(`${new URL(page.url).pathname}/register`, page.url).href;
    const taken = await post(page, action, { csrf: csrfOf(page), username: 'alice', password: 'long-enough-password' });
    assert.equal(taken.status, 400);
    assert.equal(findTitle(taken.html), 'Create account');
    assert.equal(findAlert(taken.html), 'That username is already taken.');
    assert.match(taken.html, /value="alice"/);

    const invalid = await post(page, action, {
      csrf: csrfOf(page),
      username: '1<b>',
      password: 'long-enough-password',
    });
    assert.equal(findAlert(invalid.html), 'That username is not valid.', 'a fallback message when the error has none');
    assert.ok(!invalid.html.includes('1<b>'), 'the entered value is escaped');

    await assert.rejects(
      registerThroughForms(fixture.authorizationUrl({ first_screen: 'register' }), {
        username: 'shorty',
        password: 'short',
      }),
      /Use at least 8 characters/,
    );
  });

  it('returns to the app with access_denied when the user cancels', async () => {
    const page = await openInteraction(fixture, { state: 'cancel' });
    const abort = await post(page, `${new URL(page.url).pathname}/abort`, { csrf: csrfOf(page) });
    assert.equal(abort.status, 303);
    let location = new URL(abort.headers.get('location') ?? '', page.url).href;
    // The provider's resume endpoint redirects to the app with the error.
    const resumed = await fetch(location, { redirect: 'manual', headers: { cookie: page.jar.header(location) } });
    location = resumed.headers.get('location') ?? '';
    const url = new URL(location);
    assert.equal(url.searchParams.get('error'), 'access_denied');
    assert.equal(url.searchParams.get('state'), 'cancel');
  });

  it('keeps the session in a shared cookie jar and ends it on sign-out confirmation', async () => {
    const jar = new CookieJar();
    await signInThroughForms(
      fixture.authorizationUrl(),
      { username: 'demo', password: 'demo-password' },
      { cookieJar: jar },
    );
    // Signed in: the wrong password is never asked for, the session is reused.
    const reused = await signInThroughForms(
      fixture.authorizationUrl({ state: 'again' }),
      { username: 'demo', password: 'wrong' },
      { cookieJar: jar },
    );
    assert.equal(new URL(reused).searchParams.get('state'), 'again');

    const endSession = `${fixture.url}/session/end?${new URLSearchParams({
      client_id: 'sample-web-app',
      post_logout_redirect_uri: 'http://app.test/',
    })}`;
    const page = await fetch(endSession, { headers: { cookie: jar.header(endSession) } });
    const html = await page.text();
    assert.equal(findTitle(html), 'Signing out…');
    assert.match(html, /<input type="hidden" form="op\.logoutForm" value="yes" name="logout">/);

    assert.equal(await confirmSignOut(endSession, jar), 'http://app.test/');
    await assert.rejects(
      signInThroughForms(fixture.authorizationUrl(), { username: 'demo', password: 'wrong' }, { cookieJar: jar }),
      /Incorrect username\/email or password/,
      'after sign-out the form is shown again',
    );
  });

  it('shows the signed-out page when no post-logout redirect is given', async () => {
    const jar = new CookieJar();
    await signInThroughForms(
      fixture.authorizationUrl(),
      { username: 'demo', password: 'demo-password' },
      { cookieJar: jar },
    );
    const final = await confirmSignOut(`${fixture.url}/session/end`, { cookieJar: jar });
    const html = await (await fetch(final, { headers: { cookie: jar.header(final) } })).text();
    assert.equal(findTitle(html), 'Signed out');
  });
});

describe('failed sign-in limit', () => {
  let clock = Date.parse('2026-01-01T00:00:00Z');
  let fixture: Fixture;
  before(async () => {
    fixture = await startFixture({
      now: () => clock,
      throttle: new SignInThrottle({ now: () => clock, perAccount: 5, perIp: 8, windowMs: 5 * 60_000 }),
    });
  });
  after(() => fixture.close());

  it('answers 429 after 5 failures for an identifier, even with the right password, until the window passes', async () => {
    const page = await openInteraction(fixture);
    const action = signInForm(page).action;
    for (let attempt = 1; attempt <= 5; attempt++) {
      const failed = await post(page, action, { csrf: csrfOf(page), identifier: 'demo', password: `wrong-${attempt}` });
      assert.equal(failed.status, 401, `attempt ${attempt} is checked`);
    }
    const blocked = await post(page, action, { csrf: csrfOf(page), identifier: 'demo', password: 'demo-password' });
    assert.equal(blocked.status, 429);
    assert.equal(findAlert(blocked.html), 'Too many attempts, try again later.');
    assert.equal(blocked.headers.get('retry-after'), '300');

    clock += 4 * 60_000;
    const stillBlocked = await post(page, action, {
      csrf: csrfOf(page),
      identifier: 'demo',
      password: 'demo-password',
    });
    assert.equal(stillBlocked.status, 429);
    assert.equal(stillBlocked.headers.get('retry-after'), '60');

    clock += 60_000 + 1;
    const allowed = await post(page, action, { csrf: csrfOf(page), identifier: 'demo', password: 'demo-password' });
    assert.equal(allowed.status, 303);
  });

  it('limits failures per client IP across identifiers', async () => {
    clock += 10 * 60_000;
    const page = await openInteraction(fixture);
    const action = signInForm(page).action;
    for (let attempt = 1; attempt <= 8; attempt++) {
      const failed = await post(page, action, { csrf: csrfOf(page), identifier: `user-${attempt}`, password: 'x' });
      assert.equal(failed.status, 401);
    }
    const blocked = await post(page, action, { csrf: csrfOf(page), identifier: 'alice', password: 'alice-password' });
    assert.equal(blocked.status, 429);
    clock += 5 * 60_000 + 1;
  });
});
