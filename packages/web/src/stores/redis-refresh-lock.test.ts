import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ReleaseLock } from '@logto-kit/client';
import { Redis } from 'ioredis';
import { RedisRefreshLock } from './redis-refresh-lock.ts';
import { SessionStoreError } from './session-store-error.ts';

const prefix = `logto-kit-test:${randomBytes(6).toString('hex')}:lock:`;
let redis: Redis;
let other: Redis;

before(async () => {
  redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  other = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  await Promise.all([redis.connect(), other.connect()]);
});

after(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  other.disconnect();
});

describe('RedisRefreshLock', () => {
  it('lets one holder in at a time across instances (separate connections)', async () => {
    const a = new RedisRefreshLock({ client: redis, prefix });
    const b = new RedisRefreshLock({ client: other, prefix });
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 12 }, async (_, n) => {
        const release = await (n % 2 ? a : b).acquire('shared');
        inside += 1;
        most = Math.max(most, inside);
        await redis.ping();
        inside -= 1;
        await release();
      }),
    );
    assert.equal(most, 1);
    assert.equal(await redis.exists(`${prefix}shared`), 0, 'released');
  });

  it('does not serialize different keys', async () => {
    const lock = new RedisRefreshLock({ client: redis, prefix });
    const releaseA = await lock.acquire('a');
    const releaseB = await lock.acquire('b');
    await releaseA();
    await releaseB();
  });

  it('sets the hold with a TTL, so a crashed holder cannot block forever', async () => {
    const crashed = new RedisRefreshLock({ client: redis, prefix, ttlMs: 200 });
    await crashed.acquire('crash'); // never released
    const ttl = await redis.pttl(`${prefix}crash`);
    assert.ok(ttl > 0 && ttl <= 200, `PTTL ${ttl}`);
    const next = new RedisRefreshLock({ client: other, prefix });
    const release = await next.acquire('crash'); // waits (polling) until Redis expires the hold
    await release();
  });

  it('an expired holder releasing late does not free the lock of the holder after it', async () => {
    const slow = new RedisRefreshLock({ client: redis, prefix, ttlMs: 100 });
    const releaseSlow = await slow.acquire('late');
    await redis.del(`${prefix}late`); // the hold expired
    const next = new RedisRefreshLock({ client: other, prefix });
    const releaseNext = await next.acquire('late');
    await releaseSlow();
    assert.equal(await redis.exists(`${prefix}late`), 1, 'the newer hold is still in place');
    await releaseNext();
    assert.equal(await redis.exists(`${prefix}late`), 0);
  });

  it('gives up with refresh_lock_timeout after the bounded wait', async () => {
    const holder = new RedisRefreshLock({ client: redis, prefix });
    const release = await holder.acquire('busy');
    let waited = 0;
    let clock = 0;
    const waiter = new RedisRefreshLock({
      client: other,
      prefix,
      maxWaitMs: 1000,
      now: () => clock,
      delay: async (ms) => {
        waited += 1;
        clock += ms;
      },
    });
    await assert.rejects(waiter.acquire('busy'), (error: unknown) => {
      assert.ok(error instanceof SessionStoreError);
      assert.equal(error.code, 'refresh_lock_timeout');
      return true;
    });
    assert.ok(waited > 3 && waited < 30, `backed off ${waited} times`);
    await release();
  });

  it('serves a waiting instance before one that takes the same key again as soon as it releases it (no starvation)', async () => {
    // The greedy instance releases and immediately asks again at every poll of the waiter; its
    // own back-off is held until the test lets it go, so the interleaving is fixed.
    const greedyWaits: Array<() => void> = [];
    let greedyQueued: () => void = () => {};
    const greedy = new RedisRefreshLock({
      client: redis,
      prefix,
      delay: () =>
        new Promise<void>((resolve) => {
          greedyWaits.push(resolve);
          greedyQueued();
        }),
    });
    let releaseGreedy: ReleaseLock = await greedy.acquire('hot');
    let greedyTakes = 1;
    let greedyAttempt: Promise<ReleaseLock> | undefined;
    let clock = 0;
    const waiter = new RedisRefreshLock({
      client: other,
      prefix,
      maxWaitMs: 2000,
      now: () => clock,
      delay: async (ms) => {
        clock += ms;
        if (greedyAttempt) return;
        await releaseGreedy();
        const attempt = greedy.acquire('hot');
        const queued = new Promise<'queued'>((resolve) => {
          greedyQueued = () => resolve('queued');
        });
        const outcome = await Promise.race([attempt, queued]);
        if (outcome === 'queued') greedyAttempt = attempt;
        else {
          releaseGreedy = outcome;
          greedyTakes += 1;
        }
      },
    });
    const releaseWaiter = await waiter.acquire('hot');
    assert.equal(greedyTakes, 1, 'the greedy instance did not take the key again ahead of the waiter');
    assert.ok(greedyAttempt, 'it queued behind the waiter');
    await releaseWaiter();
    for (const resume of greedyWaits.splice(0)) resume();
    greedyQueued = () => {
      for (const resume of greedyWaits.splice(0)) resume();
    };
    await (await greedyAttempt)();
  });

  it('skips a queued waiter that stopped polling (crashed), and a waiter that gives up leaves the queue', async () => {
    await redis.zadd(`${prefix}ghost:queue`, 0, 'crashed-waiter');
    await redis.hset(`${prefix}ghost:seen`, 'crashed-waiter', '0');
    const lock = new RedisRefreshLock({ client: redis, prefix });
    const release = await lock.acquire('ghost');
    assert.equal(await redis.zscore(`${prefix}ghost:queue`, 'crashed-waiter'), null, 'dropped from the head');
    let clock = 0;
    const impatient = new RedisRefreshLock({
      client: other,
      prefix,
      maxWaitMs: 100,
      now: () => clock,
      delay: async (ms) => {
        clock += ms;
      },
    });
    await assert.rejects(impatient.acquire('ghost'), SessionStoreError);
    assert.equal(await redis.zcard(`${prefix}ghost:queue`), 0, 'the impatient waiter left the queue');
    await release();
  });

  it('a release that cannot reach Redis does not fail the caller; the hold expires by itself', async () => {
    let reachable = true;
    const flaky = {
      call: (command: string, args: string[]) =>
        reachable ? redis.call(command, args) : Promise.reject(new Error('connection lost')),
    };
    const lock = new RedisRefreshLock({ client: flaky, prefix, ttlMs: 100 });
    const release = await lock.acquire('flaky');
    reachable = false;
    await release();
    const next = new RedisRefreshLock({ client: other, prefix });
    await (await next.acquire('flaky'))();
  });

  it('raises session_store_unavailable when Redis cannot be reached', async () => {
    const down = new Redis({
      host: '127.0.0.1',
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    down.on('error', () => {});
    const lock = new RedisRefreshLock({ client: down, prefix });
    await assert.rejects(
      lock.acquire('x'),
      (error: unknown) => error instanceof SessionStoreError && error.code === 'session_store_unavailable',
    );
    down.disconnect();
  });
});
