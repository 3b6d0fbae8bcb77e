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

  it('drops the least recently used entries beyond its size', () => {
    const cache = new VerifiedTokenCache<string>(4);
    cache.set('a', 'A', 1000);
    cache.set('b', 'B', 1000);
    assert.equal(cache.get('a', 0), 'A');
    cache.set('c', 'C', 1000);
    cache.set('d', 'D', 1000);
    assert.equal(cache.get('b', 0), undefined, 'b, the least recently used, is dropped');
    assert.equal(cache.get('d', 0), 'D');
    assert.equal(cache.get('c', 0), 'C');
  });

  it('never holds more than its size, and always the most recently used half', () => {
    for (const size of [1, 2, 3, 10, 11]) {
      const cache = new VerifiedTokenCache<number>(size);
      for (let token = 0; token < 100; token += 1) {
        cache.set(String(token), token, 1000);
        assert.ok(cache.size <= size, `size ${size}: holds ${cache.size}`);
        for (let recent = Math.max(0, token - Math.ceil(size / 2) + 1); recent <= token; recent += 1) {
          assert.equal(cache.get(String(recent), 0), recent, `size ${size}: ${recent} kept after ${token}`);
        }
      }
    }
  });

  it('keeps a token in use however many others pass through', () => {
    const cache = new VerifiedTokenCache<string>(4);
    cache.set('kept', 'K', 1000);
    for (let token = 0; token < 50; token += 1) {
      cache.set(String(token), 'other', 1000);
      assert.equal(cache.get('kept', 0), 'K');
    }
  });

  it('answers a token only with its own entry, also when another token has the same fingerprint', () => {
    const tail = '.same-signature-tail-0123456789';
    const cache = new VerifiedTokenCache<string>(10);
    cache.set(`genuine${tail}`, 'genuine', 1000);
    assert.equal(cache.get(`forged${tail}`, 0), undefined, 'the same last characters are not the same token');
    assert.equal(cache.get(`genuine${tail}`, 0), 'genuine');
    cache.set(`other${tail}`, 'other', 1000);
    assert.equal(cache.get(`other${tail}`, 0), 'other');
    assert.equal(cache.get(`forged${tail}`, 0), undefined);
    assert.notEqual(cache.get(`genuine${tail}`, 0), 'other');

    const generations = new VerifiedTokenCache<string>(4);
    generations.set(`genuine${tail}`, 'genuine', 1000);
    generations.set('pushes the first generation back', 'x', 1000);
    assert.equal(generations.get(`forged${tail}`, 0), undefined, 'nor from the previous generation');
    assert.equal(generations.offer(`forged${tail}`, 'forged', 1000), false);
    assert.equal(generations.get(`genuine${tail}`, 0), 'genuine');
  });

  it('admits an offered token on its second offer, not its first', () => {
    const cache = new VerifiedTokenCache<string>(10);
    assert.equal(cache.offer('token', 'first', 1000), false);
    assert.equal(cache.get('token', 0), undefined);
    assert.equal(cache.offer('token', 'second', 1000), true);
    assert.equal(cache.get('token', 0), 'second');
  });

  it('holds nothing for a stream of tokens offered once each', () => {
    const cache = new VerifiedTokenCache<number>(10);
    for (let token = 0; token < 1000; token += 1) assert.equal(cache.offer(`token-${token}`, token, 1000), false);
    assert.equal(cache.size, 0);
  });

  it('remembers a first offer across at least half its size of other first offers, and forgets it later', () => {
    for (const size of [2, 10, 11]) {
      const cache = new VerifiedTokenCache<string>(size);
      cache.offer('kept', 'K', 1000);
      for (let other = 0; other < Math.ceil(size / 2) - 1; other += 1) cache.offer(`other-${other}`, 'O', 1000);
      assert.equal(cache.offer('kept', 'K', 1000), true, `size ${size}: still remembered`);

      const forgotten = new VerifiedTokenCache<string>(size);
      forgotten.offer('gone', 'G', 1000);
      for (let other = 0; other < size; other += 1) forgotten.offer(`other-${other}`, 'O', 1000);
      assert.equal(forgotten.offer('gone', 'G', 1000), false, `size ${size}: forgotten after ${size} others`);
    }
  });

  it('forgets first offers on clear', () => {
    const cache = new VerifiedTokenCache<string>(10);
    cache.offer('token', 'T', 1000);
    cache.clear();
    assert.equal(cache.offer('token', 'T', 1000), false);
  });

  it('refuses a size that is not a positive integer', () => {
    for (const size of [0, -1, 1.5, Number.NaN]) assert.throws(() => new VerifiedTokenCache(size), TypeError);
  });
});
