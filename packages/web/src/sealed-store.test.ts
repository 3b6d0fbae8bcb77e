import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CookieSealer } from './cookie-session.ts';
import { SealedStore } from './sealed-store.ts';
import { MemoryStore } from './session-store.ts';

const secret = 'sealed-store-test-secret-0123456789abcdef';
const otherSecret = 'sealed-store-other-secret-0123456789abcd';

function sealed(inner: MemoryStore, secrets = [secret], now = () => 1_000_000): SealedStore {
  return new SealedStore(inner, new CookieSealer({ secrets, now }), now);
}

describe('SealedStore', () => {
  it('writes only sealed text to the inner store and reads the data back', async () => {
    const inner = new MemoryStore();
    const store = sealed(inner);
    await store.set('a', { key: 'value' }, 60);
    const raw = await inner.get('a');
    assert.deepEqual(Object.keys(raw!.data), ['sealed']);
    assert.doesNotMatch(raw!.data.sealed!, /value/);
    assert.deepEqual((await store.get('a'))?.data, { key: 'value' });
  });

  it('reads a value written unsealed, sealed for another id, or with extra keys as absent', async () => {
    const inner = new MemoryStore();
    const store = sealed(inner);
    await inner.set('plain', { 'logto.idToken': 'forged' }, 60);
    assert.equal(await store.get('plain'), undefined);
    await store.set('a', { key: 'value' }, 60);
    await inner.set('b', (await inner.get('a'))!.data, 60);
    assert.equal(await store.get('b'), undefined, 'moved to another id');
    await inner.set('c', { ...(await inner.get('a'))!.data, extra: 'x' }, 60);
    assert.equal(await store.get('c'), undefined);
  });

  it('opens a value once, and again whenever the stored text changes or expires', async () => {
    const inner = new MemoryStore();
    let now = 1_000_000;
    const store = sealed(inner, [secret], () => now);
    await store.set('a', { key: 'value' }, 60);
    assert.deepEqual((await store.get('a'))?.data, { key: 'value' });
    const text = (await inner.get('a'))!.data.sealed!;
    await inner.set('a', { sealed: `${text.slice(0, -2)}${text.endsWith('AA') ? 'BB' : 'AA'}` }, 60);
    assert.equal(await store.get('a'), undefined, 'a tampered value is never served from memory');
    await store.set('a', { key: 'newer' }, 60);
    assert.deepEqual((await store.get('a'))?.data, { key: 'newer' });
    now += 61_000;
    assert.equal(await store.get('a'), undefined, 'past its sealed expiry');
  });

  it('compareAndSet and take seal and open too', async () => {
    const inner = new MemoryStore();
    const store = sealed(inner);
    assert.equal(await store.compareAndSet!('a', undefined, { n: '1' }, 60), true);
    const current = (await store.get('a'))!;
    assert.equal(await store.compareAndSet!('a', current.version, { n: '2' }, 60), true);
    assert.deepEqual((await store.take('a'))?.data, { n: '2' });
    assert.equal(await store.take('a'), undefined);
    await inner.set('plain', { n: '3' }, 60);
    assert.equal(await store.take('plain'), undefined, 'an unsealed value is taken as absent');
  });

  it('opens values sealed with a secret still listed after rotation, not once it is removed', async () => {
    const inner = new MemoryStore();
    await sealed(inner, [secret]).set('a', { n: '1' }, 60);
    assert.deepEqual((await sealed(inner, [otherSecret, secret]).get('a'))?.data, { n: '1' });
    assert.equal(await sealed(inner, [otherSecret]).get('a'), undefined);
  });

  it('without take on the inner store, takes by reading then removing', async () => {
    const inner = new MemoryStore();
    const plainInner = {
      get: (id: string) => inner.get(id),
      set: (id: string, data: Record<string, string>, ttl: number) => inner.set(id, data, ttl),
      destroy: (id: string) => inner.destroy(id),
    };
    const store = new SealedStore(plainInner, new CookieSealer({ secrets: [secret] }), Date.now);
    await store.set('a', { n: '1' }, 60);
    assert.deepEqual((await store.take('a'))?.data, { n: '1' });
    assert.equal(await inner.get('a'), undefined);
  });
});
