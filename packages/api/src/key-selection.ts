// Which keys of the provider's key set may have signed a token: those with the token's `kid`
// whose type and curve fit its `alg`, prepared for the runtime's signature check.
import type { Jwk } from '@logto-kit/client';
import { type VerificationKey, verificationKey } from '#signature';
import { type AccessTokenAlgorithm, jwkFitsAlgorithm } from './algorithms.ts';
import { keySelections as selections } from './process-caches.ts';

/** Maximum keys tried for a token without `kid`; Logto always sends one. */
const maxKeysWithoutKid = 3;

/**
 * The keys of `jwkSet` that may have signed a token with this `kid` (any, up to three, without one)
 * and `alg`; a promise while keys are being prepared (Web Crypto imports). Remembered per key set
 * (which the JWKS cache replaces on refetch), and only when some key was found.
 */
export function selectKeys(
  jwkSet: readonly Jwk[],
  kid: string | undefined,
  alg: AccessTokenAlgorithm,
): readonly VerificationKey[] | Promise<readonly VerificationKey[]> {
  const memoKey = `${alg} ${kid ?? ''}`;
  const known = selections.get(jwkSet)?.get(memoKey);
  if (known !== undefined) return known;

  const prepared: (VerificationKey | undefined | Promise<VerificationKey | undefined>)[] = [];
  let preparing = false;
  for (const jwk of jwkSet) {
    if (kid !== undefined && jwk.kid !== kid) continue;
    if (!jwkFitsAlgorithm(jwk, alg)) continue;
    const key = verificationKey(alg, jwk);
    if (key instanceof Promise) preparing = true;
    prepared.push(key);
  }
  if (preparing) return Promise.all(prepared).then((keys) => remember(jwkSet, memoKey, usable(keys, kid)));
  return remember(jwkSet, memoKey, usable(prepared as readonly (VerificationKey | undefined)[], kid));
}

/** The usable keys among `keys`; at most {@link maxKeysWithoutKid} for a token without `kid`. */
function usable(keys: readonly (VerificationKey | undefined)[], kid: string | undefined): readonly VerificationKey[] {
  const found = keys.filter((key) => key !== undefined);
  return kid === undefined ? found.slice(0, maxKeysWithoutKid) : found;
}

function remember(
  jwkSet: readonly Jwk[],
  memoKey: string,
  found: readonly VerificationKey[],
): readonly VerificationKey[] {
  if (found.length > 0) {
    let memo = selections.get(jwkSet);
    if (memo === undefined) {
      memo = new Map();
      selections.set(jwkSet, memo);
    }
    memo.set(memoKey, found);
  }
  return found;
}
