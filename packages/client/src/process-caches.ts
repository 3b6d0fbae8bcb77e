// Everything @logto-kit/client keeps for the whole process, in one place. Each cache is keyed by all
// that its entries depend on, so that no caller is ever served what another caller's options made:
// discovery documents and JWKS caches by URI and the `fetch`, clock, TTL, timeout and cooldown that
// fetch and keep them; imported key sets by the (immutable) key array they were made from; checked
// configurations by the (frozen) configuration object.
import type { createLocalJWKSet } from 'jose';
import type { CheckedConfig } from './client.ts';
import type { LogtoConfig } from './config.ts';
import type { DiscoveryEntry } from './discovery.ts';
import type { Jwk, JwksCache } from './jwks-cache.ts';

/** Everything besides its URI that a cached remote document depends on, defaults filled in. */
export interface RemoteCacheKey {
  /** The `fetch` used; `undefined` for the global `fetch`, looked up at each request. */
  readonly fetch: typeof fetch | undefined;
  readonly now: () => number;
  readonly ttlMs: number;
  readonly timeoutMs: number;
  /** The JWKS cache's refetch cooldown; `undefined` where there is none (discovery). */
  readonly cooldownMs?: number | undefined;
}

// Stands for "no `fetch` given" in the registry's weak keys.
const globalFetch = Object.freeze({});

/**
 * Process-wide entries per URI and {@link RemoteCacheKey}. The `fetch` and clock are held weakly:
 * the entries made with a function no longer referenced anywhere else go with it, so callers that
 * create their own `fetch` per client cannot grow the registry without bound.
 */
export class RemoteCacheRegistry<T> {
  readonly #byFetch = new WeakMap<object, WeakMap<object, Map<string, T>>>();

  /** The entry of `uri` made with exactly these options, if any. */
  get(uri: string, key: RemoteCacheKey): T | undefined {
    return this.#byFetch
      .get(key.fetch ?? globalFetch)
      ?.get(key.now)
      ?.get(entryKey(uri, key));
  }

  /** Sets the entry of `uri` made with these options. */
  set(uri: string, key: RemoteCacheKey, value: T): void {
    let byNow = this.#byFetch.get(key.fetch ?? globalFetch);
    if (byNow === undefined) {
      byNow = new WeakMap();
      this.#byFetch.set(key.fetch ?? globalFetch, byNow);
    }
    let entries = byNow.get(key.now);
    if (entries === undefined) {
      entries = new Map();
      byNow.set(key.now, entries);
    }
    entries.set(entryKey(uri, key), value);
  }

  /** Forgets the entry of `uri` made with these options. */
  delete(uri: string, key: RemoteCacheKey): void {
    this.#byFetch
      .get(key.fetch ?? globalFetch)
      ?.get(key.now)
      ?.delete(entryKey(uri, key));
  }
}

function entryKey(uri: string, { ttlMs, timeoutMs, cooldownMs }: RemoteCacheKey): string {
  return `${ttlMs} ${timeoutMs} ${cooldownMs ?? '-'} ${uri}`;
}

/** Discovery documents (and their pending fetches) per issuer and options: see `getDiscovery`. */
export const discoveryEntries = new RemoteCacheRegistry<DiscoveryEntry>();

/** The shared JWKS caches per JWKS URI and options: see `JwksCache.shared`. */
export const sharedJwksCaches = new RemoteCacheRegistry<JwksCache>();

/** One `jose` key set per fetched key array: keys are imported once, not once per token. */
export const localKeySets = new WeakMap<readonly Jwk[], ReturnType<typeof createLocalJWKSet>>();

/**
 * Frozen configurations already checked: a server creating a client per request with one frozen
 * configuration checks it once. Only frozen ones, which cannot change after the check.
 */
export const checkedConfigs = new WeakMap<LogtoConfig, CheckedConfig>();
