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
});
