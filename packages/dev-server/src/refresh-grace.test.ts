import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mayReuseRefreshToken, refreshTokenReuseWindowMs } from './refresh-grace.ts';

describe('refresh token reuse window', () => {
  it('is three seconds, as in Logto', () => {
    assert.equal(refreshTokenReuseWindowMs, 3000);
  });

  it('allows reuse up to and including the end of the window', () => {
    assert.equal(mayReuseRefreshToken(10_000, 10_000), true);
    assert.equal(mayReuseRefreshToken(10_000, 13_000), true);
  });

  it('refuses reuse after the window', () => {
    assert.equal(mayReuseRefreshToken(10_000, 13_001), false);
    assert.equal(mayReuseRefreshToken(10_000, 100_000), false);
  });

  it('refuses a consumption time in the future (a clock that went backwards)', () => {
    assert.equal(mayReuseRefreshToken(10_000, 9_999), false);
  });

  it('honours a custom window', () => {
    assert.equal(mayReuseRefreshToken(0, 500, 0), false);
    assert.equal(mayReuseRefreshToken(0, 500, 1000), true);
  });
});
