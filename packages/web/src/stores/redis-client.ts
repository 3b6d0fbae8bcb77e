/**
 * The little of a Redis client the stores and the refresh lock use, structurally, so
 * `@logto-kit/express` depends on no Redis library: pass your own connected `ioredis` client
 * (it has `call`) or `redis` (node-redis 4+) client (it has `sendCommand`).
 */

/** An `ioredis` client, or anything with its `call(command, args)`. */
export interface IoRedisLike {
  call(command: string, args: string[]): Promise<unknown>;
}

/** A `redis` (node-redis 4+) client, or anything with its `sendCommand(args)`. */
export interface NodeRedisLike {
  sendCommand(args: string[]): Promise<unknown>;
}

/** A connected Redis client: `ioredis` or `redis`. */
export type RedisClientLike = IoRedisLike | NodeRedisLike;

/** Sends one command, e.g. `['SET', key, value, 'PX', '1000']`, through either kind of client. */
export function sendRedisCommand(client: RedisClientLike, args: [string, ...string[]]): Promise<unknown> {
  if ('call' in client && typeof client.call === 'function') {
    const [command, ...rest] = args;
    return client.call(command, rest);
  }
  return (client as NodeRedisLike).sendCommand(args);
}

/** Runs a Lua script with `EVAL` (scripts here are a few lines; no `EVALSHA` cache to keep in step). */
export function evalRedisScript(
  client: RedisClientLike,
  script: string,
  keys: string[],
  args: string[],
): Promise<unknown> {
  return sendRedisCommand(client, ['EVAL', script, String(keys.length), ...keys, ...args]);
}
