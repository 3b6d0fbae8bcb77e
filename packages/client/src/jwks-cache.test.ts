import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogtoError } from './errors.ts';
import { JwksCache } from './jwks-cache.ts';
import { deferred, fakeFetch, json, uniqueIssuer } from './test-support/fake-fetch.ts';

const keyA = { kty: 'EC', crv: 'P-384', kid: 'a', use: 'sig', alg: 'ES384', x: 'x', y: 'y' };
const keyB = { kty: 'EC', crv: 'P-384', kid: 'b', use: 'sig', alg: 'ES384', x: 'x', y: 'y' };

function clock(start = 1_000_000) {
  let time = start;
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

describe('JwksCache', () => {
  it('shares one request among concurrent callers (single-flight)', async () => {
    const gate = deferred<void>();
    const { fetch, calls } = fakeFetch(async () => {
      await gate.promise;
      return json({ keys: [keyA] });
    });
    const cache = new JwksCache(`${uniqueIssuer()}/jwks`, { fetch });
    const all = Promise.all(Array.from({ length: 100 }, () => cache.getKeys()));
    gate.resolve();
    const results = await all;
    assert.equal(calls.length, 1);
    assert.deepEqual(results[0], [keyA]);
  });

  it('refetches after the TTL on the injected clock', async () => {
    const time = clock();
    let keys = [keyA];
    const { fetch, calls } = fakeFetch(() => json({ keys }));
    const cache = new JwksCache(`${uniqueIssuer()}/jwks`, { fetch, now: time.now, ttlMs: 1000 });
    await cache.getKeys();
    keys = [keyB];
    time.advance(999);
    assert.deepEqual(await cache.getKeys(), [keyA]);
    time.advance(1);
    assert.deepEqual(await cache.getKeys(), [keyB]);
    assert.equal(calls.length, 2);
  });

  it('never caches a failure when it has no keys', async () => {
    let fail = true;
    const { fetch, calls } = fakeFetch(() => (fail ? new Response('down', { status: 500 }) : json({ keys: [keyA] })));
    const cache = new JwksCache(`${uniqueIssuer()}/jwks`, { fetch });
    await assert.rejects(cache.getKeys(), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.code, 'jwks_unavailable');
      return true;
    });
    fail = false;
    assert.deepEqual(await cache.getKeys(), [keyA]);
    assert.equal(calls.length, 2);
  });

  it('serves stale keys while the provider is unreachable, and retries after the cooldown', async () => {
    const time = clock();
    let up = true;
    const { fetch, calls } = fakeFetch(() => (up ? json({ keys: [keyA] }) : Promise.reject(new TypeError('down'))));
    const cache = new JwksCache(`${uniqueIssuer()}/jwks`, { fetch, now: time.now, ttlMs: 1000, cooldownMs: 500 });
    await cache.getKeys();
    up = false;
    time.advance(1000);
    assert.deepEqual(await cache.getKeys(), [keyA], 'stale keys on error');
    assert.equal(calls.length, 2);
    assert.deepEqual(await cache.getKeys(), [keyA]);
    assert.equal(calls.length, 2, 'no retry within the cooldown');
    time.advance(500);
    up = true;
    assert.deepEqual(await cache.getKeys(), [keyA]);
    assert.equal(calls.length, 3);
  });

  it('refuses a document without a keys array', async () => {
    const { fetch } = fakeFetch(() => json({ keys: 'nope' }));
    const cache = new JwksCache(`${uniqueIssuer()}/jwks`, { fetch });
    await assert.rejects(cache.getKeys(), { code: 'jwks_unavailable' });
  });

  it('drops malformed keys and encryption keys', async () => {
    const { fetch } = fakeFetch(() => json({ keys: [keyA, { kid: 'no-kty' }, { ...keyB, use: 'enc' }, 'junk'] }));
    const cache = new JwksCache(`${uniqueIssuer()}/jwks`, { fetch });
    assert.deepEqual(await cache.getKeys(), [keyA]);
  });

  it('refetches for an unknown kid at most once per cooldown', async () => {
    const time = clock();
    let keys = [keyA];
    const { fetch, calls } = fakeFetch(() => json({ keys }));
    const cache = new JwksCache(`${uniqueIssuer()}/jwks`, { fetch, now: time.now, cooldownMs: 30_000 });
    await cache.getKeys();
    keys = [keyA, keyB];
    assert.equal(await cache.refreshForUnknownKid(), true);
    assert.deepEqual(await cache.getKeys(), [keyA, keyB]);
    assert.equal(calls.length, 2);
    time.advance(29_999);
    assert.equal(await cache.refreshForUnknownKid(), false, 'rate-limited');
    assert.equal(calls.length, 2);
    time.advance(1);
    assert.equal(await cache.refreshForUnknownKid(), true);
    assert.equal(calls.length, 3);
  });

  it('shares one unknown-kid refetch among concurrent callers', async () => {
    const gate = deferred<void>();
    const { fetch, calls } = fakeFetch(async () => {
      await gate.promise;
      return json({ keys: [keyA] });
    });
    const cache = new JwksCache(`${uniqueIssuer()}/jwks`, { fetch });
    const all = Promise.all(Array.from({ length: 20 }, () => cache.refreshForUnknownKid()));
    gate.resolve();
    assert.deepEqual(await all, Array(20).fill(true));
    assert.equal(calls.length, 1);
  });

  it('reports false when the unknown-kid refetch fails', async () => {
    const { fetch } = fakeFetch(() => new Response('down', { status: 502 }));
    const cache = new JwksCache(`${uniqueIssuer()}/jwks`, { fetch });
    assert.equal(await cache.refreshForUnknownKid(), false);
  });

  it('shared() returns one instance per URI and options, defaults filled in', () => {
    const uri = `${uniqueIssuer()}/jwks`;
    assert.equal(JwksCache.shared(uri), JwksCache.shared(uri));
    assert.notEqual(JwksCache.shared(uri), JwksCache.shared(`${uri}2`));
    assert.equal(JwksCache.shared(uri).uri, uri);
    const { fetch } = fakeFetch(() => json({ keys: [] }));
    assert.equal(
      JwksCache.shared(uri, { fetch }),
      JwksCache.shared(uri, { fetch }),
      'the same functions, other objects',
    );
    assert.equal(
      JwksCache.shared(uri),
      JwksCache.shared(uri, { now: Date.now, ttlMs: 600_000, timeoutMs: 5000, cooldownMs: 30_000 }),
    );
    for (const options of [{ fetch }, { now: () => 0 }, { ttlMs: 1 }, { timeoutMs: 1 }, { cooldownMs: 1 }]) {
      assert.notEqual(JwksCache.shared(uri, options), JwksCache.shared(uri), JSON.stringify(Object.keys(options)));
    }
  });

  it("shared(): a second caller with its own fetch and clock has them used, not the first caller's", async () => {
    const uri = `${uniqueIssuer()}/jwks`;
    const first = fakeFetch(() => json({ keys: [{ kty: 'EC', kid: 'first' }] }));
    const second = fakeFetch(() => json({ keys: [{ kty: 'EC', kid: 'second' }] }));
    const time = clock();
    assert.equal((await JwksCache.shared(uri, { fetch: first.fetch }).getKeys())[0]?.kid, 'first');
    assert.equal((await JwksCache.shared(uri, { fetch: second.fetch, now: time.now }).getKeys())[0]?.kid, 'second');
    assert.equal(second.calls.length, 1);
    time.advance(600_000);
    await JwksCache.shared(uri, { fetch: second.fetch, now: time.now }).getKeys();
    assert.equal(second.calls.length, 2, "its own clock says the keys are stale; the first caller's does not");
    assert.equal(first.calls.length, 1);
  });
});
