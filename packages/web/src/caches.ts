/**
 * The web core's process-wide caches, in one place. Each is bounded (the oldest entry goes
 * first) and keyed by everything its value depends on, so two applications in one process never
 * read each other's entries. Per-application memos (the session cookie found in a `Cookie`
 * header, which depends on the cookie name; opened cookies, which depend on the secrets) use
 * {@link BoundedCache} inside their owner.
 */
import type { IdTokenClaims } from '@logto-kit/client';

/** A map that keeps at most `limit` entries, forgetting the oldest first. */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  set(key: K, value: V): void {
    if (this.#entries.size >= this.#limit && !this.#entries.has(key)) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(key, value);
  }

  get size(): number {
    return this.#entries.size;
  }
}

/**
 * Decoded claims of recent ID tokens, keyed by the whole token (decoding depends on nothing
 * else): a signed-in user sends the same token on every request. The token was verified when it
 * was stored; this only skips decoding it again. Callers copy a value before handing it out.
 */
export const decodedIdTokens = new BoundedCache<string, Readonly<IdTokenClaims>>(1000);
