// The sign-in pages as mounted by the real dev server (startDevServer): the protections hold there
// too, and the server's clock drives the failed sign-in limit.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CookieJar } from '../cookie-jar.ts';
import { findAlert, findTitle, parseForms } from '../html-form.ts';
import { type DevServer, startDevServer } from '../server.ts';
import { authorizationRequest } from '../test-support/flow.ts';
import { FormFlowError, signInThroughForms } from '../testing.ts';

interface Page {
  url: string;
  status: number;
  headers: Headers;
  html: string;
}

async function request(jar: CookieJar, url: string, form?: Record<string, string>): Promise<Page> {
  const headers: Record<string, string> = { cookie: jar.header(url) };
  if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const response = await fetch(url, {
    method: form ? 'POST' : 'GET',
    headers,
    redirect: 'manual',
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  jar.store(url, response.headers);
  return { url, status: response.status, headers: response.headers, html: await response.text() };
}

async function openPage(jar: CookieJar, url: string): Promise<Page> {
  let next = url;
  for (let hop = 0; hop < 10; hop++) {
    const page = await request(jar, next);
    const location = page.headers.get('location');
    if (!location) return page;
    next = new URL(location, next).href;
  }
  throw new Error('too many redirects');
}

function signInForm(page: Page) {
  const form = parseForms(page.html, page.url).find((candidate) => candidate.action.endsWith('/login'));
  assert.ok(form, `a sign-in form at ${page.url}`);
  const csrf = form.inputs.find((input) => input.name === 'csrf')?.value ?? '';
  return { action: form.action, csrf, form };
}

describe('sign-in pages on the dev server', () => {
  let clock = Date.now();
  let server: DevServer;
  before(async () => {
    server = await startDevServer({ port: 0, memory: true, now: () => clock });
  });
  after(() => server.close());

  it('shows the configured application name on the sign-in page', async () => {
    const page = await openPage(new CookieJar(), authorizationRequest(server).url);
    assert.equal(page.status, 200);
    assert.equal(findTitle(page.html), 'Sign in');
    assert.match(page.html, /to continue to Sample web app/);
  });

  it('escapes a script in login_hint', async () => {
    const attack = '"><script>alert(document.cookie)</script>';
    const page = await openPage(new CookieJar(), authorizationRequest(server, { extra: { login_hint: attack } }).url);
    assert.ok(!page.html.includes('<script>alert'), 'not injected');
    assert.equal(signInForm(page).form.inputs.find((input) => input.name === 'identifier')?.value, attack);
  });

  it('opens registration first for first_screen=register and interaction_mode=signUp', async () => {
    const requests: Array<Record<string, string>> = [{ first_screen: 'register' }, { interaction_mode: 'signUp' }];
    for (const extra of requests) {
      const page = await openPage(new CookieJar(), authorizationRequest(server, { extra }).url);
      assert.equal(findTitle(page.html), 'Create account', JSON.stringify(extra));
    }
  });

  it('refuses a sign-in POST without the CSRF token', async () => {
    const jar = new CookieJar();
    const page = await openPage(jar, authorizationRequest(server).url);
    const { action } = signInForm(page);
    const refused = await request(jar, action, { identifier: 'demo', password: 'demo-password' });
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('location'), null, 'not signed in');
  });

  it('limits failed sign-ins per identifier with the server clock: 429, then allowed after the window', async () => {
    const jar = new CookieJar();
    const page = await openPage(jar, authorizationRequest(server).url);
    const { action, csrf } = signInForm(page);
    for (let attempt = 0; attempt < 5; attempt++) {
      const failed = await request(jar, action, { csrf, identifier: 'alice', password: `guess-${attempt}` });
      assert.equal(failed.status, 401);
      assert.equal(findAlert(failed.html), 'Incorrect username/email or password.');
    }
    const blocked = await request(jar, action, { csrf, identifier: 'alice', password: 'alice-password' });
    assert.equal(blocked.status, 429);
    assert.equal(findAlert(blocked.html), 'Too many attempts, try again later.');
    await assert.rejects(
      signInThroughForms(authorizationRequest(server).url, { username: 'alice', password: 'alice-password' }),
      (error: unknown) => error instanceof FormFlowError && error.status === 429,
    );

    clock += 5 * 60_000 + 1;
    const allowed = await request(jar, action, { csrf, identifier: 'alice', password: 'alice-password' });
    assert.equal(allowed.status, 303);
  });

  it("answers the provider's errors at /oidc/auth as Logto's JSON, never as a page that could run the input", async () => {
    const url = `${server.issuer}/auth?${new URLSearchParams({
      client_id: '<script>alert(1)</script>',
      response_type: 'code',
      redirect_uri: 'http://localhost:3000/callback',
      scope: 'openid',
    })}`;
    const response = await fetch(url, { redirect: 'manual' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.code, 'oidc.invalid_client');
    assert.equal(body.error, 'invalid_client');
    assert.equal(body.message, 'An OIDC error occurred: oidc.invalid_client.');
  });
});
