import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VerifiedTokenCache } from './verified-token-cache.ts';

describe('VerifiedTokenCache expiry in each generation', () => {
  it('serves a token of the current generation until just before its expiry, never at it', () => {
    const cache = new VerifiedTokenCache<string>(10);
    cache.set('token', 'result', 1000);
    assert.equal(cache.get('token', 999), 'result');
    assert.equal(cache.get('token', 1000), undefined);
    assert.equal(cache.get('token', 999), undefined, 'an expired entry is dropped');
  });

  it('serves a token of the previous generation until just before its expiry, never at it', () => {
    // A size of 2 makes generations of one entry: every insert moves the current one to previous.
    const cache = new VerifiedTokenCache<string>(2);
    cache.set('token', 'result', 1000);
    // Served from the previous generation (and moved back into it, the current one being full).
    assert.equal(cache.get('token', 999), 'result');
    assert.equal(cache.get('token', 1000), undefined);
  });

  it('admits a token on its second offer and serves it until its expiry', () => {
    const cache = new VerifiedTokenCache<string>(10);
    assert.equal(cache.offer('token', 'result', 1000), false);
    assert.equal(cache.get('token', 0), undefined);
    assert.equal(cache.offer('token', 'result', 1000), true);
    assert.equal(cache.get('token', 999), 'result');
    assert.equal(cache.get('token', 1000), undefined);
  });
});

describe('VerifiedTokenCache size and clear', () => {
  it('counts the entries of both generations and forgets everything on clear()', () => {
    const cache = new VerifiedTokenCache<string>(4);
    cache.set('a', 'A', 1000);
    cache.set('b', 'B', 1000);
    cache.set('c', 'C', 1000);
    assert.equal(cache.size, 3);
    cache.offer('d', 'D', 1000);
    cache.clear();
    assert.equal(cache.size, 0);
    for (const token of ['a', 'b', 'c']) assert.equal(cache.get(token, 0), undefined);
    assert.equal(cache.offer('d', 'D', 1000), false, 'the offers were forgotten too');
  });

  it('forgets the offers of the previous generation on clear()', () => {
    const cache = new VerifiedTokenCache<string>(2);
    cache.offer('x', 'X', 1000);
    cache.clear();
    assert.equal(cache.offer('x', 'X', 1000), false);
  });
});
