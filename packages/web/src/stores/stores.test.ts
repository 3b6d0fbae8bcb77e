import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { SessionStore } from '../session-store.ts';
import { PostgresStore } from './postgres-store.ts';
import { RedisStore } from './redis-store.ts';
import { isSessionStoreError, SessionStoreError } from './session-store-error.ts';

// Real Redis and PostgreSQL on this machine; every run uses its own key prefix and schema.
const run = randomBytes(6).toString('hex');
const redisPrefix = `logto-kit-test:${run}:sess:`;
const schema = `logto_kit_test_${run}`;
let redis: Redis;
let pool: pg.Pool;

before(async () => {
  redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  await redis.connect();
  pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 4 });
  await pool.query(`CREATE SCHEMA ${schema}`);
});

after(async () => {
  const keys = await redis.keys(`logto-kit-test:${run}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await pool.query(`DROP SCHEMA ${schema} CASCADE`);
  await pool.end();
});

let tables = 0;
const implementations: [string, (now?: () => number) => SessionStore][] = [
  ['RedisStore', () => new RedisStore({ client: redis, prefix: redisPrefix })],
  [
    'PostgresStore',
    (now) => {
      tables += 1;
      return new PostgresStore({ pool, tableName: `${schema}.sessions_${tables}`, ...(now ? { now } : {}) });
    },
  ],
];

for (const [name, open] of implementations) {
  describe(name, () => {
    it('stores, reads and destroys sessions', async () => {
      const store = open();
      await store.set('a', { k: 'v', other: 'w' }, 60);
      assert.deepEqual((await store.get('a'))?.data, { k: 'v', other: 'w' });
      assert.equal(await store.get('absent'), undefined);
      await store.destroy('a');
      assert.equal(await store.get('a'), undefined);
      await store.destroy('a');
    });

    it('compareAndSet writes only when the version is unchanged, and changes the version on every write', async () => {
      const store = open();
      assert.equal(await store.compareAndSet!('c', undefined, { a: '1' }, 60), true);
      assert.equal(await store.compareAndSet!('c', undefined, { a: 'x' }, 60), false, 'already exists');
      const first = (await store.get('c'))!;
      assert.equal(await store.compareAndSet!('c', first.version, { a: '2' }, 60), true);
      assert.equal(await store.compareAndSet!('c', first.version, { a: '3' }, 60), false, 'stale version');
      const second = (await store.get('c'))!;
      assert.deepEqual(second.data, { a: '2' });
      assert.notEqual(second.version, first.version);
      await store.set('c', { a: '4' }, 60);
      assert.equal(await store.compareAndSet!('c', second.version, { a: '5' }, 60), false, 'set changed the version');
      assert.equal(
        await store.compareAndSet!('absent-cas', 12345, { a: '1' }, 60),
        false,
        'absent is not version 12345',
      );
    });

    it('lets exactly one of many concurrent compareAndSet calls on one version win', async () => {
      const store = open();
      await store.set('race', { n: '0' }, 60);
      const { version } = (await store.get('race'))!;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, n) => store.compareAndSet!('race', version, { n: String(n + 1) }, 60)),
      );
      assert.equal(results.filter(Boolean).length, 1);
      const winner = results.indexOf(true) + 1;
      assert.equal((await store.get('race'))?.data.n, String(winner));
    });

    it('take removes the session and answers it to exactly one of many concurrent callers', async () => {
      const store = open();
      await store.set('taken', { a: '1' }, 60);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.take!('taken')));
      const winners = results.filter((result) => result !== undefined);
      assert.equal(winners.length, 1);
      assert.deepEqual(winners[0]!.data, { a: '1' });
      assert.equal(await store.get('taken'), undefined);
      assert.equal(await store.take!('taken'), undefined, 'absent');
    });
  });
}

describe('RedisStore specifics', () => {
  it('keeps sessions under the namespaced key with a Redis TTL', async () => {
    const store = new RedisStore({ client: redis, prefix: redisPrefix });
    await store.set('ttl', { a: '1' }, 30);
    const ttl = await redis.pttl(`${redisPrefix}ttl`);
    assert.ok(ttl > 29_000 && ttl <= 30_000, `PTTL ${ttl}`);
    assert.equal(await store.compareAndSet('ttl', (await store.get('ttl'))!.version, { a: '2' }, 5), true);
    assert.ok((await redis.pttl(`${redisPrefix}ttl`)) <= 5000, 'compareAndSet renews the TTL to the given one');
  });

  it('defaults to the logto-kit:sess: namespace', async () => {
    const store = new RedisStore({ client: redis });
    const id = `default-${run}`;
    await store.set(id, { a: '1' }, 5);
    assert.ok(await redis.exists(`logto-kit:sess:${id}`));
    await store.destroy(id);
  });

  it('ignores a value at its key that it did not write, instead of trusting it', async () => {
    const store = new RedisStore({ client: redis, prefix: redisPrefix });
    await redis.set(`${redisPrefix}garbage`, 'not a session', 'PX', 5000);
    assert.equal(await store.get('garbage'), undefined);
    await redis.set(`${redisPrefix}garbage`, '1\n{"a":1}', 'PX', 5000);
    assert.equal(await store.get('garbage'), undefined, 'non-string values are refused');
  });

  it('raises session_store_unavailable when Redis cannot be reached, never an empty session', async () => {
    const down = new Redis({
      host: '127.0.0.1',
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    down.on('error', () => {});
    const store = new RedisStore({ client: down, timeoutMs: 500 });
    await assert.rejects(store.get('x'), (error: unknown) => {
      assert.ok(isSessionStoreError(error));
      assert.equal((error as SessionStoreError).code, 'session_store_unavailable');
      return true;
    });
    down.disconnect();
  });

  it('raises session_store_unavailable when a command does not answer in time', async () => {
    const silent = { call: () => new Promise<unknown>(() => {}) };
    const store = new RedisStore({ client: silent, timeoutMs: 20 });
    await assert.rejects(store.get('x'), SessionStoreError);
  });

  it('also works with a node-redis style client (sendCommand)', async () => {
    const client = { sendCommand: (args: string[]) => redis.call(args[0]!, args.slice(1)) };
    const store = new RedisStore({ client, prefix: redisPrefix });
    assert.equal(await store.compareAndSet('node-redis', undefined, { a: '1' }, 60), true);
    assert.deepEqual((await store.get('node-redis'))?.data, { a: '1' });
  });
});

describe('PostgresStore specifics', () => {
  it('expires rows by the injected clock and sweeps them', async () => {
    let now = Date.UTC(2030, 0, 1);
    const store = new PostgresStore({ pool, tableName: `${schema}.expiry`, now: () => now, sweepIntervalMs: 1000 });
    await store.set('old', { a: '1' }, 10);
    now += 9_999;
    assert.ok(await store.get('old'));
    now += 1;
    assert.equal(await store.get('old'), undefined, 'expired rows are not read');
    const stale = 12345;
    assert.equal(await store.compareAndSet('old', stale, { a: '2' }, 10), false);
    assert.equal(await store.sweep(), 1);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${schema}.expiry`);
    assert.equal(rows[0].n, 0);
  });

  it('treats an expired row as absent for compareAndSet(undefined)', async () => {
    let now = Date.UTC(2030, 0, 1);
    const store = new PostgresStore({ pool, tableName: `${schema}.expiry2`, now: () => now });
    await store.set('gone', { a: '1' }, 10);
    assert.equal(await store.compareAndSet('gone', undefined, { a: '2' }, 10), false, 'still live');
    await store.set('gone-too', { a: '1' }, 10);
    now += 10_000;
    assert.equal(await store.compareAndSet('gone', undefined, { a: '3' }, 10), true);
    assert.deepEqual((await store.get('gone'))?.data, { a: '3' });
    assert.equal(await store.take('gone-too'), undefined, 'take ignores an expired row');
  });

  it('creates its table once even when several instances start together', async () => {
    const stores = Array.from({ length: 4 }, () => new PostgresStore({ pool, tableName: `${schema}.together` }));
    await Promise.all(stores.map((store, n) => store.set(`s${n}`, { n: String(n) }, 60)));
    for (const [n, store] of stores.entries()) assert.equal((await store.get(`s${n}`))?.data.n, String(n));
    const { rows } = await pool.query('SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2', [
      schema,
      'together',
    ]);
    assert.ok(
      rows.some((row) => row.indexname === 'together_expires_at'),
      'an index on expires_at keeps the sweep cheap',
    );
  });

  it('treats a damaged row as an absent session', async () => {
    const store = new PostgresStore({ pool, tableName: `${schema}.damaged` });
    await store.set('bad', { a: '1' }, 60);
    await pool.query(`UPDATE ${schema}.damaged SET data = 'not json' WHERE id = 'bad'`);
    assert.equal(await store.get('bad'), undefined);
    await pool.query(`UPDATE ${schema}.damaged SET data = '{"a":1}' WHERE id = 'bad'`);
    assert.equal(await store.get('bad'), undefined);
  });

  it('refuses a table name that is not a plain identifier', () => {
    assert.throws(() => new PostgresStore({ pool, tableName: 'sessions; DROP TABLE users' }), TypeError);
    assert.throws(() => new PostgresStore({ pool, tableName: 'a"b' }), TypeError);
  });

  it('raises session_store_unavailable when PostgreSQL cannot be reached', async () => {
    const down = new pg.Pool({ host: '127.0.0.1', port: 1, user: 'postgres', database: 'test' });
    const store = new PostgresStore({ pool: down, tableName: `${schema}.unreachable` });
    await assert.rejects(store.get('x'), (error: unknown) => {
      assert.ok(error instanceof SessionStoreError);
      assert.equal(error.code, 'session_store_unavailable');
      return true;
    });
    await down.end();
  });
});
