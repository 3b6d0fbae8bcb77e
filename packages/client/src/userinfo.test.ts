// fetchUserInfo() when the userinfo endpoint is down or answers nonsense: a `userinfo_failed`
// error, never a sign-out and never unverified user data; and a userinfo answer is only taken for
// the signed-in subject.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogtoClient } from './client.ts';
import { LogtoError, type LogtoErrorCode } from './errors.ts';
import { MemoryStorage } from './storage.ts';
import { createFakeProvider, startSignIn } from './test-support/fake-provider.ts';

type Outage = (request: Request) => Response | Promise<Response>;

async function signedIn() {
  const provider = await createFakeProvider();
  const outage: { answer: Outage | undefined } = { answer: undefined };
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (outage.answer && new URL(request.url).pathname === '/oidc/me') return outage.answer(request);
    return provider.fetch(input, init);
  }) as typeof fetch;
  const client = new LogtoClient(
    { endpoint: provider.endpoint, appId: provider.appId, appSecret: provider.appSecret },
    { storage: new MemoryStorage(), fetch: fetchImpl, now: provider.now },
  );
  const { callbackUrl } = await startSignIn(client, provider);
  await client.handleSignInCallback(callbackUrl);
  return { client, provider, outage };
}

async function rejectsWith(promise: Promise<unknown>, code: LogtoErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof LogtoError, `expected a LogtoError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

const outages: readonly (readonly [string, Outage])[] = [
  [
    'unreachable',
    () => {
      throw new TypeError('fetch failed');
    },
  ],
  ['answering 500', () => Response.json({ error: 'server_error' }, { status: 500 })],
  ['answering 503 with an HTML page', () => new Response('<h1>Down</h1>', { status: 503 })],
  ['answering 200 with text that is not JSON', () => new Response('<h1>Maintenance</h1>', { status: 200 })],
  ['answering 200 with a JSON array', () => Response.json([{ sub: 'user-1' }])],
  ['answering 200 with JSON null', () => Response.json(null)],
  ['redirecting elsewhere', () => new Response(null, { status: 302, headers: { location: 'https://evil.example/' } })],
];

describe('fetchUserInfo() during a userinfo outage', () => {
  for (const [name, answer] of outages) {
    it(`throws userinfo_failed when the endpoint is ${name}, and stays signed in`, async () => {
      const { client, outage } = await signedIn();
      outage.answer = answer;
      await rejectsWith(client.fetchUserInfo(), 'userinfo_failed');
      assert.equal(await client.isAuthenticated(), true, 'an outage is not a sign-out');
      assert.notEqual(await client.getRefreshToken(), null);
      outage.answer = undefined;
      assert.equal((await client.fetchUserInfo()).sub, 'user-1', 'works again once the endpoint is back');
    });
  }
});

describe('fetchUserInfo() subject', () => {
  for (const sub of [undefined, '', 'user-10', 'user-', 'USER-1']) {
    it(`refuses a userinfo answer whose sub is ${JSON.stringify(sub)} (the ID token's is "user-1")`, async () => {
      const { client, provider } = await signedIn();
      provider.userinfo = { sub, name: 'Someone Else' };
      await rejectsWith(client.fetchUserInfo(), 'userinfo_sub_mismatch');
    });
  }
});
