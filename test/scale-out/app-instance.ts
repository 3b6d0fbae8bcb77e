/**
 * One web-app instance for the scale-out tests, run in its own process (its own LogtoClient
 * module state, discovery and JWKS caches, in-process lock). Configured by a JSON argument; sends
 * `{ type: 'listening', port }` over IPC once it serves, and accepts `{ type: 'clock', offsetMs }`
 * to move the client's clock (so cached access tokens expire without waiting), answered by
 * `{ type: 'clock-set' }`.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  authenticated,
  createLogto,
  PostgresStore,
  RedisRefreshLock,
  RedisStore,
  type SessionStore,
} from '@logto-kit/express';
import express from 'express';
import { Redis } from 'ioredis';
import pg from 'pg';

export interface InstanceOptions {
  endpoint: string;
  baseUrl: string;
  /** Redis port (a proxy in the tests) for the refresh lock and, by default, the sessions; cookie sessions when absent. */
  redisPort?: number;
  /** Keep sessions in this PostgreSQL table (`schema.table`) instead of Redis. */
  postgresTable?: string;
  /** PostgreSQL port (a proxy in the tests); 5432 by default. */
  postgresPort?: number;
  /** The refresh lock's `ttlMs` (default the lock's own). */
  lockTtlMs?: number;
  /** Key prefix of this test run. */
  redisPrefix?: string;
  /** Keep sessions in cookies even with Redis (then used for the lock and back-channel logout only). */
  cookieSessions?: boolean;
  /** Serve back-channel logout, recording ended sessions in Redis (or in memory without Redis). */
  backChannelLogout?: boolean;
  secret: string;
}

export const shoppingApi = 'https://shopping.your-app.com/api';

const options = JSON.parse(process.argv[2] ?? '{}') as InstanceOptions;
let clockOffsetMs = 0;
process.on('message', (message: { type?: string; offsetMs?: number }) => {
  if (message.type === 'clock' && typeof message.offsetMs === 'number') {
    clockOffsetMs = message.offsetMs;
    process.send?.({ type: 'clock-set', offsetMs: clockOffsetMs });
  }
});

let redis: Redis | undefined;
let store: SessionStore | undefined;
let logoutStore: SessionStore | undefined;
let lock: RedisRefreshLock | undefined;
let pool: pg.Pool | undefined;
if (options.redisPort !== undefined) {
  // Fail fast while Redis is unreachable (answered 503) instead of queueing commands; reconnect quickly.
  redis = new Redis({
    host: '127.0.0.1',
    port: options.redisPort,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => 25,
    lazyConnect: true,
  });
  redis.on('error', () => {});
  await redis.connect();
  if (options.postgresTable) {
    pool = new pg.Pool({
      connectionString: `postgres://postgres@127.0.0.1:${options.postgresPort ?? 5432}/test`,
      max: 4,
      connectionTimeoutMillis: 1000,
    });
    pool.on('error', () => {});
    store = new PostgresStore({ pool, tableName: options.postgresTable, timeoutMs: 1000 });
  } else {
    store = new RedisStore({ client: redis, prefix: `${options.redisPrefix}sess:`, timeoutMs: 1000 });
  }
  logoutStore = store;
  if (options.cookieSessions) store = undefined;
  lock = new RedisRefreshLock({
    client: redis,
    prefix: `${options.redisPrefix}lock:`,
    timeoutMs: 1000,
    ...(options.lockTtlMs ? { ttlMs: options.lockTtlMs } : {}),
  });
}

const logto = createLogto({
  endpoint: options.endpoint,
  appId: 'sample-web-app',
  appSecret: 'sample-web-app-secret',
  baseUrl: options.baseUrl,
  scopes: ['shopping:read'],
  resources: [shoppingApi],
  session: { secrets: [options.secret], ...(store ? { store } : {}), logger: { debug() {}, error() {} } },
  clientOptions: { now: () => Date.now() + clockOffsetMs, ...(lock ? { lock } : {}) },
  ...(options.backChannelLogout ? { backChannelLogout: logoutStore ? { store: logoutStore } : {} } : {}),
});

const app = express();
app.use(logto.middleware);
app.get('/whoami', authenticated(), (req, res) => {
  res.json({ sub: (req as unknown as { user: { sub: string } }).user.sub, pid: process.pid });
});
app.get('/token', authenticated({ resource: shoppingApi }), (req, res) => {
  const token = createHash('sha256')
    .update(req.accessToken ?? '')
    .digest('base64url');
  res.json({ sub: (req as unknown as { user: { sub: string } }).user.sub, token, pid: process.pid });
});

// Sessions whose new tokens wait for the store (kept in this process until it answers again).
app.get('/pending', (_req, res) => {
  res.json({ pending: logto.sessions.pendingWrites });
});

const server = app.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: (server.address() as AddressInfo).port });
});
process.on('disconnect', () => {
  server.closeAllConnections();
  server.close();
  redis?.disconnect();
  void pool?.end();
});
