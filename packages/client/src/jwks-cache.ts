import { defaultTtlMs, type RemoteCacheOptions } from './discovery.ts';
import { LogtoError } from './errors.ts';
import { defaultTimeoutMs, describeFetchError, fetchJsonObject, isJsonObject } from './fetch-json.ts';
import { type RemoteCacheKey, sharedJwksCaches } from './process-caches.ts';

/** A public key from a JWKS document (RFC 7517). */
export type Jwk = JsonWebKey & { kid?: string; alg?: string; use?: string; kty: string };

/** Options of a {@link JwksCache}. */
export interface JwksCacheOptions extends RemoteCacheOptions {
  /**
   * Minimum time between two refetches forced by an unknown `kid`, and between two retries while
   * the provider is unreachable and stale keys are served, in milliseconds (default 30 s).
   */
  cooldownMs?: number;
}

/** The default minimum time between two forced JWKS refetches. */
export const defaultCooldownMs = 30_000;

/**
 * A cache of one provider's signing keys (its `jwks_uri`): fetched on first use and after the TTL,
 * one request for any number of concurrent callers, stale keys kept while the provider is
 * unreachable, and a rate-limited refetch when a token names a `kid` it does not know (key rotation).
 *
 * @example
 * ```ts
 * const discovery = await getDiscovery('http://localhost:3001/oidc');
 * const keys = await JwksCache.shared(discovery.jwks_uri).getKeys();
 * ```
 */
export class JwksCache {
  /**
   * The process-wide instance for this URI and these options: callers that fetch and keep the key
   * set alike (the same `fetch` and `now` functions, TTL, timeout and cooldown, defaults filled in)
   * share one cache, and each caller's own `fetch` and clock are the ones its cache uses.
   */
  static shared(jwksUri: string, options: JwksCacheOptions = {}): JwksCache {
    const key: RemoteCacheKey = {
      fetch: options.fetch,
      now: options.now ?? Date.now,
      ttlMs: options.ttlMs ?? defaultTtlMs,
      timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
      cooldownMs: options.cooldownMs ?? defaultCooldownMs,
    };
    let cache = sharedJwksCaches.get(jwksUri, key);
    if (cache === undefined) {
      cache = new JwksCache(jwksUri, key);
      sharedJwksCaches.set(jwksUri, key, cache);
    }
    return cache;
  }

  /** The JWKS URI this cache fetches. */
  readonly uri: string;
  readonly #options: JwksCacheOptions;
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #cooldownMs: number;
  #keys: readonly Jwk[] | undefined;
  #fetchedAt = 0;
  #lastFailureAt: number | undefined;
  #lastForcedRefreshAt: number | undefined;
  #pending: Promise<readonly Jwk[]> | undefined;
  #pendingForced: Promise<boolean> | undefined;

  constructor(jwksUri: string, options: JwksCacheOptions = {}) {
    this.uri = jwksUri;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#ttlMs = options.ttlMs ?? defaultTtlMs;
    this.#cooldownMs = options.cooldownMs ?? defaultCooldownMs;
  }

  /**
   * The current keys: fetched when there are none or they are older than the TTL (one request for
   * all concurrent callers). When a refetch fails and keys are cached, the stale keys are returned
   * (stale-if-error) and the next attempt waits for the cooldown.
   *
   * @throws {LogtoError} `jwks_unavailable` when no keys were ever fetched and the fetch fails.
   */
  async getKeys(): Promise<readonly Jwk[]> {
    const keys = this.#keys;
    if (keys) {
      const now = this.#now();
      const fresh = now - this.#fetchedAt < this.#ttlMs;
      const backingOff = this.#lastFailureAt !== undefined && now - this.#lastFailureAt < this.#cooldownMs;
      if (fresh || backingOff) return keys;
    }
    try {
      return await this.#load();
    } catch (error) {
      if (this.#keys) return this.#keys;
      throw error;
    }
  }

  /**
   * For a token whose `kid` is not among the cached keys: refetches at most once per cooldown,
   * sharing one request among concurrent callers.
   *
   * @returns true when a new key set was loaded; false when rate-limited or the fetch failed.
   */
  refreshForUnknownKid(): Promise<boolean> {
    if (this.#pendingForced) return this.#pendingForced;
    const now = this.#now();
    if (this.#lastForcedRefreshAt !== undefined && now - this.#lastForcedRefreshAt < this.#cooldownMs) {
      return Promise.resolve(false);
    }
    this.#lastForcedRefreshAt = now;
    const forced = this.#load().then(
      () => true,
      () => false,
    );
    this.#pendingForced = forced;
    void forced.finally(() => {
      if (this.#pendingForced === forced) this.#pendingForced = undefined;
    });
    return forced;
  }

  #load(): Promise<readonly Jwk[]> {
    if (this.#pending) return this.#pending;
    const pending = this.#fetch().then(
      (keys) => {
        this.#keys = keys;
        this.#fetchedAt = this.#now();
        this.#lastFailureAt = undefined;
        return keys;
      },
      (error: unknown) => {
        this.#lastFailureAt = this.#now();
        throw error;
      },
    );
    this.#pending = pending;
    // Clear the in-flight marker either way: a failure is never cached.
    void pending.then(
      () => this.#clearPending(pending),
      () => this.#clearPending(pending),
    );
    return pending;
  }

  #clearPending(pending: Promise<readonly Jwk[]>): void {
    if (this.#pending === pending) this.#pending = undefined;
  }

  async #fetch(): Promise<readonly Jwk[]> {
    let body: Record<string, unknown>;
    try {
      body = await fetchJsonObject(this.uri, this.#options);
    } catch (cause) {
      throw new LogtoError(
        'jwks_unavailable',
        `Could not load the signing keys from ${this.uri}: ${describeFetchError(cause)}. Check that the identity server is reachable.`,
        { cause },
      );
    }
    if (!Array.isArray(body.keys)) {
      throw new LogtoError('jwks_unavailable', `The JWKS document at ${this.uri} has no "keys" array.`);
    }
    // Keep only well-formed signature keys; an encryption key must never verify a signature.
    const keys = body.keys.filter(
      (key): key is Jwk =>
        isJsonObject(key) && typeof key.kty === 'string' && (key.use === undefined || key.use === 'sig'),
    );
    return Object.freeze(keys);
  }
}
