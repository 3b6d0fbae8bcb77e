/**
 * A bounded least-recently-used cache of verified tokens, keyed by the whole token string. An entry
 * is never returned at or after its expiry (the token's `exp`), so caching never extends a token's
 * life; the signature check is what it saves.
 */
export class VerifiedTokenCache<T> {
  readonly #maxEntries: number;
  // A Map iterates in insertion order; re-inserting on a hit makes the first key the least recently used.
  readonly #entries = new Map<string, { readonly value: T; readonly expiresAt: number }>();

  /** @param maxEntries - The most tokens kept; the least recently used is dropped beyond it. */
  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError('The verified-token cache size must be a positive integer.');
    }
    this.#maxEntries = maxEntries;
  }

  /** The cached value for `token` if it has not expired at `now` (milliseconds). */
  get(token: string, now: number): T | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    this.#entries.delete(token);
    if (now >= entry.expiresAt) return undefined;
    this.#entries.set(token, entry);
    return entry.value;
  }

  /** Caches `value` for `token` until `expiresAt` (milliseconds). */
  set(token: string, value: T, expiresAt: number): void {
    const entries = this.#entries;
    // A new token (the usual case: `get` just missed) makes room by dropping the least recently used.
    if (!entries.delete(token) && entries.size >= this.#maxEntries) {
      for (const oldest of entries.keys()) {
        entries.delete(oldest);
        break;
      }
    }
    entries.set(token, { value, expiresAt });
  }

  /** How many tokens are cached (expired ones may still be counted until looked up or evicted). */
  get size(): number {
    return this.#entries.size;
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.clear();
  }
}
