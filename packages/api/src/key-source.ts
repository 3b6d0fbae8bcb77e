// Where a verifier's keys come from: the provider's JWKS (found through discovery, or named), from
// the process-wide JWKS cache of `@logto-kit/client`, refetched once per cooldown for an unknown
// `kid` (key rotation).
import { getDiscovery, type Jwk, JwksCache, type RemoteCacheOptions } from '@logto-kit/client';
import type { VerificationKey } from '#signature';
import type { AccessTokenAlgorithm } from './algorithms.ts';
import { invalidToken, providerUnavailable } from './errors.ts';
import { selectKeys } from './key-selection.ts';

/** The provider's keys as a verifier needs them: the candidates for each token's `kid` and `alg`. */
export interface KeySource {
  /**
   * Public keys that may have signed a token with this `kid` and `alg`, from the JWKS cache.
   *
   * @throws {ApiAuthError} 401 `invalid_token` when the provider publishes no fitting key; 503
   *   `provider_unavailable` when no keys are known and the provider cannot be reached.
   */
  candidates(kid: string | undefined, alg: AccessTokenAlgorithm, nowMs: number): Promise<readonly VerificationKey[]>;
  /**
   * The same, synchronously, when the key set was taken from the JWKS cache less than a second ago
   * and has a fitting key; otherwise `undefined` (ask {@link KeySource.candidates}).
   */
  recentCandidates(
    kid: string | undefined,
    alg: AccessTokenAlgorithm,
    nowMs: number,
  ): readonly VerificationKey[] | undefined;
}

/** How long a key set taken from the JWKS cache is used without asking the cache again. */
const keySetReuseMs = 1000;

/**
 * The key source of one verifier: the keys of `jwksUri`, or when it is not given, of the JWKS that
 * the discovery document of `issuer` names; `remote` tells how discovery and the JWKS are fetched.
 */
export function createKeySource(issuer: string, jwksUri: string | undefined, remote: RemoteCacheOptions): KeySource {
  const cacheFor = (uri: string) => JwksCache.shared(uri, remote);
  let jwks: JwksCache | undefined = jwksUri === undefined ? undefined : cacheFor(jwksUri);

  async function resolveJwks(): Promise<JwksCache> {
    try {
      const discovery = await getDiscovery(issuer, remote);
      jwks ??= cacheFor(discovery.jwks_uri);
      return jwks;
    } catch (error) {
      throw providerUnavailable(error);
    }
  }

  async function currentKeys(cache: JwksCache): Promise<readonly Jwk[]> {
    try {
      return await cache.getKeys();
    } catch (error) {
      throw providerUnavailable(error);
    }
  }

  let recent: { readonly jwkSet: readonly Jwk[]; readonly at: number } | undefined;
  let lastSelection:
    | {
        readonly jwkSet: readonly Jwk[];
        readonly kid: string | undefined;
        readonly alg: AccessTokenAlgorithm;
        readonly found: readonly VerificationKey[];
      }
    | undefined;

  return {
    recentCandidates(kid, alg, nowMs) {
      if (recent === undefined || nowMs - recent.at >= keySetReuseMs || nowMs < recent.at) return undefined;
      // Nearly every token names the same key as the one before: skip the memo's key string and look-up.
      if (lastSelection?.jwkSet === recent.jwkSet && lastSelection.kid === kid && lastSelection.alg === alg) {
        return lastSelection.found;
      }
      const found = selectKeys(recent.jwkSet, kid, alg);
      // Keys still being prepared (Web Crypto imports) are awaited by `candidates`.
      if (found instanceof Promise || found.length === 0) return undefined;
      lastSelection = { jwkSet: recent.jwkSet, kid, alg, found };
      return found;
    },
    async candidates(kid, alg, nowMs) {
      const cache = jwks ?? (await resolveJwks());
      let jwkSet = await currentKeys(cache);
      recent = { jwkSet, at: nowMs };
      let found = await selectKeys(jwkSet, kid, alg);
      if (found.length === 0 && kid !== undefined && !jwkSet.some((jwk) => jwk.kid === kid)) {
        // Key rotation: a new key may have been published since the set was fetched.
        if (!(await cache.refreshForUnknownKid())) {
          throw invalidToken('The access token is signed with a key the identity provider does not publish.');
        }
        jwkSet = await currentKeys(cache);
        recent = { jwkSet, at: nowMs };
        found = await selectKeys(jwkSet, kid, alg);
      }
      if (found.length === 0) {
        throw invalidToken(
          kid !== undefined && jwkSet.some((jwk) => jwk.kid === kid)
            ? "The access token's signing key does not fit its algorithm."
            : 'The access token is signed with a key the identity provider does not publish.',
        );
      }
      return found;
    },
  };
}
