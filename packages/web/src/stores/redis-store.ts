import type { SessionData, SessionStore, StoredSession } from '../session-store.ts';
import { evalRedisScript, type RedisClientLike, sendRedisCommand } from './redis-client.ts';
import { parseSessionData } from './session-data.ts';
import { withBackend } from './session-store-error.ts';
import { randomVersion } from './versions.ts';

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /** Your connected `ioredis` or `redis` client; the store never connects or quits it. */
  client: RedisClientLike;
  /** Key prefix; a session lives at `<prefix><id>`. Defaults to `logto-kit:sess:`. */
  prefix?: string;
  /**
   * Bound on each command, in milliseconds (default 2000). A command that fails or takes longer
   * raises a `session_store_unavailable` `SessionStoreError` (503), never an empty session.
   */
  timeoutMs?: number;
}

// A stored value is `<version>\n<JSON data>`, so the compare-and-set script compares a prefix
// without decoding JSON.
const compareAndSetScript = `
local current = redis.call('GET', KEYS[1])
if (not current) or string.sub(current, 1, string.len(ARGV[1]) + 1) ~= ARGV[1] .. '\\n' then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

// Read and delete in one step (GETDEL needs Redis 6.2; a script works on every version).
const takeScript = `
local current = redis.call('GET', KEYS[1])
if current then redis.call('DEL', KEYS[1]) end
return current
`;

/**
 * A {@link SessionStore} in Redis, shared by every instance of the application. Sessions expire
 * with Redis's own TTL (`PX`); {@link RedisStore.compareAndSet} is one Lua script, so concurrent
 * requests of one user merge their changes instead of overwriting each other.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const store = new RedisStore({ client: new Redis(process.env.REDIS_URL) });
 * app.use(createLogto({ ...config, session: { secrets, store } }));
 * ```
 */
export class RedisStore implements SessionStore {
  readonly #client: RedisClientLike;
  readonly #prefix: string;
  readonly #timeoutMs: number;

  constructor(options: RedisStoreOptions) {
    this.#client = options.client;
    this.#prefix = options.prefix ?? 'logto-kit:sess:';
    this.#timeoutMs = options.timeoutMs ?? 2000;
  }

  async get(id: string): Promise<StoredSession | undefined> {
    const value = await this.#run(() => sendRedisCommand(this.#client, ['GET', this.#key(id)]));
    return typeof value === 'string' ? decode(value) : undefined;
  }

  async set(id: string, data: SessionData, ttlSeconds: number): Promise<void> {
    await this.#run(() =>
      sendRedisCommand(this.#client, ['SET', this.#key(id), encode(randomVersion(), data), 'PX', ttlMs(ttlSeconds)]),
    );
  }

  async destroy(id: string): Promise<void> {
    await this.#run(() => sendRedisCommand(this.#client, ['DEL', this.#key(id)]));
  }

  async take(id: string): Promise<StoredSession | undefined> {
    const value = await this.#run(() => evalRedisScript(this.#client, takeScript, [this.#key(id)], []));
    return typeof value === 'string' ? decode(value) : undefined;
  }

  async compareAndSet(
    id: string,
    expectedVersion: number | undefined,
    data: SessionData,
    ttlSeconds: number,
  ): Promise<boolean> {
    const value = encode(randomVersion(), data);
    if (expectedVersion === undefined) {
      const reply = await this.#run(() =>
        sendRedisCommand(this.#client, ['SET', this.#key(id), value, 'PX', ttlMs(ttlSeconds), 'NX']),
      );
      return reply === 'OK';
    }
    const reply = await this.#run(() =>
      evalRedisScript(
        this.#client,
        compareAndSetScript,
        [this.#key(id)],
        [String(expectedVersion), value, ttlMs(ttlSeconds)],
      ),
    );
    return Number(reply) === 1;
  }

  #key(id: string): string {
    return `${this.#prefix}${id}`;
  }

  #run<T>(operation: () => Promise<T>): Promise<T> {
    return withBackend('Redis', this.#timeoutMs, operation);
  }
}

function ttlMs(ttlSeconds: number): string {
  return String(Math.max(1, Math.ceil(ttlSeconds * 1000)));
}

function encode(version: number, data: SessionData): string {
  return `${version}\n${JSON.stringify(data)}`;
}

function decode(value: string): StoredSession | undefined {
  const newline = value.indexOf('\n');
  const version = Number(value.slice(0, newline));
  if (newline < 0 || !Number.isSafeInteger(version)) return undefined;
  const data = parseSessionData(value.slice(newline + 1));
  return data && { data, version };
}
