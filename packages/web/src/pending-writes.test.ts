import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PendingWrites, withChanges } from './pending-writes.ts';
import { MemoryStore } from './session-store.ts';

/** A memory store whose writes can be made to fail. */
function flakyStore(): { store: MemoryStore; fail: (failing: boolean) => void } {
  const store = new MemoryStore();
  let failing = false;
  const compareAndSet = store.compareAndSet.bind(store);
  store.compareAndSet = async (...args) => {
    if (failing) throw new Error('store down');
    return compareAndSet(...args);
  };
  return { store, fail: (value) => (failing = value) };
}

describe('PendingWrites', () => {
  it('shows kept changes on top of the stored data and writes them once the store takes writes', async () => {
    const { store, fail } = flakyStore();
    await store.set('s', { 'logto.refreshToken': 'r1', other: 'x' }, 60);
    const pending = new PendingWrites(store);
    pending.keep('s', new Map([['logto.refreshToken', 'r2']]), 60);
    assert.deepEqual(pending.overlay('s', (await store.get('s'))!.data), { 'logto.refreshToken': 'r2', other: 'x' });
    fail(true);
    await pending.flush();
    assert.equal(pending.size, 1, 'still kept while the store fails');
    fail(false);
    const written = pending.written('s', 60_000);
    await pending.flush();
    await written;
    assert.equal(pending.size, 0);
    assert.deepEqual((await store.get('s'))?.data, { 'logto.refreshToken': 'r2', other: 'x' });
  });

  it('does not bring back a session that ended meanwhile', async () => {
    const { store } = flakyStore();
    const pending = new PendingWrites(store);
    pending.keep('gone', new Map([['logto.refreshToken', 'r2']]), 60);
    await pending.flush();
    assert.equal(pending.size, 0);
    assert.equal(await store.get('gone'), undefined);
  });

  it('merges later changes into earlier kept ones, removals included', () => {
    const pending = new PendingWrites(new MemoryStore());
    pending.keep('s', new Map([['a', '1']]), 60);
    pending.keep(
      's',
      new Map<string, string | undefined>([
        ['b', '2'],
        ['c', undefined],
      ]),
      60,
    );
    assert.deepEqual(pending.overlay('s', { c: 'old' }), { a: '1', b: '2' });
    pending.drop('s');
    assert.deepEqual(pending.overlay('s', { c: 'old' }), { c: 'old' });
    assert.deepEqual(withChanges({ a: '1' }, new Map([['a', undefined]])), {});
  });
});
