import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VerifiedTokenCache } from './verified-token-cache.ts';

describe('VerifiedTokenCache', () => {
  it('returns an entry until, and never at or after, its expiry', () => {
    const cache = new VerifiedTokenCache<string>(10);
    cache.set('token', 'result', 1000);
    assert.equal(cache.get('token', 999), 'result');
    assert.equal(cache.get('token', 1000), undefined);
    assert.equal(cache.get('token', 500), undefined, 'an expired entry is dropped, not kept for later');
  });

  it('drops the least recently used entry beyond its size', () => {
    const cache = new VerifiedTokenCache<string>(2);
    cache.set('a', 'A', 1000);
    cache.set('b', 'B', 1000);
    assert.equal(cache.get('a', 0), 'A');
    cache.set('c', 'C', 1000);
    assert.equal(cache.size, 2);
    assert.equal(cache.get('b', 0), undefined);
    assert.equal(cache.get('a', 0), 'A');
    assert.equal(cache.get('c', 0), 'C');
  });

  it('refuses a size that is not a positive integer', () => {
    for (const size of [0, -1, 1.5, Number.NaN]) assert.throws(() => new VerifiedTokenCache(size), TypeError);
  });
});
