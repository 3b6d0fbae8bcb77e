import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AccountError, seededUserId, UserDirectory } from './accounts.ts';
import { demoWorld } from './demo-world.ts';
import { createMemoryStore } from './storage/memory-store.ts';
import { openSqliteStore } from './storage/sqlite-store.ts';

function rejectsWith(code: string) {
  return (error: unknown) => error instanceof AccountError && error.code === code && error.message.length > 0;
}

describe('user directory', () => {
  let users: UserDirectory;
  before(async () => {
    users = await UserDirectory.open(createMemoryStore(), demoWorld, () => 1_700_000_000_000);
  });

  it('seeds the configured users with stable ids', async () => {
    const demo = await users.findByIdentifier('demo');
    assert.equal(demo?.id, seededUserId('demo'));
    assert.equal(demo?.name, 'Demo User');
    assert.deepEqual(demo?.roles, ['shopper']);
    assert.equal(demo?.createdAt, 1_700_000_000_000);
    assert.match(seededUserId('demo'), /^[0-9a-f]{12}$/);
  });

  it('verifies a password by username or by email (any case)', async () => {
    const id = seededUserId('demo');
    assert.equal(await users.verifyPassword('demo', 'demo-password'), id);
    assert.equal(await users.verifyPassword('Demo@Example.com', 'demo-password'), id);
  });

  it('refuses a wrong password or an unknown identifier', async () => {
    assert.equal(await users.verifyPassword('demo', 'alice-password'), undefined);
    assert.equal(await users.verifyPassword('demo', ''), undefined);
    assert.equal(await users.verifyPassword('nobody', 'demo-password'), undefined);
  });

  it('knows which identifiers exist', async () => {
    assert.equal(await users.exists('alice'), true);
    assert.equal(await users.exists('alice@example.com'), true);
    assert.equal(await users.exists('mallory'), false);
  });

  it('registers a user who can then sign in', async () => {
    const { id } = await users.register({ username: 'newbie', email: 'New@Example.com', password: 'long-enough' });
    assert.equal(await users.verifyPassword('newbie', 'long-enough'), id);
    assert.equal(await users.verifyPassword('new@example.com', 'long-enough'), id);
    assert.equal((await users.findById(id))?.name, null);
    assert.equal((await users.findById(id))?.username, 'newbie');
  });

  it('refuses a taken username or email', async () => {
    await assert.rejects(users.register({ username: 'demo', password: 'long-enough' }), rejectsWith('username_taken'));
    await assert.rejects(
      users.register({ username: 'other', email: 'DEMO@example.com', password: 'long-enough' }),
      rejectsWith('email_taken'),
    );
  });

  it('refuses a 12 KB email, bounding every field as Logto does (128 characters)', async () => {
    const huge = `${'a'.repeat(12 * 1024)}@example.com`;
    await assert.rejects(
      users.register({ username: 'huge_email', email: huge, password: 'long-enough' }),
      rejectsWith('invalid_email'),
    );
    await assert.rejects(
      users.register({ username: `u${'x'.repeat(128)}`, password: 'long-enough' }),
      rejectsWith('invalid_username'),
    );
    assert.equal(await users.exists('huge_email'), false);
  });

  it('refuses invalid usernames, emails and short passwords', async () => {
    await assert.rejects(
      users.register({ username: '1abc', password: 'long-enough' }),
      rejectsWith('invalid_username'),
    );
    await assert.rejects(users.register({ username: 'a b', password: 'long-enough' }), rejectsWith('invalid_username'));
    await assert.rejects(users.register({ username: '', password: 'long-enough' }), rejectsWith('invalid_username'));
    await assert.rejects(
      users.register({ username: 'valid', email: 'not-an-email', password: 'long-enough' }),
      rejectsWith('invalid_email'),
    );
    await assert.rejects(users.register({ username: 'valid', password: 'short' }), rejectsWith('weak_password'));
    assert.equal(await users.exists('valid'), false);
  });
});

describe('user directory persistence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'logto-kit-users-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps registered users across a restart, and still seeds the configured ones', async () => {
    const file = join(dir, 'dev-server.sqlite');
    const firstStore = openSqliteStore(file);
    const first = await UserDirectory.open(firstStore, demoWorld);
    const { id } = await first.register({ username: 'keeper', password: 'keeper-password' });
    await firstStore.close();

    const secondStore = openSqliteStore(file);
    const second = await UserDirectory.open(secondStore, demoWorld);
    assert.equal(await second.verifyPassword('keeper', 'keeper-password'), id);
    assert.equal(await second.verifyPassword('demo', 'demo-password'), seededUserId('demo'));
    await assert.rejects(
      second.register({ username: 'keeper', password: 'another-one' }),
      rejectsWith('username_taken'),
    );
    await secondStore.close();
  });
});
