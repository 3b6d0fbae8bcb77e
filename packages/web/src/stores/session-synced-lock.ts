import type { RefreshLock, ReleaseLock } from '@logto-kit/client';
import type { Session } from '../session.ts';
import type { StoreSync } from '../store-sync.ts';

/** The longest the lock is held for new tokens that wait for the store: the Redis lock's default hold. */
const defaultHoldMs = 10_000;

/**
 * Wraps the refresh lock for one request over a store-backed session: once the lock is held the
 * session is re-read from the store (so a refresh another request or instance just did is
 * reused, not repeated with a spent refresh token) and the store is checked to take writes, and
 * before it is released this request's new tokens are written to the store (so the next holder
 * sees them) — or, while the store fails, kept and written once it answers, the lock held until then.
 */
export function sessionSyncedLock(
  lock: RefreshLock,
  sync: StoreSync,
  session: Session,
  holdMs = defaultHoldMs,
): RefreshLock {
  return {
    async acquire(key: string): Promise<ReleaseLock> {
      const release = await lock.acquire(key);
      try {
        await sync.reload(session);
        // A refresh is not started while the store cannot keep its result (answered 503 instead).
        await sync.probe(session);
      } catch (error) {
        await release();
        throw error;
      }
      return async () => {
        try {
          await sync.flush(session);
        } catch (error) {
          await release();
          throw error;
        }
        // New tokens the store did not take are kept and written once it answers; the lock is
        // held until then (at most `holdMs`), so no other instance refreshes with the spent token.
        void sync.pendingWritten(session, holdMs).then(release, release);
      };
    },
  };
}
