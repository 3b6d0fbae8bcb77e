import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { generateSigningKey } from '../keys.ts';
import { createAdapterClass } from './adapter.ts';
import { createMemoryStore } from './memory-store.ts';
import { openSqliteStore } from './sqlite-store.ts';
import { type DevStore, DuplicateUserError } from './store.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'logto-kit-store-'));
  dirs.push(dir);
  return join(dir, 'nested', 'dev-server.sqlite');
}

const implementations: [string, (now: () => number) => DevStore][] = [
  ['memory', (now) => createMemoryStore(now)],
  ['sqlite', (now) => openSqliteStore(tempFile(), now)],
];

for (const [name, open] of implementations) {
  describe(`${name} store`, () => {
    it('stores, finds and destroys oidc records', () => {
      const store = open(() => 0);
      store.oidc.upsert('Session', 's1', { payload: { uid: 'u1', accountId: 'a' }, expiresAt: undefined });
      assert.deepEqual(store.oidc.find('Session', 's1')?.payload, { uid: 'u1', accountId: 'a' });
      assert.equal(store.oidc.find('Grant', 's1'), undefined, 'records are per model');
      assert.equal(store.oidc.findByUid('Session', 'u1')?.id, 's1');
      store.oidc.destroy('Session', 's1');
      assert.equal(store.oidc.find('Session', 's1'), undefined);
      store.close();
    });

    it('forgets records once they expire, by the injected clock', () => {
      let clock = 1000;
      const store = open(() => clock);
      store.oidc.upsert('AccessToken', 't', { payload: { jti: 't' }, expiresAt: 2000 });
      assert.ok(store.oidc.find('AccessToken', 't'));
      clock = 2000;
      assert.equal(store.oidc.find('AccessToken', 't'), undefined);
      store.close();
    });

    it('revokes every record of a grant, and only those', () => {
      const store = open(() => 0);
      store.oidc.upsert('RefreshToken', 'a', { payload: { grantId: 'g1' }, expiresAt: undefined });
      store.oidc.upsert('RefreshToken', 'b', { payload: { grantId: 'g1' }, expiresAt: undefined });
      store.oidc.upsert('RefreshToken', 'c', { payload: { grantId: 'g2' }, expiresAt: undefined });
      store.oidc.revokeByGrantId('RefreshToken', 'g1');
      assert.equal(store.oidc.find('RefreshToken', 'a'), undefined);
      assert.equal(store.oidc.find('RefreshToken', 'b'), undefined);
      assert.ok(store.oidc.find('RefreshToken', 'c'));
      store.close();
    });

    it('does not let callers mutate stored records', () => {
      const store = open(() => 0);
      const payload = { jti: 'x', nested: { value: 1 } };
      store.oidc.upsert('Grant', 'x', { payload, expiresAt: undefined });
      payload.nested.value = 2;
      const found = store.oidc.find('Grant', 'x');
      assert.deepEqual(found?.payload, { jti: 'x', nested: { value: 1 } });
      store.close();
    });

    it('lists keys newest first', () => {
      const store = open(() => 0);
      const older = generateSigningKey();
      const newer = generateSigningKey();
      store.keys.add({ jwk: older, createdAt: 1 });
      store.keys.add({ jwk: newer, createdAt: 2 });
      assert.deepEqual(
        store.keys.list().map((key) => key.jwk.kid),
        [newer.kid, older.kid],
      );
      store.close();
    });

    it('refuses a second user with the same username or email', () => {
      const store = open(() => 0);
      const user = {
        id: 'u1',
        username: 'bob',
        email: 'bob@example.com',
        passwordHash: 'h',
        createdAt: 1,
        updatedAt: 1,
      };
      store.users.insert(user);
      assert.throws(
        () => store.users.insert({ ...user, id: 'u2', email: 'other@example.com' }),
        (error) => error instanceof DuplicateUserError && error.field === 'username',
      );
      assert.throws(
        () => store.users.insert({ ...user, id: 'u3', username: 'bobby' }),
        (error) => error instanceof DuplicateUserError && error.field === 'email',
      );
      store.users.insert({ ...user, id: 'u4', username: 'carol', email: null });
      store.users.insert({ ...user, id: 'u5', username: 'dave', email: null });
      assert.deepEqual(
        store.users.list().map((stored) => stored.username),
        ['bob', 'carol', 'dave'],
      );
      store.close();
    });

    it('backs an oidc-provider adapter that marks consumption in milliseconds, once', async () => {
      let clock = 5_000;
      const store = open(() => clock);
      const Adapter = createAdapterClass(store.oidc, () => clock);
      const adapter = new Adapter('RefreshToken');
      await adapter.upsert('rt', { jti: 'rt', grantId: 'g' }, 60);
      await adapter.consume('rt');
      clock = 6_000;
      await adapter.consume('rt');
      assert.equal((await adapter.find('rt'))?.consumed, 5_000);
      clock = 5_000 + 60_000;
      assert.equal(await adapter.find('rt'), undefined, 'expires after expiresIn seconds');
      store.close();
    });
  });
}

describe('sqlite store persistence', () => {
  it('keeps records, keys and users across reopening the file', () => {
    const file = tempFile();
    const first = openSqliteStore(file);
    const key = generateSigningKey();
    first.keys.add({ jwk: key, createdAt: 1 });
    first.users.insert({ id: 'u1', username: 'bob', email: null, passwordHash: 'h', createdAt: 1, updatedAt: 1 });
    first.oidc.upsert('Grant', 'g', { payload: { accountId: 'u1' }, expiresAt: undefined });
    first.close();

    const second = openSqliteStore(file);
    assert.equal(second.keys.list()[0]?.jwk.kid, key.kid);
    assert.equal(second.keys.list()[0]?.jwk.d, key.d);
    assert.equal(second.users.list()[0]?.username, 'bob');
    assert.deepEqual(second.oidc.find('Grant', 'g')?.payload, { accountId: 'u1' });
    second.close();
  });
});
