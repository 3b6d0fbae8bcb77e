import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InProcessRefreshLock } from '@logto-kit/client';
import { parseCookieHeader } from '../cookies.ts';
import { SessionManager } from '../session-manager.ts';
import { MemoryStore } from '../session-store.ts';
import { sessionSyncedLock } from './session-synced-lock.ts';

const secrets = ['session-synced-lock-test-secret-0123456789'];

async function signedInCookie(manager: SessionManager): Promise<Map<string, string>> {
  const session = await manager.load({ cookies: new Map(), secure: false });
  session.set('logto.refreshToken', 'r0');
  const headers = await manager.commit(session);
  return parseCookieHeader(headers.map((header) => header.split(';')[0]).join('; '));
}

/** The session as stored now (stored values are sealed: read through the manager). */
async function storedData(manager: SessionManager, cookies: Map<string, string>): Promise<Record<string, string>> {
  return (await manager.load({ cookies, secure: false })).snapshot();
}

describe('sessionSyncedLock', () => {
  it('hands the next holder what the previous holder wrote, before either response ends', async () => {
    const store = new MemoryStore();
    const manager = new SessionManager({ secrets, store });
    const cookies = await signedInCookie(manager);
    const first = await manager.load({ cookies, secure: false });
    const second = await manager.load({ cookies, secure: false });
    second.set('unrelated', 'kept');
    const lock = new InProcessRefreshLock();

    const releaseFirst = await sessionSyncedLock(lock, manager.sync!, first).acquire('k');
    const secondHolds = sessionSyncedLock(lock, manager.sync!, second).acquire('k');
    first.set('logto.refreshToken', 'r1');
    first.set('logto.accessTokens', '{"fresh":true}');
    await releaseFirst();
    const releaseSecond = await secondHolds;

    assert.equal(second.get('logto.refreshToken'), 'r1', 'the second request reads the rotated token');
    assert.equal(second.get('logto.accessTokens'), '{"fresh":true}');
    assert.equal(second.get('unrelated'), 'kept', 'its own change survives the re-read');
    await releaseSecond();
    assert.deepEqual(await storedData(manager, cookies), {
      'logto.refreshToken': 'r1',
      'logto.accessTokens': '{"fresh":true}',
      unrelated: 'kept',
    });
  });

  it('refuses the lock (no refresh starts) while the store does not take writes, and keeps new tokens it did not take', async () => {
    const store = new MemoryStore();
    let writable = true;
    const compareAndSet = store.compareAndSet.bind(store);
    store.compareAndSet = async (...args) => {
      if (!writable) throw new Error('store down');
      return compareAndSet(...args);
    };
    const reported: unknown[] = [];
    const logger = { debug() {}, error: (_message: string, error: unknown) => reported.push(error) };
    const manager = new SessionManager({ secrets, store, logger });
    const cookies = await signedInCookie(manager);
    const session = await manager.load({ cookies, secure: false });
    const lock = new InProcessRefreshLock();
    writable = false;
    await assert.rejects(sessionSyncedLock(lock, manager.sync!, session).acquire('k'), /store down/);
    writable = true;
    const release = await sessionSyncedLock(lock, manager.sync!, session).acquire('k');
    // The outage begins during the refresh: the new token is kept and seen by later requests.
    writable = false;
    session.set('logto.refreshToken', 'r1');
    await release();
    assert.equal(manager.pendingWrites, 1);
    assert.equal(reported.length, 1, 'reported');
    assert.equal((await manager.load({ cookies, secure: false })).get('logto.refreshToken'), 'r1');
    writable = true;
    await manager.sync!.pendingWritten(session, 60_000);
    assert.equal(manager.pendingWrites, 0);
    assert.equal((await storedData(manager, cookies))['logto.refreshToken'], 'r1');
  });

  it('without the re-read the second holder would still see the spent refresh token', async () => {
    const store = new MemoryStore();
    const manager = new SessionManager({ secrets, store });
    const cookies = await signedInCookie(manager);
    const first = await manager.load({ cookies, secure: false });
    const second = await manager.load({ cookies, secure: false });
    const lock = new InProcessRefreshLock();
    const releaseFirst = await sessionSyncedLock(lock, manager.sync!, first).acquire('k');
    first.set('logto.refreshToken', 'r1');
    await releaseFirst();
    const releasePlain = await lock.acquire('k');
    assert.equal(second.get('logto.refreshToken'), 'r0');
    releasePlain();
  });

  it('a stale final commit does not undo a newer refresh written by another request', async () => {
    const store = new MemoryStore();
    const manager = new SessionManager({ secrets, store });
    const cookies = await signedInCookie(manager);
    const first = await manager.load({ cookies, secure: false });
    const second = await manager.load({ cookies, secure: false });
    const lock = new InProcessRefreshLock();
    const releaseFirst = await sessionSyncedLock(lock, manager.sync!, first).acquire('k');
    first.set('logto.refreshToken', 'r1');
    await releaseFirst();
    const releaseSecond = await sessionSyncedLock(lock, manager.sync!, second).acquire('k');
    second.set('logto.refreshToken', 'r2');
    await releaseSecond();
    await manager.commit(first);
    await manager.commit(second);
    assert.equal((await storedData(manager, cookies))['logto.refreshToken'], 'r2');
  });
});
