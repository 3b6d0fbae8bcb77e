import { createLocalJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import type { Jwk, JwksCache } from './jwks-cache.ts';
import { localKeySets as localSets } from './process-caches.ts';

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

function localSetFor(keys: readonly Jwk[]): LocalKeySet {
  let set = localSets.get(keys);
  if (!set) {
    set = createLocalJWKSet({ keys: [...keys] });
    localSets.set(keys, set);
  }
  return set;
}

/**
 * A `jose` key getter (for `jwtVerify`) backed by a {@link JwksCache}: picks the key by `kid`,
 * `alg` and key type, and when the token names a `kid` the cache does not know (key rotation),
 * triggers one rate-limited refetch before giving up.
 *
 * @example
 * ```ts
 * const { payload } = await jwtVerify(token, createJwksKeyGetter(JwksCache.shared(discovery.jwks_uri)), {
 *   algorithms: ['ES384'],
 * });
 * ```
 */
export function createJwksKeyGetter(cache: JwksCache): JWTVerifyGetKey {
  return async (protectedHeader, token) => {
    const keys = await cache.getKeys();
    try {
      return await localSetFor(keys)(protectedHeader, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || typeof protectedHeader.kid !== 'string') throw error;
      if (!(await cache.refreshForUnknownKid())) throw error;
      return localSetFor(await cache.getKeys())(protectedHeader, token);
    }
  };
}
