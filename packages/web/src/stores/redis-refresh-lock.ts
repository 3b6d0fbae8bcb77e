import { InProcessRefreshLock, type RefreshLock, type ReleaseLock } from '@logto-kit/client';
import { randomBase64url } from '../base64url.ts';
import { evalRedisScript, type RedisClientLike } from './redis-client.ts';
import { SessionStoreError, withBackend } from './session-store-error.ts';

/** Options of {@link RedisRefreshLock}. */
export interface RedisRefreshLockOptions {
  /** Your connected `ioredis` or `redis` client. */
  client: RedisClientLike;
  /** Key prefix (default `logto-kit:lock:`); keys after it are the client's hashed lock keys. */
  prefix?: string;
  /**
   * How long a hold lasts at most, in milliseconds (default 10 000): a holder that crashed
   * blocks the others no longer than this. Keep it above the token endpoint's timeout.
   */
  ttlMs?: number;
  /** The longest a caller waits for the lock, in milliseconds (default 15 000), before `refresh_lock_timeout`. */
  maxWaitMs?: number;
  /** Bound on each Redis command, in milliseconds (default 2000). */
  timeoutMs?: number;
  /** Waits between attempts (default: a timer); injectable for tests. */
  delay?: (ms: number) => Promise<void>;
  /** Current time in milliseconds, for the bounded wait; injectable for tests. Defaults to `Date.now`. */
  now?: () => number;
}

// Deletes the key only while it still holds our token, so a hold that expired and was taken by
// another instance is never released by the old holder.
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

// Takes the lock only for the first live waiter in the key's queue, so an instance that takes the
// same key again and again cannot starve the others: whoever asked first is served first. The
// queue orders waiters by an increasing number; each waiter's last poll (Redis's own clock, the
// same for every instance) is kept, and a waiter that stopped polling (crashed, gave up) is
// dropped from the head after `stale` ms. The queue's keys expire when nobody waits.
const acquireScript = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local lock, queue, seen, seq = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local token, stale = ARGV[1], tonumber(ARGV[3])
if not redis.call('ZSCORE', queue, token) then
  redis.call('ZADD', queue, redis.call('INCR', seq), token)
end
redis.call('HSET', seen, token, now)
while true do
  local head = redis.call('ZRANGE', queue, 0, 0)[1]
  if (not head) or head == token then break end
  local last = tonumber(redis.call('HGET', seen, head) or '0')
  if now - last <= stale then break end
  redis.call('ZREM', queue, head)
  redis.call('HDEL', seen, head)
end
for _, key in ipairs({ queue, seen, seq }) do redis.call('PEXPIRE', key, ARGV[4]) end
if redis.call('ZRANGE', queue, 0, 0)[1] ~= token then return 0 end
if not redis.call('SET', lock, token, 'NX', 'PX', ARGV[2]) then return 0 end
redis.call('ZREM', queue, token)
redis.call('HDEL', seen, token)
return 1
`;

// A waiter that gives up leaves the queue at once rather than after `stale` ms.
const leaveScript = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
`;

const firstBackoffMs = 5;
const maxBackoffMs = 100;
/** A waiter not heard from for this long after its command timeout is dropped from the queue's head. */
const staleMarginMs = 1000;

/**
 * A `RefreshLock` shared by every instance through Redis (`SET key token NX PX ttl`, released by
 * compare-and-delete), so only one instance at a time uses a refresh token. It is fair: waiters
 * queue in Redis and are served in the order they asked, so an instance that takes the same key
 * again and again cannot starve another into `refresh_lock_timeout`. Within one process
 * the callers queue in memory first, so a single caller per process polls Redis, with backoff,
 * for a bounded time. Pass it as `clientOptions.lock`; with a server-side session store the
 * holder's refreshed tokens are written to the store before the lock is released, and the next
 * holder re-reads them instead of refreshing again.
 *
 * @example
 * ```ts
 * const redis = new Redis(process.env.REDIS_URL);
 * createLogto({ ...config, session: { secrets, store: new RedisStore({ client: redis }) },
 *   clientOptions: { lock: new RedisRefreshLock({ client: redis }) } });
 * ```
 */
export class RedisRefreshLock implements RefreshLock {
  readonly #client: RedisClientLike;
  readonly #prefix: string;
  /** How long a hold lasts at most, in milliseconds. */
  readonly ttlMs: number;
  readonly #maxWaitMs: number;
  readonly #timeoutMs: number;
  readonly #delay: (ms: number) => Promise<void>;
  readonly #now: () => number;
  readonly #local = new InProcessRefreshLock();

  constructor(options: RedisRefreshLockOptions) {
    this.#client = options.client;
    this.#prefix = options.prefix ?? 'logto-kit:lock:';
    this.ttlMs = options.ttlMs ?? 10_000;
    this.#maxWaitMs = options.maxWaitMs ?? 15_000;
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#delay = options.delay ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#now = options.now ?? Date.now;
  }

  async acquire(key: string): Promise<ReleaseLock> {
    const releaseLocal = await this.#local.acquire(key);
    try {
      const releaseShared = await this.#acquireShared(`${this.#prefix}${key}`);
      return async () => {
        try {
          await releaseShared();
        } finally {
          releaseLocal();
        }
      };
    } catch (error) {
      releaseLocal();
      throw error;
    }
  }

  async #acquireShared(redisKey: string): Promise<ReleaseLock> {
    const token = randomBase64url(16);
    const started = this.#now();
    const queueKeys = [`${redisKey}:queue`, `${redisKey}:seen`, `${redisKey}:seq`];
    const staleMs = this.#timeoutMs + maxBackoffMs + staleMarginMs;
    const args = [token, String(this.ttlMs), String(staleMs), String(this.#maxWaitMs + staleMs)];
    let backoff = firstBackoffMs;
    for (;;) {
      const reply = await this.#run(() => evalRedisScript(this.#client, acquireScript, [redisKey, ...queueKeys], args));
      if (Number(reply) === 1) break;
      if (this.#now() - started >= this.#maxWaitMs) {
        await this.#run(() => evalRedisScript(this.#client, leaveScript, queueKeys.slice(0, 2), [token])).catch(
          () => {},
        );
        throw new SessionStoreError(
          'refresh_lock_timeout',
          `Another instance has held the refresh lock for over ${this.#maxWaitMs} ms; try the request again.`,
        );
      }
      await this.#delay(backoff);
      backoff = Math.min(backoff * 2, maxBackoffMs);
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      try {
        await this.#run(() => evalRedisScript(this.#client, releaseScript, [redisKey], [token]));
      } catch {
        // The refresh itself succeeded; a hold that could not be deleted expires after `ttlMs`.
      }
    };
  }

  #run<T>(operation: () => Promise<T>): Promise<T> {
    return withBackend('Redis', this.#timeoutMs, operation);
  }
}
