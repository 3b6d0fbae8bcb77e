import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore } from './session-store.ts';

describe('MemoryStore', () => {
  it('stores, reads and destroys sessions', async () => {
    const store = new MemoryStore();
    await store.set('id', { a: '1' }, 60);
    assert.deepEqual((await store.get('id'))?.data, { a: '1' });
    await store.destroy('id');
    assert.equal(await store.get('id'), undefined);
  });

  it('take answers the session once and removes it; an expired one is absent', async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    await store.set('id', { a: '1' }, 10);
    const [first, second] = await Promise.all([store.take('id'), store.take('id')]);
    assert.deepEqual(first?.data, { a: '1' });
    assert.equal(second, undefined);
    await store.set('old', { a: '1' }, 10);
    now = 10_000;
    assert.equal(await store.take('old'), undefined);
  });

  it('returns copies, so callers cannot change stored data in place', async () => {
    const store = new MemoryStore();
    await store.set('id', { a: '1' }, 60);
    const read = await store.get('id');
    read!.data.a = 'changed';
    assert.equal((await store.get('id'))?.data.a, '1');
  });

  it('expires sessions after their TTL, using the injected clock', async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    await store.set('id', { a: '1' }, 10);
    now = 9_999;
    assert.ok(await store.get('id'));
    now = 10_000;
    assert.equal(await store.get('id'), undefined);
  });

  it('compareAndSet writes only when the version is unchanged', async () => {
    const store = new MemoryStore();
    assert.equal(await store.compareAndSet('id', undefined, { a: '1' }, 60), true);
    assert.equal(await store.compareAndSet('id', undefined, { a: 'x' }, 60), false, 'already exists');
    const { version } = (await store.get('id'))!;
    assert.equal(await store.compareAndSet('id', version, { a: '2' }, 60), true);
    assert.equal(await store.compareAndSet('id', version, { a: '3' }, 60), false, 'stale version');
    assert.equal((await store.get('id'))?.data.a, '2');
  });

  it('drops the least recently written sessions beyond maxEntries', async () => {
    const store = new MemoryStore({ maxEntries: 2 });
    await store.set('a', {}, 60);
    await store.set('b', {}, 60);
    await store.set('a', { touched: '1' }, 60);
    await store.set('c', {}, 60);
    assert.equal(await store.get('b'), undefined);
    assert.ok(await store.get('a'));
    assert.ok(await store.get('c'));
  });
});
