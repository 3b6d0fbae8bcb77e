interface Entry<T> {
  readonly token: string;
  readonly value: T;
  readonly expiresAt: number;
}

/**
 * A bounded cache of verified tokens, keyed by the whole token string, that drops the least recently
 * used first. Entries are found by a fingerprint of the token's last characters (hashing a whole
 * token of a kilobyte for a `Map` costs more than the rest of a cache hit) and then compared whole:
 * a token is only ever answered with its own entry; two tokens with the same fingerprint only take
 * each other's place. An entry is never returned at or after its expiry (the token's `exp`), so caching
 * never extends a token's life; the signature check is what it saves.
 *
 * Tokens are admitted on their second verification ({@link VerifiedTokenCache.offer}): the first
 * one only leaves a 30-bit fingerprint. A token that comes back while it is still remembered (within
 * about as many other first sightings as the cache holds tokens) is cached; one that does not would
 * have been evicted before its next use anyway. So a stream of tokens that are never reused, such
 * as a new token on every request, costs a number in a set instead of a cache entry each (holding
 * thousands of verified results alive was a visible share of the verification cost, in garbage
 * collection), while a reused token costs one more signature check than with immediate admission.
 *
 * It keeps two generations of at most half the size each: new and used tokens go into the current
 * one, and when that is full it becomes the previous one and the old previous one is dropped whole.
 * So the ⌈maxEntries / 2⌉ most recently used tokens are always kept, never more than `maxEntries`,
 * and neither a hit nor an insert has to reorder or evict entry by entry (with a new token on every
 * request, per-entry eviction from a `Map` was a visible share of the verification cost).
 */
export class VerifiedTokenCache<T> {
  readonly #generationSize: number;
  #current = new Map<number, Entry<T>>();
  #previous = new Map<number, Entry<T>>();
  // Fingerprints of tokens offered once, in two generations like the entries.
  #seen = new Set<number>();
  #seenPreviously = new Set<number>();

  /** @param maxEntries - The most tokens kept; the least recently used are dropped beyond it. */
  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError('The verified-token cache size must be a positive integer.');
    }
    // Two generations of ⌈n/2⌉, the current one never full after an insert: at most n in all.
    this.#generationSize = Math.ceil(maxEntries / 2);
  }

  /** The cached value for `token` if it has not expired at `now` (milliseconds). */
  get(token: string, now: number): T | undefined {
    const fingerprint = fingerprintOf(token);
    const entry = this.#current.get(fingerprint);
    if (entry !== undefined && entry.token === token) {
      if (now < entry.expiresAt) return entry.value;
      this.#current.delete(fingerprint);
      return undefined;
    }
    const old = this.#previous.get(fingerprint);
    if (old === undefined || old.token !== token) return undefined;
    this.#previous.delete(fingerprint);
    if (now >= old.expiresAt) return undefined;
    this.#insert(fingerprint, old);
    return old.value;
  }

  /** Caches `value` for `token` until `expiresAt` (milliseconds). */
  set(token: string, value: T, expiresAt: number): void {
    // A copy left in the previous generation is never read (the current one is looked up first)
    // and goes with it, so a new token costs one insert.
    this.#insert(fingerprintOf(token), { token, value, expiresAt });
  }

  /**
   * Offers a freshly verified token: cached (as by {@link VerifiedTokenCache.set}) when it was
   * offered before and is still remembered, otherwise only remembered. Returns whether it was cached.
   */
  offer(token: string, value: T, expiresAt: number): boolean {
    const fingerprint = fingerprintOf(token);
    if (this.#seen.has(fingerprint) || this.#seenPreviously.has(fingerprint)) {
      this.#insert(fingerprint, { token, value, expiresAt });
      return true;
    }
    this.#seen.add(fingerprint);
    if (this.#seen.size >= this.#generationSize) {
      this.#seenPreviously = this.#seen;
      this.#seen = new Set();
    }
    return false;
  }

  /** How many entries are held (expired or superseded ones may still be counted until dropped). */
  get size(): number {
    return this.#current.size + this.#previous.size;
  }

  /** Drops every entry. */
  clear(): void {
    this.#current.clear();
    this.#previous.clear();
    this.#seen.clear();
    this.#seenPreviously.clear();
  }

  #insert(fingerprint: number, entry: Entry<T>): void {
    const current = this.#current;
    current.set(fingerprint, entry);
    if (current.size >= this.#generationSize) {
      this.#previous = current;
      this.#current = new Map();
    }
  }
}

/**
 * A 30-bit fingerprint (a small integer, so a set of them holds no objects) of the last characters
 * of a token: for a JWT, its signature, which differs between any two tokens. Two tokens with the
 * same fingerprint only let the second one into the cache a verification early, or take each
 * other's entry; an entry answers only the token it holds.
 */
function fingerprintOf(token: string): number {
  let hash = 0x811c9dc5;
  for (let i = Math.max(0, token.length - 16); i < token.length; i += 1) {
    hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193);
  }
  return hash & 0x3fffffff;
}
