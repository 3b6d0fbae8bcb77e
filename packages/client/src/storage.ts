/**
 * Where a client keeps one user's tokens and pending sign-ins: typically the user's session.
 * Methods may be synchronous or return promises. Values are strings; `null`/`undefined` mean absent.
 *
 * @example
 * ```ts
 * // An Express session as storage (what `@logto-kit/express` does for you).
 * const storage: Storage = {
 *   get: (key) => req.session[key] ?? null,
 *   set: (key, value) => { req.session[key] = value; },
 *   delete: (key) => { delete req.session[key]; },
 * };
 * ```
 */
export interface Storage {
  get(key: string): string | null | undefined | Promise<string | null | undefined>;
  set(key: string, value: string): void | Promise<void>;
  delete(key: string): void | Promise<void>;
}

/** A {@link Storage} in memory, private to one instance: the default of `LogtoClient`. */
export class MemoryStorage implements Storage {
  readonly #values = new Map<string, string>();

  get(key: string): string | null {
    return this.#values.get(key) ?? null;
  }

  set(key: string, value: string): void {
    this.#values.set(key, value);
  }

  delete(key: string): void {
    this.#values.delete(key);
  }
}

/** The keys `LogtoClient` uses in its {@link Storage}. */
export const StorageKey = {
  /** The current ID token (verified when it was stored). */
  IdToken: 'logto.idToken',
  /** The current refresh token. */
  RefreshToken: 'logto.refreshToken',
  /** JSON: cached access tokens per (resource, organization) with their expiry. */
  AccessTokens: 'logto.accessTokens',
  /** Prefix of a pending sign-in, followed by its `state`. */
  SignInPrefix: 'logto.signIn.',
  /** JSON: states and expiries of pending sign-ins, to prune the abandoned ones. */
  SignInIndex: 'logto.signInIndex',
} as const;
