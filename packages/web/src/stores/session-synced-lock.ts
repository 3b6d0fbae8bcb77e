import type { RefreshLock, ReleaseLock } from '@logto-kit/client';
import type { Session } from '../session.ts';

/**
 * Wraps the refresh lock for one request over a store-backed session: once the lock is held the
 * session is re-read from the store (so a refresh another request or instance just did is
 * reused, not repeated with a spent refresh token), and before it is released this request's
 * new tokens are written to the store (so the next holder sees them).
 */
export function sessionSyncedLock(lock: RefreshLock, session: Session): RefreshLock {
  return {
    async acquire(key: string): Promise<ReleaseLock> {
      const release = await lock.acquire(key);
      try {
        await session.reloadFromStore();
      } catch (error) {
        await release();
        throw error;
      }
      return async () => {
        try {
          await session.flushToStore();
        } finally {
          await release();
        }
      };
    },
  };
}
