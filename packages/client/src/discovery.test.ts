import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getDiscovery, issuerFromEndpoint } from './discovery.ts';
import { LogtoError } from './errors.ts';
import { deferred, fakeFetch, json, uniqueIssuer } from './test-support/fake-fetch.ts';

function documentFor(issuer: string): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    userinfo_endpoint: `${issuer}/me`,
  };
}

describe('getDiscovery', () => {
  it('fetches the well-known document of the issuer', async () => {
    const issuer = uniqueIssuer();
    const { fetch, calls } = fakeFetch(() => json(documentFor(issuer)));
    const document = await getDiscovery(issuer, { fetch });
    assert.equal(document.token_endpoint, `${issuer}/token`);
    assert.deepEqual(
      calls.map((call) => call.url),
      [`${issuer}/.well-known/openid-configuration`],
    );
    assert.ok(calls[0]?.init?.signal instanceof AbortSignal, 'the request is bounded in time');
  });

  it('shares one request among concurrent callers (single-flight)', async () => {
    const issuer = uniqueIssuer();
    const gate = deferred<void>();
    const { fetch, calls } = fakeFetch(async () => {
      await gate.promise;
      return json(documentFor(issuer));
    });
    const all = Promise.all(Array.from({ length: 50 }, () => getDiscovery(issuer, { fetch })));
    gate.resolve();
    const documents = await all;
    assert.equal(calls.length, 1);
    assert.ok(documents.every((document) => document === documents[0]));
  });

  it('reuses the document until the TTL passes on the injected clock', async () => {
    const issuer = uniqueIssuer();
    let time = 1_000_000;
    const now = () => time;
    const { fetch, calls } = fakeFetch(() => json(documentFor(issuer)));
    await getDiscovery(issuer, { fetch, now, ttlMs: 60_000 });
    time += 59_999;
    await getDiscovery(issuer, { fetch, now, ttlMs: 60_000 });
    assert.equal(calls.length, 1);
    time += 1;
    await getDiscovery(issuer, { fetch, now, ttlMs: 60_000 });
    assert.equal(calls.length, 2);
  });

  it("a second caller with its own fetch, clock, TTL or timeout is served through them, not the first caller's", async () => {
    const issuer = uniqueIssuer();
    const first = fakeFetch(() => json(documentFor(issuer)));
    await getDiscovery(issuer, { fetch: first.fetch });
    const second = fakeFetch(() => json({ ...documentFor(issuer), jwks_uri: `${issuer}/second-jwks` }));
    assert.equal((await getDiscovery(issuer, { fetch: second.fetch })).jwks_uri, `${issuer}/second-jwks`);
    assert.equal(second.calls.length, 1);
    for (const options of [{ now: () => 0 }, { ttlMs: 1000 }, { timeoutMs: 1000 }]) {
      await getDiscovery(issuer, { fetch: first.fetch, ...options });
    }
    assert.equal(first.calls.length, 4, 'one document per clock, TTL and timeout');
    await getDiscovery(issuer, { fetch: first.fetch, now: Date.now, ttlMs: 600_000, timeoutMs: 5000 });
    assert.equal(first.calls.length, 4, 'the defaults spelt out are the same options');
  });

  it('never caches a failure: the next call fetches again', async () => {
    const issuer = uniqueIssuer();
    let fail = true;
    const { fetch, calls } = fakeFetch(() =>
      fail ? new Response('down', { status: 503 }) : json(documentFor(issuer)),
    );
    await assert.rejects(getDiscovery(issuer, { fetch }), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.code, 'discovery_failed');
      assert.match(error.message, /503/);
      return true;
    });
    fail = false;
    const document = await getDiscovery(issuer, { fetch });
    assert.equal(document.issuer, issuer);
    assert.equal(calls.length, 2);
  });

  it('serves the last good document while the provider is unreachable, retrying every 30 s', async () => {
    const issuer = uniqueIssuer();
    let time = 1_000_000;
    const now = () => time;
    let up = true;
    const { fetch, calls } = fakeFetch(() => (up ? json(documentFor(issuer)) : new Response('down', { status: 503 })));
    const first = await getDiscovery(issuer, { fetch, now, ttlMs: 60_000 });
    up = false;
    time += 60_000;
    assert.equal(await getDiscovery(issuer, { fetch, now, ttlMs: 60_000 }), first);
    assert.equal(calls.length, 2);
    time += 29_999;
    await getDiscovery(issuer, { fetch, now, ttlMs: 60_000 });
    assert.equal(calls.length, 2, 'no retry within 30 s');
    time += 1;
    up = true;
    await getDiscovery(issuer, { fetch, now, ttlMs: 60_000 });
    assert.equal(calls.length, 3);
  });

  it('does not serve a stale document once the provider names another issuer', async () => {
    const issuer = uniqueIssuer();
    let time = 1_000_000;
    const now = () => time;
    let document = documentFor(issuer);
    const { fetch } = fakeFetch(() => json(document));
    await getDiscovery(issuer, { fetch, now, ttlMs: 60_000 });
    document = documentFor('https://other.example.com/oidc');
    time += 60_000;
    await assert.rejects(getDiscovery(issuer, { fetch, now, ttlMs: 60_000 }), { code: 'discovery_issuer_mismatch' });
  });

  it('refuses a document that names another issuer', async () => {
    const issuer = uniqueIssuer();
    const { fetch } = fakeFetch(() => json(documentFor(`${issuer}/`)));
    await assert.rejects(getDiscovery(issuer, { fetch }), { code: 'discovery_issuer_mismatch' });
  });

  it('refuses a document without a token endpoint', async () => {
    const issuer = uniqueIssuer();
    const { token_endpoint: _omitted, ...rest } = documentFor(issuer);
    const { fetch } = fakeFetch(() => json(rest));
    await assert.rejects(getDiscovery(issuer, { fetch }), { code: 'discovery_failed' });
  });

  it('refuses an endpoint that is not an http(s) URL', async () => {
    const issuer = uniqueIssuer();
    const { fetch } = fakeFetch(() => json({ ...documentFor(issuer), end_session_endpoint: 'javascript:alert(1)' }));
    await assert.rejects(getDiscovery(issuer, { fetch }), { code: 'discovery_failed' });
  });

  it('refuses a body that is not JSON', async () => {
    const issuer = uniqueIssuer();
    const { fetch } = fakeFetch(() => new Response('<html>', { status: 200 }));
    await assert.rejects(getDiscovery(issuer, { fetch }), { code: 'discovery_failed' });
  });

  it('turns a network error into discovery_failed', async () => {
    const issuer = uniqueIssuer();
    const { fetch } = fakeFetch(() => {
      throw new TypeError('fetch failed');
    });
    await assert.rejects(getDiscovery(issuer, { fetch }), { code: 'discovery_failed' });
  });

  it('aborts a request that outlives the timeout', async () => {
    const issuer = uniqueIssuer();
    const { fetch } = fakeFetch(
      (_url, init) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        }),
    );
    await assert.rejects(getDiscovery(issuer, { fetch, timeoutMs: 10 }), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.code, 'discovery_failed');
      assert.match(error.message, /timed out/);
      return true;
    });
  });
});

describe('issuerFromEndpoint', () => {
  it('appends /oidc to the endpoint without its trailing slash', () => {
    assert.equal(issuerFromEndpoint('http://localhost:3001'), 'http://localhost:3001/oidc');
    assert.equal(issuerFromEndpoint('https://tenant.logto.app/'), 'https://tenant.logto.app/oidc');
  });
});
