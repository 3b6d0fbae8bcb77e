import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PendingSignIn, savePendingSignIn, signInLifetimeMs, takePendingSignIn } from './pending-sign-ins.ts';
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
