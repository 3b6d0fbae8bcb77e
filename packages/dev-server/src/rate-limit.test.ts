import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailureLimiter } from './rate-limit.ts';

describe('FailureLimiter', () => {
  it('blocks a key after maxFailures within the window and frees it when the window slides', () => {
    let now = 1_000_000;
    const limiter = new FailureLimiter({ maxFailures: 3, windowMs: 60_000, now: () => now });
    limiter.recordFailure('demo');
    now += 10_000;
    limiter.recordFailure('demo');
    assert.equal(limiter.isBlocked('demo'), false);
    now += 10_000;
    limiter.recordFailure('demo');
    assert.equal(limiter.isBlocked('demo'), true);
    assert.equal(limiter.retryAfterMs('demo'), 40_000);
    assert.equal(limiter.isBlocked('alice'), false, 'other keys are not affected');

    now += 40_000 - 1;
    assert.equal(limiter.isBlocked('demo'), true, 'the oldest failure is counted for the full window');
    now += 1;
    assert.equal(limiter.isBlocked('demo'), false);
    assert.equal(limiter.retryAfterMs('demo'), 0);
  });

  it('forgets a key on reset', () => {
    const limiter = new FailureLimiter({ maxFailures: 1, windowMs: 60_000, now: () => 0 });
    limiter.recordFailure('demo');
    assert.equal(limiter.isBlocked('demo'), true);
    limiter.reset('demo');
    assert.equal(limiter.isBlocked('demo'), false);
  });

  it('stays bounded under a flood of distinct keys', () => {
    const now = 0;
    const limiter = new FailureLimiter({ maxFailures: 1, windowMs: 60_000, now: () => now, maxKeys: 100 });
    for (let index = 0; index < 1_000; index++) limiter.recordFailure(`key-${index}`);
    assert.equal(limiter.isBlocked('key-999'), true, 'the newest keys are kept');
    assert.equal(limiter.isBlocked('key-0'), false, 'the oldest keys were dropped');
  });

  it('with maxKeys 0 still counts failures, keeping only the newest key', () => {
    const limiter = new FailureLimiter({ maxFailures: 1, windowMs: 60_000, now: () => 0, maxKeys: 0 });
    limiter.recordFailure('first');
    assert.equal(limiter.isBlocked('first'), true);
    limiter.recordFailure('second');
    assert.equal(limiter.isBlocked('second'), true);
    assert.equal(limiter.isBlocked('first'), false, 'the older key made room');
  });

  it('counts the window from the oldest of the last maxFailures failures', () => {
    let now = 0;
    const limiter = new FailureLimiter({ maxFailures: 2, windowMs: 100, now: () => now });
    for (const time of [0, 10, 20]) {
      now = time;
      limiter.recordFailure('demo');
    }
    assert.equal(limiter.retryAfterMs('demo'), 90, 'from the failure at 10, not the one at 0');
    now = 109;
    assert.equal(limiter.isBlocked('demo'), true);
    assert.equal(limiter.retryAfterMs('demo'), 1);
    now = 110;
    assert.equal(limiter.isBlocked('demo'), false);
    assert.equal(limiter.retryAfterMs('demo'), 0);
  });

  it('when full, forgets keys whose failures have expired before live ones', () => {
    let now = 0;
    const limiter = new FailureLimiter({ maxFailures: 1, windowMs: 100, now: () => now, maxKeys: 2 });
    limiter.recordFailure('live');
    now = 10;
    limiter.recordFailure('stale');
    now = 95;
    limiter.recordFailure('live');
    now = 150;
    limiter.recordFailure('new');
    assert.equal(limiter.isBlocked('live'), true, 'the oldest key, but still failing');
    assert.equal(limiter.isBlocked('new'), true);
  });

  it('keeps the newest maxKeys keys, and a failure of a known key evicts nobody', () => {
    const limiter = new FailureLimiter({ maxFailures: 1, windowMs: 60_000, now: () => 0, maxKeys: 2 });
    limiter.recordFailure('k1');
    limiter.recordFailure('k2');
    limiter.recordFailure('k2');
    assert.equal(limiter.isBlocked('k1'), true, 'not evicted by a known key');
    limiter.recordFailure('k3');
    assert.deepEqual(
      ['k1', 'k2', 'k3'].map((key) => limiter.isBlocked(key)),
      [false, true, true],
    );
  });
});
