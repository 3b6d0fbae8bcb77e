/**
 * Session data as the library writes it to a {@link SessionStore}: sealed with the session
 * secrets (the AEAD of the cookies) and bound to its session id, so a value written by anyone
 * else — unsealed, sealed for another id, or sealed with a secret no longer configured — reads
 * back as absent. Rotating the secrets works as for cookies: the first seals, every one unseals.
 */
import { BoundedCache } from './caches.ts';
import type { CookieSealer } from './cookie-session.ts';
import type { SessionData, SessionStore, StoredSession } from './session-store.ts';

/** The one key of a stored value: its sealed text. */
const sealedKey = 'sealed';

/** The additional authenticated data of the value stored at `id`; never a cookie name (`:` is not allowed in one). */
function boundName(id: string): string {
  return `logto-kit:store:${id}`;
}

/** @internal A {@link SessionStore} that seals what it writes to `inner` and opens what it reads. */
export class SealedStore implements SessionStore {
  readonly #inner: SessionStore;
  readonly #sealer: CookieSealer;
  readonly #now: () => number;
  readonly compareAndSet?: SessionStore['compareAndSet'];
  /**
   * The last value opened for each recent id: a signed-in user's session is read on every
   * request and usually unchanged, so decrypting it once is enough. Hit only on the exact
   * sealed text, before its sealed expiry.
   */
  readonly #opened = new BoundedCache<string, { sealed: string; data: SessionData; expiresAt: number }>(1000);

  constructor(inner: SessionStore, sealer: CookieSealer, now: () => number) {
    this.#inner = inner;
    this.#sealer = sealer;
    this.#now = now;
    if (inner.compareAndSet) {
      const compareAndSet = inner.compareAndSet.bind(inner);
      this.compareAndSet = async (id, expectedVersion, data, ttlSeconds) =>
        compareAndSet(id, expectedVersion, await this.#seal(id, data, ttlSeconds), ttlSeconds);
    }
  }

  async get(id: string): Promise<StoredSession | undefined> {
    return this.#open(id, await this.#inner.get(id));
  }

  async set(id: string, data: SessionData, ttlSeconds: number): Promise<void> {
    await this.#inner.set(id, await this.#seal(id, data, ttlSeconds), ttlSeconds);
  }

  async destroy(id: string): Promise<void> {
    await this.#inner.destroy(id);
  }

  /**
   * Removes the session and answers what it held, atomically when the inner store has `take`;
   * otherwise a read then a removal (two concurrent callers may then both get it).
   */
  async take(id: string): Promise<StoredSession | undefined> {
    if (this.#inner.take) return this.#open(id, await this.#inner.take(id));
    const stored = await this.#inner.get(id);
    if (stored) await this.#inner.destroy(id);
    return this.#open(id, stored);
  }

  async #seal(id: string, data: SessionData, ttlSeconds: number): Promise<SessionData> {
    return { [sealedKey]: await this.#sealer.seal(boundName(id), data, this.#now() + ttlSeconds * 1000) };
  }

  async #open(id: string, stored: StoredSession | undefined): Promise<StoredSession | undefined> {
    const sealed = stored?.data[sealedKey];
    if (!stored || sealed === undefined || Object.keys(stored.data).length !== 1) return undefined;
    const known = this.#opened.get(id);
    if (known?.sealed === sealed && known.expiresAt > this.#now()) return { data: known.data, version: stored.version };
    const result = await this.#sealer.unseal<unknown>(boundName(id), sealed);
    if (!result.ok || !isSessionData(result.value)) return undefined;
    const data = Object.freeze(result.value);
    this.#opened.set(id, { sealed, data, expiresAt: result.expiresAt });
    return { data, version: stored.version };
  }
}

function isSessionData(value: unknown): value is SessionData {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((entry) => typeof entry === 'string');
}
