/**
 * Server-side session stores. With a store, the session cookie carries only an encrypted, random
 * session id; the data stays on the server. Redis and PostgreSQL stores implement the same
 * interface.
 */

/** Session data: string keys and string values, the shape `LogtoClient` storage reads and writes. */
export type SessionData = Record<string, string>;

/** A stored session with its version, which changes on every write. */
export interface StoredSession {
  data: SessionData;
  /** Opaque to callers; compared by {@link SessionStore.compareAndSet}. */
  version: number;
}

/** Where sessions live when they are not kept in the cookie itself. */
export interface SessionStore {
  /** The session with this id, or `undefined` when absent or expired. */
  get(id: string): Promise<StoredSession | undefined>;
  /** Writes the session unconditionally; it expires after `ttlSeconds`. */
  set(id: string, data: SessionData, ttlSeconds: number): Promise<void>;
  /** Removes the session; removing an absent session is not an error. */
  destroy(id: string): Promise<void>;
  /**
   * Removes the session and answers what it held (`undefined` when absent or expired), in one
   * atomic step: of concurrent callers, exactly one gets it. The sign-in callback takes the
   * session holding the pending sign-in this way, so a repeated callback never redeems the
   * code twice. Stores without it fall back to a read then a removal.
   */
  take?(id: string): Promise<StoredSession | undefined>;
  /**
   * Writes the session only if its version is still `expectedVersion` (`undefined`: only if it
   * does not exist), atomically. Answers whether it wrote. Stores that implement it let
   * concurrent requests of one user merge their changes instead of overwriting each other.
   */
  compareAndSet?(
    id: string,
    expectedVersion: number | undefined,
    data: SessionData,
    ttlSeconds: number,
  ): Promise<boolean>;
}

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Current time in milliseconds; injectable for tests. Defaults to `Date.now`. */
  now?: () => number;
  /** The most sessions kept; the oldest are dropped beyond it. Defaults to 100 000. */
  maxEntries?: number;
}

interface MemoryEntry {
  data: SessionData;
  version: number;
  expiresAt: number;
}

/**
 * A {@link SessionStore} in this process's memory: for development, tests and single-process
 * deployments. Sessions are lost on restart and not shared between processes.
 */
export class MemoryStore implements SessionStore {
  readonly #entries = new Map<string, MemoryEntry>();
  readonly #now: () => number;
  readonly #maxEntries: number;
  #nextVersion = 1;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? 100_000;
  }

  /** The number of sessions held, expired ones not yet swept included. */
  get size(): number {
    return this.#entries.size;
  }

  async get(id: string): Promise<StoredSession | undefined> {
    const entry = this.#live(id);
    return entry ? { data: { ...entry.data }, version: entry.version } : undefined;
  }

  async set(id: string, data: SessionData, ttlSeconds: number): Promise<void> {
    this.#write(id, data, ttlSeconds);
  }

  async destroy(id: string): Promise<void> {
    this.#entries.delete(id);
  }

  async take(id: string): Promise<StoredSession | undefined> {
    // Read and removal happen in one synchronous step, so no other request can interleave.
    const entry = this.#live(id);
    this.#entries.delete(id);
    return entry ? { data: { ...entry.data }, version: entry.version } : undefined;
  }

  async compareAndSet(
    id: string,
    expectedVersion: number | undefined,
    data: SessionData,
    ttlSeconds: number,
  ): Promise<boolean> {
    // Check and write happen in one synchronous step, so no other request can interleave.
    if (this.#live(id)?.version !== expectedVersion) return false;
    this.#write(id, data, ttlSeconds);
    return true;
  }

  #live(id: string): MemoryEntry | undefined {
    const entry = this.#entries.get(id);
    if (entry && entry.expiresAt <= this.#now()) {
      this.#entries.delete(id);
      return undefined;
    }
    return entry;
  }

  #write(id: string, data: SessionData, ttlSeconds: number): void {
    this.#entries.delete(id);
    this.#entries.set(id, {
      data: { ...data },
      version: this.#nextVersion++,
      expiresAt: this.#now() + ttlSeconds * 1000,
    });
    if (this.#entries.size > this.#maxEntries) this.#sweep();
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(id);
    }
    // Map iteration is insertion order and writes re-insert, so the first keys are the least recently written.
    for (const id of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(id);
    }
  }
}
