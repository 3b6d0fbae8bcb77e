/** Ends a lock hold. */
export type ReleaseLock = () => void | Promise<void>;

/**
 * Serializes the refreshes that use one refresh token (Logto rotates refresh tokens, so two
 * concurrent uses of one token can revoke the whole grant). The default {@link InProcessRefreshLock}
 * covers one process; for several processes sharing sessions, plug in a distributed lock (e.g. a
 * Redis `SET key value NX PX`) with the same contract.
 *
 * Keys are opaque strings derived from the refresh token (a hash, never the token itself).
 */
export interface RefreshLock {
  /** Resolves when the caller holds the lock for `key`; call the returned function to release it. */
  acquire(key: string): Promise<ReleaseLock>;
}

/** A {@link RefreshLock} within one process: a FIFO queue per key. */
export class InProcessRefreshLock implements RefreshLock {
  readonly #tails = new Map<string, Promise<void>>();

  async acquire(key: string): Promise<ReleaseLock> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => held);
    this.#tails.set(key, tail);
    await previous;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    };
  }
}

/**
 * The process-wide default lock: every client of the process shares it, since per-request clients
 * over one session must still take turns with its refresh token.
 */
export const defaultRefreshLock: RefreshLock = new InProcessRefreshLock();
