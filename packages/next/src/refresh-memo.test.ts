import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RefreshMemo, refreshTokenDigest } from './refresh-memo.ts';

const entries = new Map<string, string | undefined>([['logto.refreshToken', 'new-refresh-token']]);

describe('RefreshMemo', () => {
  it('is keyed by the SHA-256 of the refresh token: another token, or a prefix of it, finds nothing', async () => {
    const memo = new RefreshMemo({ now: () => 0 });
    const digest = await refreshTokenDigest('refresh-token-a');
    assert.match(digest, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(digest, 'refresh-token-a');
    memo.set(digest, entries, 1000);
    assert.deepEqual(memo.get(await refreshTokenDigest('refresh-token-a')), entries);
    assert.equal(memo.get(await refreshTokenDigest('refresh-token-b')), undefined);
    assert.equal(memo.get(await refreshTokenDigest('refresh-token-')), undefined);
    assert.equal(memo.get('refresh-token-a'), undefined);
  });

  it('keeps and finds entries by the refresh token, answering "certainly not here" without a digest', async () => {
    const memo = new RefreshMemo({ now: () => 0 });
    assert.equal(memo.mayHold('refresh-token-a'), false);
    await memo.keep('refresh-token-a', entries, 1000);
    assert.equal(memo.mayHold('refresh-token-a'), true);
    assert.equal(memo.mayHold('refresh-token-b'), false);
    assert.deepEqual(await memo.lookup('refresh-token-a'), entries);
    assert.equal(await memo.lookup('refresh-token-b'), undefined);
    assert.deepEqual(memo.get(await refreshTokenDigest('refresh-token-a')), entries, 'keyed by the digest');
    await memo.forget('refresh-token-b');
    assert.equal(memo.size, 1);
    await memo.forget('refresh-token-a');
    assert.equal(memo.mayHold('refresh-token-a'), false);
    assert.equal(memo.size, 0);
  });

  it('serves an entry until it expires, not at its expiry', () => {
    let now = 0;
    const memo = new RefreshMemo({ now: () => now });
    memo.set('d', entries, 1000);
    now = 999;
    assert.ok(memo.get('d'));
    now = 1000;
    assert.equal(memo.get('d'), undefined);
    assert.equal(memo.size, 0);
  });

  it('keeps nothing already expired', () => {
    const memo = new RefreshMemo({ now: () => 500 });
    memo.set('d', entries, 500);
    assert.equal(memo.size, 0);
  });

  it('holds at most its limit, dropping expired entries first, then the oldest', () => {
    let now = 0;
    const memo = new RefreshMemo({ limit: 3, now: () => now });
    memo.set('a', entries, 10_000);
    memo.set('b', entries, 100);
    memo.set('c', entries, 10_000);
    now = 200;
    memo.set('d', entries, 10_000);
    assert.equal(memo.size, 3);
    assert.ok(memo.get('a'), 'the expired b went first');
    memo.set('e', entries, 10_000);
    assert.equal(memo.size, 3);
    assert.equal(memo.get('a'), undefined, 'then the oldest');
    assert.ok(memo.get('c') && memo.get('d') && memo.get('e'));
  });

  it('keeps its own copy of the entries', () => {
    const memo = new RefreshMemo({ now: () => 0 });
    const changing = new Map(entries);
    memo.set('d', changing, 1000);
    changing.set('logto.refreshToken', 'changed');
    assert.equal(memo.get('d')?.get('logto.refreshToken'), 'new-refresh-token');
  });
});
