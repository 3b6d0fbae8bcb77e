// Outages and slow providers: each of discovery, JWKS, token and userinfo made to hang, answer 500,
// answer HTML, or drop the connection. Every request gets a bounded-time, typed refusal — an error
// page (web app) or 503 `provider_unavailable` (API guard) — and never a signed-in or authorized
// result. Cached keys keep verifying while the provider is down, and recovery needs no restart.
// No sleeps: hanging handlers and short timeouts.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import {
  type AccessTokenVerifier,
  ApiAuthError,
  authErrorResponse,
  authenticateRequest,
  createAccessTokenVerifier,
} from '@logto-kit/api';
import { requireAuth } from '@logto-kit/express';
import express from 'express';
import { type Fault, type HostileProvider, startHostileProvider } from '../fixtures/hostile-provider.ts';
import { Browser, errorCodeOf, type Page, startWebApp } from './web-harness.ts';

/**
 * The configured timeout while the provider misbehaves. Short, yet long enough for honest local
 * requests on a loaded CI machine; recovery checks use the 5 s default.
 */
const timeoutMs = 1500;
/** A refusal must come before the 5 s default timeout could have fired: the configured one bounded it. */
const boundMs = 4500;
const faults: readonly Fault[] = ['hang', 'error-500', 'html', 'close'];
const audience = 'https://api.security.test';

async function timed<T>(action: () => Promise<T>, limitMs = boundMs): Promise<T> {
  const started = performance.now();
  const result = await action();
  const elapsed = performance.now() - started;
  assert.ok(elapsed < limitMs, `answered in ${Math.round(elapsed)} ms, within ${limitMs} ms`);
  return result;
}

interface WebOutageRow {
  readonly endpoint: 'discovery' | 'jwks' | 'token' | 'userinfo';
  /** What the user does while the endpoint fails, and which answer shows the refusal. */
  readonly attempt: (browser: Browser) => Promise<Page | undefined>;
  readonly code: string;
  readonly status: number;
}

const webRows: readonly WebOutageRow[] = [
  {
    endpoint: 'discovery',
    attempt: async (browser) => (await browser.signIn()).start,
    code: 'discovery_failed',
    status: 502,
  },
  {
    endpoint: 'jwks',
    attempt: async (browser) => (await browser.signIn()).callback,
    code: 'jwks_unavailable',
    status: 502,
  },
  {
    endpoint: 'token',
    attempt: async (browser) => (await browser.signIn()).callback,
    code: 'token_request_failed',
    status: 502,
  },
  {
    endpoint: 'userinfo',
    attempt: async (browser) => {
      await browser.signIn();
      return browser.get('/me/userinfo');
    },
    code: 'userinfo_failed',
    status: 401,
  },
];

describe('security: the web app during provider outages', () => {
  for (const row of webRows) {
    for (const fault of faults) {
      it(`${row.endpoint} ${fault}: an error page with ${row.code} in bounded time, nobody signed in, recovery without restart`, async () => {
        const provider = await startHostileProvider();
        // Read by every per-request client: shortened while the provider misbehaves.
        const clientOptions = { timeoutMs };
        const app = await startWebApp(provider, { clientOptions });
        try {
          provider.misbehave = { faults: { [row.endpoint]: fault } };
          const browser = new Browser(app.url);
          const answer = await timed(() => row.attempt(browser));
          assert.ok(answer, 'the failing step was reached');
          assert.equal(answer.status, row.status, answer.body);
          assert.equal(errorCodeOf(answer), row.code);
          if (row.endpoint !== 'userinfo') {
            assert.equal((await browser.get('/me')).status, 401, 'not signed in');
          } else {
            assert.doesNotMatch(answer.body, /Hostile Test User/, 'no user data without userinfo');
          }

          provider.misbehave = {};
          clientOptions.timeoutMs = 5000;
          const recovered = new Browser(app.url);
          const { callback } = await recovered.signIn();
          assert.equal(callback?.status, 302, 'the next sign-in works once the provider is back');
          if (row.endpoint === 'userinfo') assert.equal((await recovered.get('/me/userinfo')).status, 200);
          else assert.equal((await recovered.get('/me')).status, 200);
        } finally {
          await app.close();
          await provider.close();
        }
      });
    }
  }

  it('a token endpoint that refuses the code (400 invalid_grant) is a bad callback (400), not an outage', async () => {
    const provider = await startHostileProvider();
    const app = await startWebApp(provider, { clientOptions: { timeoutMs } });
    try {
      provider.misbehave = {
        authorizationResponse: (params) => params.set('code', 'a-code-the-provider-never-issued'),
      };
      const browser = new Browser(app.url);
      const { callback } = await browser.signIn();
      assert.equal(callback?.status, 400);
      assert.equal(callback && errorCodeOf(callback), 'token_request_failed');
      assert.match(callback?.body ?? '', /invalid_grant/);
      assert.equal((await browser.get('/me')).status, 401);
    } finally {
      await app.close();
      await provider.close();
    }
  });

  it('signs in with cached keys and the last good discovery document while discovery and JWKS hang', async () => {
    const provider = await startHostileProvider();
    let now = Date.now();
    const app = await startWebApp(provider, { clientOptions: { timeoutMs, now: () => now } });
    try {
      const first = new Browser(app.url);
      assert.equal((await first.signIn()).callback?.status, 302);
      provider.misbehave = { faults: { discovery: 'hang', jwks: 'hang' } };
      now += 11 * 60 * 1000; // past the 10-minute TTL of discovery and keys
      const second = new Browser(app.url);
      // Two requests time out in turn (discovery, then JWKS), each bounded by the configured timeout.
      const { callback } = await timed(() => second.signIn(), 2 * timeoutMs + 3000);
      assert.equal(callback?.status, 302, callback?.body);
      assert.equal((await second.get('/me')).status, 200);
      assert.ok(provider.hits.jwks >= 2, 'the keys were refetched (and the refetch failed)');
    } finally {
      await app.close();
      await provider.close();
    }
  });
});

async function startApi(
  provider: HostileProvider,
  now?: () => number,
): Promise<{ url: string; server: Server; verifier: AccessTokenVerifier }> {
  const verifier = createAccessTokenVerifier(
    { endpoint: provider.endpoint },
    { audience, timeoutMs, cache: false, ...(now ? { now } : {}) },
  );
  const app = express();
  app.get('/things', requireAuth({ verifier }), (req, res) => {
    res.json({ sub: req.auth?.sub });
  });
  const server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/things`, server, verifier };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

function accessToken(provider: HostileProvider, overrides: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return provider.sign(
    { iss: provider.issuer, sub: 'user-1', aud: audience, iat: now, exp: now + 3600, scope: '', ...overrides },
    { header: { typ: 'at+jwt' } },
  );
}

async function get(url: string, token: string): Promise<{ status: number; body: { code?: string; sub?: string } }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as { code?: string; sub?: string } };
}

describe('security: the API guard during provider outages', () => {
  for (const endpoint of ['discovery', 'jwks'] as const) {
    for (const fault of faults) {
      it(`${endpoint} ${fault} with no cached keys: 503 provider_unavailable in bounded time (requireAuth and authenticateRequest), then recovery`, async () => {
        const provider = await startHostileProvider();
        const api = await startApi(provider);
        try {
          const token = await accessToken(provider);
          provider.misbehave = { faults: { [endpoint]: fault } };
          const refused = await timed(() => get(api.url, token));
          assert.equal(refused.status, 503);
          assert.equal(refused.body.code, 'provider_unavailable');
          assert.equal(refused.body.sub, undefined);

          const request = new Request('http://api.test/things', { headers: { authorization: `Bearer ${token}` } });
          const error = await timed(() =>
            authenticateRequest(request, { verifier: api.verifier, audience }).then(
              () => assert.fail('authorized while the provider is down'),
              (reason: unknown) => reason,
            ),
          );
          assert.ok(error instanceof ApiAuthError);
          assert.equal(error.code, 'provider_unavailable');
          const response = authErrorResponse(error);
          assert.equal(response.status, 503);
          assert.equal(
            response.headers.get('www-authenticate'),
            null,
            'no Bearer challenge: the token is not at fault',
          );

          provider.misbehave = {};
          const recovered = await get(api.url, token);
          assert.equal(recovered.status, 200);
          assert.equal(recovered.body.sub, 'user-1');
        } finally {
          await stop(api.server);
          await provider.close();
        }
      });
    }
  }

  for (const fault of faults) {
    it(`JWKS ${fault} after keys were cached: known keys keep verifying, an unknown kid is refused (401), forgeries still fail`, async () => {
      const provider = await startHostileProvider();
      let now = Date.now();
      const api = await startApi(provider, () => now);
      try {
        assert.equal((await get(api.url, await accessToken(provider))).status, 200);
        provider.misbehave = { faults: { jwks: fault, discovery: fault } };
        now += 11 * 60 * 1000; // the keys are stale: the refetch fails, the stale keys are used

        const second = await accessToken(provider, { jti: 'second' });
        const stale = await timed(() => get(api.url, second));
        assert.equal(stale.status, 200);

        const rotated = await provider.createKey();
        const unknownKid = await provider.sign(
          { iss: provider.issuer, sub: 'user-1', aud: audience, exp: 1e10 },
          { key: rotated, header: { typ: 'at+jwt' } },
        );
        const unknown = await timed(() => get(api.url, unknownKid));
        assert.equal(unknown.status, 401);
        assert.equal(unknown.body.code, 'invalid_token');

        const expired = await get(api.url, await accessToken(provider, { iat: 1, exp: 2 }));
        assert.equal(expired.status, 401, 'an outage relaxes no check');
      } finally {
        await stop(api.server);
        await provider.close();
      }
    });
  }
});
