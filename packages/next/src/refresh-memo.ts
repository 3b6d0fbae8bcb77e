/**
 * What a refresh obtained where no cookie could be written (a Server Component renders without a
 * response to set cookies on), kept in this process so that the next requests carrying the same
 * session cookie use it instead of refreshing again. Keyed by the SHA-256 of the refresh token the
 * cookie holds: only a request that has that refresh token finds the entry, and the map holds no
 * refresh token as a key. Bounded in size; an entry lives as long as the access tokens it holds,
 * or, when the refresh token itself changed (rotation) or was refused, as long as the session
 * cookie it stands in for.
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

/** Refreshed token entries by the digest of the refresh token they follow from. */
export class RefreshMemo {
  readonly #entries = new Map<string, MemoEntry>();
  readonly #limit: number;
  readonly #now: () => number;

  constructor(options: { limit?: number; now?: () => number } = {}) {
    this.#limit = options.limit ?? refreshMemoLimit;
    this.#now = options.now ?? Date.now;
  }

  /** The entries kept for `digest`, unless expired. */
  get(digest: string): TokenEntries | undefined {
    const entry = this.#entries.get(digest);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(digest);
      return undefined;
    }
    return entry.entries;
  }

  /** Keeps `entries` for `digest` until `expiresAt` (milliseconds); nothing when already past. */
  set(digest: string, entries: TokenEntries, expiresAt: number): void {
    if (expiresAt <= this.#now()) return;
    this.#entries.delete(digest);
    if (this.#entries.size >= this.#limit) {
      const now = this.#now();
      for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
      // Map iteration is insertion order: the oldest entries go first.
      for (const key of this.#entries.keys()) {
        if (this.#entries.size < this.#limit) break;
        this.#entries.delete(key);
      }
    }
    this.#entries.set(digest, { entries: new Map(entries), expiresAt });
  }

  /** Forgets the entry of `digest` (its contents reached the cookie). */
  delete(digest: string): void {
    this.#entries.delete(digest);
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
