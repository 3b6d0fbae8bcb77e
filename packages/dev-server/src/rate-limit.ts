/** Options of a {@link FailureLimiter}. */
export interface FailureLimiterOptions {
  /** Failures allowed within `windowMs`; the next attempt is refused. */
  maxFailures: number;
  /** The sliding window, in milliseconds. */
  windowMs: number;
  /** The clock, in milliseconds since the epoch (injected by tests). */
  now?: () => number;
  /** Upper bound on tracked keys, so a flood of distinct identifiers cannot exhaust memory. */
  maxKeys?: number;
}

/**
 * Counts failed attempts per key (an identifier, a client IP) in a sliding window and tells when
 * a key has failed too often. Memory-only: limits reset when the server restarts.
 */
export class FailureLimiter {
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #maxKeys: number;
  readonly #failures = new Map<string, number[]>();

  constructor(options: FailureLimiterOptions) {
    this.#maxFailures = options.maxFailures;
    this.#windowMs = options.windowMs;
    this.#now = options.now ?? Date.now;
    this.#maxKeys = options.maxKeys ?? 10_000;
  }

  /** Whether `key` has used up its failures: attempts must be refused until the window slides. */
  isBlocked(key: string): boolean {
    return this.#recent(key).length >= this.#maxFailures;
  }

  /** Milliseconds until `key` may try again (0 when it is not blocked). */
  retryAfterMs(key: string): number {
    const recent = this.#recent(key);
    if (recent.length < this.#maxFailures) return 0;
    const oldestCounted = recent[recent.length - this.#maxFailures] ?? this.#now();
    return Math.max(0, oldestCounted + this.#windowMs - this.#now());
  }

  /** Records one failed attempt for `key`. */
  recordFailure(key: string): void {
    const recent = this.#recent(key);
    recent.push(this.#now());
    if (!this.#failures.has(key) && this.#failures.size >= this.#maxKeys) this.#prune();
    this.#failures.set(key, recent.slice(-this.#maxFailures));
  }

  /** Forgets the failures of `key` (after a successful sign-in). */
  reset(key: string): void {
    this.#failures.delete(key);
  }

  #recent(key: string): number[] {
    const since = this.#now() - this.#windowMs;
    return (this.#failures.get(key) ?? []).filter((time) => time > since);
  }

  #prune(): void {
    for (const key of [...this.#failures.keys()]) {
      if (this.#recent(key).length === 0) this.#failures.delete(key);
    }
    // Still full of live keys: drop the oldest entries rather than grow without bound.
    while (this.#failures.size >= this.#maxKeys) {
      const oldest = this.#failures.keys().next().value;
      if (oldest === undefined) break;
      this.#failures.delete(oldest);
    }
  }
}
