import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { generateSigningKey } from '../keys.ts';
import { freshSchema, requirePostgres } from '../test-support/postgres.ts';
import { createAdapterClass } from './adapter.ts';
import { createMemoryStore } from './memory-store.ts';
import { openPostgresStore } from './postgres-store.ts';
import { openSqliteStore } from './sqlite-store.ts';
import { type DevStore, DuplicateUserError, sweepEveryWrites } from './store.ts';

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'logto-kit-store-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'nested', 'dev-server.sqlite');
}

await requirePostgres();

const implementations: [string, (now: () => number) => Promise<DevStore>][] = [
  ['memory', async (now) => createMemoryStore(now)],
  ['sqlite', async (now) => openSqliteStore(tempFile(), now)],
  [
    'postgres',
    async (now) => {
      const schema = freshSchema();
      cleanups.push(schema.drop);
      return openPostgresStore(schema.options, now);
    },
  ],
];

const user = { id: 'u1', username: 'bob', email: 'bob@example.com', passwordHash: 'h', createdAt: 1, updatedAt: 1 };

for (const [name, open] of implementations) {
  describe(`${name} store`, () => {
    it('stores, finds and destroys oidc records', async () => {
      const store = await open(() => 0);
      await store.oidc.upsert('Session', 's1', { payload: { uid: 'u1', accountId: 'a' }, expiresAt: undefined });
      assert.deepEqual((await store.oidc.find('Session', 's1'))?.payload, { uid: 'u1', accountId: 'a' });
      assert.equal(await store.oidc.find('Grant', 's1'), undefined, 'records are per model');
      assert.equal((await store.oidc.findByUid('Session', 'u1'))?.id, 's1');
      await store.oidc.upsert('Session', 's1', { payload: { uid: 'u2' }, expiresAt: undefined });
      assert.deepEqual((await store.oidc.find('Session', 's1'))?.payload, { uid: 'u2' }, 'upsert replaces');
      await store.oidc.destroy('Session', 's1');
      assert.equal(await store.oidc.find('Session', 's1'), undefined);
      await store.close();
    });

    it('forgets records once they expire, by the injected clock', async () => {
      let clock = 1000;
      const store = await open(() => clock);
      await store.oidc.upsert('AccessToken', 't', { payload: { jti: 't' }, expiresAt: 2000 });
      assert.ok(await store.oidc.find('AccessToken', 't'));
      clock = 2000;
      assert.equal(await store.oidc.find('AccessToken', 't'), undefined);
      await store.close();
    });

    it('revokes every record of a grant, and only those', async () => {
      const store = await open(() => 0);
      await store.oidc.upsert('RefreshToken', 'a', { payload: { grantId: 'g1' }, expiresAt: undefined });
      await store.oidc.upsert('RefreshToken', 'b', { payload: { grantId: 'g1' }, expiresAt: undefined });
      await store.oidc.upsert('RefreshToken', 'c', { payload: { grantId: 'g2' }, expiresAt: undefined });
      await store.oidc.revokeByGrantId('RefreshToken', 'g1');
      assert.equal(await store.oidc.find('RefreshToken', 'a'), undefined);
      assert.equal(await store.oidc.find('RefreshToken', 'b'), undefined);
      assert.ok(await store.oidc.find('RefreshToken', 'c'));
      await store.close();
    });

    it('records the first consumption only', async () => {
      const store = await open(() => 0);
      await store.oidc.upsert('RefreshToken', 'rt', { payload: { jti: 'rt' }, expiresAt: undefined });
      await Promise.all([
        store.oidc.consume('RefreshToken', 'rt', 5000),
        store.oidc.consume('RefreshToken', 'rt', 5000),
      ]);
      await store.oidc.consume('RefreshToken', 'rt', 9000);
      assert.equal((await store.oidc.find('RefreshToken', 'rt'))?.payload.consumed, 5000);
      await store.close();
    });

    it('does not let callers mutate stored records', async () => {
      const store = await open(() => 0);
      const payload = { jti: 'x', nested: { value: 1 } };
      await store.oidc.upsert('Grant', 'x', { payload, expiresAt: undefined });
      payload.nested.value = 2;
      const found = await store.oidc.find('Grant', 'x');
      assert.deepEqual(found?.payload, { jti: 'x', nested: { value: 1 } });
      await store.close();
    });

    it('lists keys newest first, and creates the first one only once', async () => {
      const store = await open(() => 0);
      const first = generateSigningKey();
      const listed = await Promise.all([
        store.keys.listOrCreate(() => ({ jwk: first, createdAt: 1 })),
        store.keys.listOrCreate(() => ({ jwk: generateSigningKey(), createdAt: 1 })),
      ]);
      assert.equal(listed[0].length, 1);
      assert.deepEqual(listed[0], listed[1], 'concurrent starts agree on one first key');
      const newer = generateSigningKey();
      await store.keys.add({ jwk: newer, createdAt: 2 });
      const keys = await store.keys.list();
      assert.equal(keys.length, 2);
      assert.equal(keys[0]?.jwk.kid, newer.kid);
      assert.deepEqual(await store.keys.listOrCreate(() => ({ jwk: generateSigningKey(), createdAt: 3 })), keys);
      await store.close();
    });

    it('finds users by id, username and email, and refuses a second one with the same username or email', async () => {
      const store = await open(() => 0);
      await store.users.insert(user);
      assert.equal((await store.users.findById('u1'))?.username, 'bob');
      assert.equal((await store.users.findByUsername('bob'))?.id, 'u1');
      assert.equal((await store.users.findByEmail('bob@example.com'))?.passwordHash, 'h');
      assert.equal(await store.users.findByUsername('nobody'), undefined);
      await assert.rejects(
        store.users.insert({ ...user, id: 'u2', email: 'other@example.com' }),
        (error) => error instanceof DuplicateUserError && error.field === 'username',
      );
      await assert.rejects(
        store.users.insert({ ...user, id: 'u3', username: 'bobby' }),
        (error) => error instanceof DuplicateUserError && error.field === 'email',
      );
      await store.users.insert({ ...user, id: 'u4', username: 'carol', email: null });
      await store.users.insert({ ...user, id: 'u5', username: 'dave', email: null });
      assert.equal((await store.users.findById('u5'))?.email, null);
      await store.close();
    });

    it('creates a secret once and returns the same one afterwards', async () => {
      const store = await open(() => 0);
      const first = await store.secrets.getOrCreate('cookie-key', () => 'one');
      const second = await store.secrets.getOrCreate('cookie-key', () => 'two');
      assert.equal(first, 'one');
      assert.equal(second, 'one');
      assert.equal(await store.secrets.getOrCreate('other', () => 'three'), 'three');
      await store.close();
    });

    it('backs an oidc-provider adapter that marks consumption in milliseconds', async () => {
      let clock = 5_000;
      const store = await open(() => clock);
      const Adapter = createAdapterClass(store.oidc, () => clock);
      const adapter = new Adapter('RefreshToken');
      await adapter.upsert('rt', { jti: 'rt', grantId: 'g' }, 60);
      await adapter.consume('rt');
      clock = 6_000;
      await adapter.consume('rt');
      assert.equal((await adapter.find('rt'))?.consumed, 5_000);
      clock = 5_000 + 60_000;
      assert.equal(await adapter.find('rt'), undefined, 'expires after expiresIn seconds');
      await store.close();
    });
  });
}

describe('sqlite store persistence', () => {
  it('keeps records, keys, users and secrets across reopening the file', async () => {
    const file = tempFile();
    const first = openSqliteStore(file);
    const key = generateSigningKey();
    await first.keys.add({ jwk: key, createdAt: 1 });
    await first.users.insert({ ...user, email: null });
    await first.oidc.upsert('Grant', 'g', { payload: { accountId: 'u1' }, expiresAt: undefined });
    await first.secrets.getOrCreate('cookie-key', () => 'kept');
    await first.close();

    const second = openSqliteStore(file);
    const [stored] = await second.keys.list();
    assert.equal(stored?.jwk.kid, key.kid);
    assert.equal(stored?.jwk.d, key.d);
    assert.equal((await second.users.findById('u1'))?.username, 'bob');
    assert.deepEqual((await second.oidc.find('Grant', 'g'))?.payload, { accountId: 'u1' });
    assert.equal(await second.secrets.getOrCreate('cookie-key', () => 'new'), 'kept');
    await second.close();
  });
});

describe('sqlite store sweeping', () => {
  it('deletes expired records from the file as writes go on', async () => {
    const file = tempFile();
    let clock = 0;
    const store = openSqliteStore(file, () => clock);
    await store.oidc.upsert('AccessToken', 'old', { payload: {}, expiresAt: 1000 });
    clock = 2000;
    const rows = () => {
      const db = new DatabaseSync(file, { readOnly: true });
      try {
        return (db.prepare("SELECT count(*) AS n FROM oidc_records WHERE id = 'old'").get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    assert.equal(rows(), 1, 'still in the file before the sweep');
    for (let index = 0; index < sweepEveryWrites; index += 1) {
      await store.oidc.upsert('Session', `s${index}`, { payload: {}, expiresAt: undefined });
    }
    assert.equal(rows(), 0);
    await store.close();
  });
});
