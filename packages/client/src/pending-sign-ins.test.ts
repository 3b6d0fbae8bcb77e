import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type PendingSignIn,
  peekPendingSignIn,
  savePendingSignIn,
  signInLifetimeMs,
  takePendingSignIn,
} from './pending-sign-ins.ts';
import { MemoryStorage, StorageKey } from './storage.ts';

function signIn(n: number, expiresAt: number): PendingSignIn {
  const state = `${String(n).padStart(3, '0')}${'s'.repeat(40)}`;
  return { state, nonce: 'n', codeVerifier: 'v', redirectUri: 'https://app.example.com/callback', expiresAt };
}

describe('pending sign-ins', () => {
  it('are single use', async () => {
    const storage = new MemoryStorage();
    const pending = signIn(1, signInLifetimeMs);
    await savePendingSignIn(storage, pending, 0);
    assert.deepEqual(await takePendingSignIn(storage, pending.state, 0), pending);
    assert.equal(await takePendingSignIn(storage, pending.state, 0), undefined);
  });

  it('expire', async () => {
    const storage = new MemoryStorage();
    const pending = signIn(1, 1000);
    await savePendingSignIn(storage, pending, 0);
    assert.equal(await takePendingSignIn(storage, pending.state, 1000), undefined);
  });

  it('prune expired entries and keep at most 20', async () => {
    const storage = new MemoryStorage();
    await savePendingSignIn(storage, signIn(0, 10), 0);
    for (let n = 1; n <= 25; n++) await savePendingSignIn(storage, signIn(n, 1_000_000), 100);
    assert.equal(storage.get(StorageKey.SignInPrefix + signIn(0, 0).state), null, 'the expired one is gone');
    for (let n = 1; n <= 5; n++) {
      assert.equal(storage.get(StorageKey.SignInPrefix + signIn(n, 0).state), null, `the oldest (${n}) is gone`);
    }
    for (let n = 6; n <= 25; n++) assert.ok(await takePendingSignIn(storage, signIn(n, 0).state, 100));
  });

  it('never look up a malformed state', async () => {
    const storage = new MemoryStorage();
    let reads = 0;
    const counting = {
      get: (key: string) => {
        reads += 1;
        return storage.get(key);
      },
      set: (key: string, value: string) => storage.set(key, value),
      delete: (key: string) => storage.delete(key),
    };
    assert.equal(await takePendingSignIn(counting, 'short', 0), undefined);
    assert.equal(await takePendingSignIn(counting, null, 0), undefined);
    assert.equal(reads, 0);
  });
});

describe('pending sign-ins: the index and the state format', () => {
  const index = (storage: MemoryStorage) => JSON.parse(storage.get(StorageKey.SignInIndex) ?? 'null');

  it('last ten minutes', () => {
    assert.equal(signInLifetimeMs, 10 * 60 * 1000);
  });

  it("count a sign-in expiring exactly now as expired: deleted, and not taking a live one's place", async () => {
    const storage = new MemoryStorage();
    for (let n = 1; n <= 19; n++) await savePendingSignIn(storage, signIn(n, 1_000_000), 0);
    const expiring = signIn(50, 100);
    await savePendingSignIn(storage, expiring, 0);
    await savePendingSignIn(storage, signIn(20, 1_000_000), 100);
    assert.equal(storage.get(StorageKey.SignInPrefix + expiring.state), null, 'the expired one is deleted');
    assert.equal(index(storage).length, 20);
    for (let n = 1; n <= 20; n++) assert.ok(await takePendingSignIn(storage, signIn(n, 0).state, 100), `${n} is kept`);
  });

  it('remove a taken sign-in from the index, and only it', async () => {
    const storage = new MemoryStorage();
    await savePendingSignIn(storage, signIn(1, 1000), 0);
    await savePendingSignIn(storage, signIn(2, 1000), 0);
    await takePendingSignIn(storage, signIn(1, 0).state, 0);
    assert.deepEqual(index(storage), [{ state: signIn(2, 0).state, expiresAt: 1000 }]);
    await takePendingSignIn(storage, signIn(2, 0).state, 0);
    assert.deepEqual(index(storage), []);
  });

  it('write nothing when the state is unknown, also without an index', async () => {
    const storage = new MemoryStorage();
    let writes = 0;
    const counting = {
      get: (key: string) => storage.get(key),
      set: (key: string, value: string) => {
        writes += 1;
        storage.set(key, value);
      },
      delete: (key: string) => storage.delete(key),
    };
    assert.equal(await takePendingSignIn(counting, signIn(1, 0).state, 0), undefined, 'no index at all');
    await savePendingSignIn(storage, signIn(2, 1000), 0);
    assert.equal(await takePendingSignIn(counting, signIn(1, 0).state, 0), undefined);
    assert.equal(writes, 0);
    assert.equal(index(storage).length, 1);
  });

  it('refuse a state of another length or shape even when the storage holds it', async () => {
    const storage = new MemoryStorage();
    for (const state of ['a'.repeat(44), `!${'a'.repeat(43)}`, `${'a'.repeat(43)}!`, 'a'.repeat(42)]) {
      await savePendingSignIn(storage, { ...signIn(0, 1000), state }, 0);
      assert.equal(await peekPendingSignIn(storage, state, 0), undefined, state);
      assert.equal(await takePendingSignIn(storage, state, 0), undefined, state);
    }
  });

  it('refuse a stored sign-in whose own state differs from its key', async () => {
    const storage = new MemoryStorage();
    const state = signIn(1, 0).state;
    storage.set(StorageKey.SignInPrefix + state, JSON.stringify(signIn(2, 1000)));
    assert.equal(await peekPendingSignIn(storage, state, 0), undefined);
    assert.equal(await takePendingSignIn(storage, state, 0), undefined);
  });
});
