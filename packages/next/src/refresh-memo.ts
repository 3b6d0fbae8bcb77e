/**
 * What a refresh obtained where no cookie could be written (a Server Component renders without a
 * response to set cookies on), kept in this process so that the next requests carrying the same
 * session cookie use it instead of refreshing again. Keyed by the SHA-256 of the refresh token the
 * cookie holds: only a request that has that refresh token finds the entry, and the map holds no
 * refresh token as a key. Bounded in size; an entry lives as long as the access tokens it holds,
 * or, when the refresh token itself changed (rotation) or was refused, as long as a session lives.
 */

/** The session entries a refresh changes: a value, or `undefined` for an entry removed. */
export type TokenEntries = ReadonlyMap<string, string | undefined>;

interface MemoEntry {
  entries: TokenEntries;
  expiresAt: number;
}

/** The most entries kept; adding one more drops the oldest. */
export const refreshMemoLimit = 10_000;

/** The SHA-256 of a refresh token, base64url: the memo's key. */
export async function refreshTokenDigest(refreshToken: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(refreshToken)));
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A 32-bit FNV-1a hash of `text`: a quick "certainly not here" before the SHA-256 digest, which
 * Web Crypto computes asynchronously in about 14 µs. 32 bits say next to nothing about a refresh
 * token of 256 random bits.
 */
function quickHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Refreshed token entries by the digest of the refresh token they follow from. */
export class RefreshMemo {
  readonly #entries = new Map<string, MemoEntry & { quick: number }>();
  /** How many entries have each quick hash. */
  readonly #quick = new Map<number, number>();
  readonly #limit: number;
  readonly #now: () => number;

  constructor(options: { limit?: number; now?: () => number } = {}) {
    this.#limit = options.limit ?? refreshMemoLimit;
    this.#now = options.now ?? Date.now;
  }

  /** The entries kept for the refresh token `refreshToken`, unless expired. */
  async lookup(refreshToken: string): Promise<TokenEntries | undefined> {
    if (!this.mayHold(refreshToken)) return undefined;
    return this.get(await refreshTokenDigest(refreshToken));
  }

  /** Whether an entry for `refreshToken` may be kept (false: certainly not), without a digest. */
  mayHold(refreshToken: string): boolean {
    return this.#quick.has(quickHash(refreshToken));
  }

  /** Keeps `entries` for the refresh token `refreshToken` until `expiresAt` (milliseconds). */
  async keep(refreshToken: string, entries: TokenEntries, expiresAt: number): Promise<void> {
    this.#set(await refreshTokenDigest(refreshToken), quickHash(refreshToken), entries, expiresAt);
  }

  /** Forgets the entry of the refresh token `refreshToken` (signed out). */
  async forget(refreshToken: string): Promise<void> {
    if (this.mayHold(refreshToken)) this.delete(await refreshTokenDigest(refreshToken));
  }

  /** The entries kept for `digest`, unless expired. */
  get(digest: string): TokenEntries | undefined {
    const entry = this.#entries.get(digest);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.delete(digest);
      return undefined;
    }
    return entry.entries;
  }

  /** Keeps `entries` for `digest` until `expiresAt` (milliseconds); nothing when already past. */
  set(digest: string, entries: TokenEntries, expiresAt: number): void {
    this.#set(digest, quickHash(digest), entries, expiresAt);
  }

  #set(digest: string, quick: number, entries: TokenEntries, expiresAt: number): void {
    if (expiresAt <= this.#now()) return;
    this.delete(digest);
    if (this.#entries.size >= this.#limit) {
      const now = this.#now();
      for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.delete(key);
      // Map iteration is insertion order: the oldest entries go first.
      for (const key of this.#entries.keys()) {
        if (this.#entries.size < this.#limit) break;
        this.delete(key);
      }
    }
    this.#entries.set(digest, { entries: new Map(entries), expiresAt, quick });
    this.#quick.set(quick, (this.#quick.get(quick) ?? 0) + 1);
  }

  /** Forgets the entry of `digest`. */
  delete(digest: string): void {
    const entry = this.#entries.get(digest);
    if (!entry) return;
    this.#entries.delete(digest);
    const count = (this.#quick.get(entry.quick) ?? 1) - 1;
    if (count > 0) this.#quick.set(entry.quick, count);
    else this.#quick.delete(entry.quick);
  }

  /** The number of entries, expired ones included until they are met. */
  get size(): number {
    return this.#entries.size;
  }
}

const globalKey = Symbol.for('@logto-kit/next.refresh-memo');

/**
 * The process's memo. Next.js bundles the proxy, Route Handlers, Server Actions and Server
 * Components separately, so a module variable would exist once per bundle: the memo lives on
 * `globalThis` to be one per process (on the edge runtime, one per isolate).
 */
export function processRefreshMemo(): RefreshMemo {
  const holder = globalThis as { [globalKey]?: RefreshMemo };
  holder[globalKey] ??= new RefreshMemo();
  return holder[globalKey];
}
