import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type DevServer, startDevServer } from '../server.ts';
import { authorizationRequest, browse, CookieJar, tokenRequest, webApp } from '../test-support/flow.ts';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** A browser holding one pending authorization request's cookies, speaking JSON to the Experience API. */
async function startInteraction(server: DevServer, extra: Record<string, string> = {}) {
  const jar = new CookieJar();
  const request = authorizationRequest(server, { extra });
  const authorization = await browse(jar, request.url);
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await browse(jar, `${server.url}/api/experience${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const json = (response.headers.get('content-type') ?? '').includes('json');
    const answered = json ? ((await response.json()) as Record<string, unknown>) : {};
    return { status: response.status, body: answered } as Answer;
  };
  return { jar, request, authorization, call };
}

const password = (username: string, value: string, type = 'username') => ({
  identifier: { type, value: username },
  password: value,
});

/** Follows the submit's `redirectTo` to the application and exchanges the code. */
async function finish(server: DevServer, jar: CookieJar, redirectTo: unknown, codeVerifier: string) {
  let next = new URL(String(redirectTo));
  for (let hop = 0; hop < 5 && next.origin === server.url; hop++) {
    const response = await browse(jar, next.href);
    next = new URL(response.headers.get('location') ?? '', next);
  }
  const code = next.searchParams.get('code');
  assert.ok(code, `a code in ${next.href}`);
  return tokenRequest(server, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: webApp.redirectUri,
    code_verifier: codeVerifier,
  });
}

describe('the Experience API', () => {
  let server: DevServer;
  before(async () => {
    server = await startDevServer({ port: 0, memory: true });
  });
  after(() => server.close());

  it("sends the browser to Logto's sign-in screen, then signs in with a password and resumes the authorization", async () => {
    const { jar, request, authorization, call } = await startInteraction(server);
    assert.equal(authorization.status, 303);
    assert.equal(authorization.headers.get('location'), '/sign-in?app_id=sample-web-app');

    assert.equal((await call('PUT', '', { interactionEvent: 'SignIn' })).status, 204);
    const verified = await call('POST', '/verification/password', password('demo', 'demo-password'));
    assert.equal(verified.status, 200);
    assert.equal(typeof verified.body.verificationId, 'string');
    assert.equal((await call('POST', '/identification', { verificationId: verified.body.verificationId })).status, 204);
    const submitted = await call('POST', '/submit', {});
    assert.equal(submitted.status, 200);
    assert.match(String(submitted.body.redirectTo), new RegExp(`^${server.issuer}/auth/[\\w-]+$`));

    const { status, body } = await finish(server, jar, submitted.body.redirectTo, request.codeVerifier);
    assert.equal(status, 200);
    assert.equal(typeof body.id_token, 'string');
  });

  it("answers a wrong password and an unknown user alike, with Logto's 422 session.invalid_credentials", async () => {
    const { call } = await startInteraction(server);
    await call('PUT', '', { interactionEvent: 'SignIn' });
    const wrong = await call('POST', '/verification/password', password('alice', 'not-her-password'));
    const unknown = await call('POST', '/verification/password', password('nobody', 'alice-password'));
    for (const answer of [wrong, unknown]) {
      assert.equal(answer.status, 422);
      assert.deepEqual(answer.body, {
        code: 'session.invalid_credentials',
        message: 'Incorrect account or password. Please check your input.',
      });
    }
    assert.equal((await call('POST', '/submit', {})).body.code, 'session.identifier_not_found', 'nobody is identified');
  });

  it('refuses an unknown verification id and a missing one', async () => {
    const { call } = await startInteraction(server);
    await call('PUT', '', { interactionEvent: 'SignIn' });
    const unknown = await call('POST', '/identification', { verificationId: 'not-a-verification' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'session.verification_session_not_found');
    const missing = await call('POST', '/identification', {});
    assert.equal(missing.status, 400);
    assert.equal(missing.body.code, 'guard.invalid_input');
  });

  it('registers a user (Register event), who can then sign in', async () => {
    const { jar, request, call } = await startInteraction(server, { first_screen: 'register' });
    assert.equal((await call('PUT', '', { interactionEvent: 'Register' })).status, 204);
    const taken = await call('POST', '/profile', { type: 'username', value: 'demo' });
    assert.deepEqual(taken, {
      status: 422,
      body: { code: 'user.username_already_in_use', message: 'This username is already in use.' },
    });
    assert.equal((await call('POST', '/profile', { type: 'username', value: 'new_person' })).status, 204);
    const early = await call('POST', '/identification', {});
    assert.equal(early.status, 422);
    assert.deepEqual(early.body.data, { missingProfile: ['password'] });
    const short = await call('POST', '/profile', { type: 'password', value: 'k9w' });
    assert.equal(short.status, 422);
    assert.deepEqual(short.body.data, [{ code: 'password_rejected.too_short', interpolation: { min: 8 } }]);
    assert.equal((await call('POST', '/profile', { type: 'password', value: 'a-long-Passw0rd' })).status, 204);
    assert.equal((await call('POST', '/identification', {})).status, 201);
    const submitted = await call('POST', '/submit', {});
    const { status, body } = await finish(server, jar, submitted.body.redirectTo, request.codeVerifier);
    assert.equal(status, 200, JSON.stringify(body));

    const again = await startInteraction(server);
    await again.call('PUT', '', { interactionEvent: 'SignIn' });
    assert.equal(
      (await again.call('POST', '/verification/password', password('new_person', 'a-long-Passw0rd'))).status,
      200,
    );
  });

  it('refuses a username longer than Logto stores (128 characters)', async () => {
    const { call } = await startInteraction(server);
    await call('PUT', '', { interactionEvent: 'Register' });
    const long = await call('POST', '/profile', { type: 'username', value: `a${'b'.repeat(128)}` });
    assert.equal(long.status, 400);
    assert.equal(long.body.code, 'guard.invalid_input');
  });

  it('needs the pending authorization: without its cookie session.not_found, before PUT interaction_not_found', async () => {
    const orphan = await fetch(`${server.url}/api/experience`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ interactionEvent: 'SignIn' }),
    });
    assert.equal(orphan.status, 400);
    assert.equal(((await orphan.json()) as Record<string, unknown>).code, 'session.not_found');

    const { call } = await startInteraction(server);
    const early = await call('POST', '/verification/password', password('demo', 'demo-password'));
    assert.equal(early.status, 404);
    assert.equal(early.body.code, 'session.interaction_not_found');
  });

  it('refuses a body that is not JSON, so a cross-site form cannot drive a sign-in', async () => {
    const { call } = await startInteraction(server);
    const form = await call('PUT', '', 'interactionEvent=SignIn', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(form.status, 400);
    const text = await call('PUT', '', '{"interactionEvent":"SignIn"}', { 'content-type': 'text/plain' });
    assert.equal(text.status, 400);
  });
});

describe('the failed sign-in limit, as an attacker tries it', () => {
  let server: DevServer;
  before(async () => {
    server = await startDevServer({ port: 0, memory: true });
  });
  after(() => server.close());

  const attempt = async (identifier: string, secret: string, type = 'username') => {
    const { call } = await startInteraction(server);
    await call('PUT', '', { interactionEvent: 'SignIn' });
    return call('POST', '/verification/password', password(identifier, secret, type));
  };

  it('counts failures per account: the email of a throttled username gets no fresh budget', async () => {
    for (let failure = 1; failure <= 5; failure++) {
      assert.equal((await attempt('demo', `wrong-${failure}`)).status, 422);
    }
    const byEmail = await attempt('demo@example.com', 'demo-password', 'email');
    assert.equal(byEmail.status, 400, 'the same account, typed another way');
    assert.equal(byEmail.body.code, 'session.verification_blocked_too_many_attempts');
    assert.match(
      String(byEmail.body.message),
      /^Too many attempts in a short time\. Please try again in \d+ minutes?\.$/,
    );
    assert.equal((await attempt('demo', 'demo-password')).status, 400, 'even with the right password');
  });

  it('does not reset an account when a look-alike account signs in', async () => {
    const { call } = await startInteraction(server);
    await call('PUT', '', { interactionEvent: 'Register' });
    await call('POST', '/profile', { type: 'username', value: 'Alice' });
    await call('POST', '/profile', { type: 'password', value: 'look-alike-Passw0rd' });
    assert.equal((await call('POST', '/identification', {})).status, 201);

    for (let failure = 1; failure <= 5; failure++) await attempt('alice', `wrong-${failure}`);
    assert.equal((await attempt('Alice', 'look-alike-Passw0rd')).status, 200, 'the look-alike signs in');
    assert.equal((await attempt('alice', 'alice-password')).status, 400, 'alice is still throttled');
  });
});

describe('the failed sign-in limit behind a proxy', () => {
  it('keys on the address the proxy saw, not on the X-Forwarded-For entries a client sends', async () => {
    const server = await startDevServer({ port: 0, memory: true, issuerBaseUrl: 'http://localhost:1' });
    try {
      const local = `http://localhost:${server.port}`;
      const attempt = async (spoofed: string, identifier: string) => {
        const jar = new CookieJar();
        const request = authorizationRequest({ ...server, issuer: `${local}/oidc` }, {});
        await browse(jar, request.url, { headers: { 'x-forwarded-for': `${spoofed}, 203.0.113.7` } });
        const call = (method: string, path: string, body: unknown) =>
          browse(jar, `${local}/api/experience${path}`, {
            method,
            headers: { 'content-type': 'application/json', 'x-forwarded-for': `${spoofed}, 203.0.113.7` },
            body: JSON.stringify(body),
          });
        await call('PUT', '', { interactionEvent: 'SignIn' });
        return (await call('POST', '/verification/password', password(identifier, 'wrong'))).status;
      };
      // 20 failures per address: each from a different made-up leftmost address and account name.
      for (let failure = 1; failure <= 20; failure++) {
        assert.equal(await attempt(`198.51.100.${failure}`, `user_${failure}`), 422);
      }
      assert.equal(await attempt('198.51.100.99', 'someone_else'), 400, 'the proxy-seen address is throttled');
    } finally {
      await server.close();
    }
  });
});

describe('security headers', () => {
  let server: DevServer;
  before(async () => {
    server = await startDevServer({ port: 0, memory: true });
  });
  after(() => server.close());

  it("sends Logto's security headers on OIDC, Experience API and page responses", async () => {
    const responses = [
      await fetch(`${server.issuer}/.well-known/openid-configuration`),
      await fetch(`${server.issuer}/token`, { method: 'POST' }),
      await fetch(`${server.url}/api/experience`, { method: 'PUT' }),
      await fetch(`${server.url}/sign-in`),
    ];
    for (const response of responses) {
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', response.url);
      assert.equal(response.headers.get('strict-transport-security'), 'max-age=15552000; includeSubDomains');
      assert.equal(response.headers.get('referrer-policy') === null, false);
      assert.match(
        response.headers.get('x-frame-options') ?? '',
        /^(SAMEORIGIN|DENY)$/,
        'never framed by another site',
      );
    }
  });
});
