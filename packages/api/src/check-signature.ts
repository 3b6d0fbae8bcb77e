// The signature of a token (RFC 7515 §5.2), checked with the provider's candidate keys by the
// runtime's layer (`#signature`).
import { type VerificationKey, verifySignature } from '#signature';
import { type CompactJws, signingInputOf } from './compact-jws.ts';
import { type ApiAuthError, invalidToken } from './errors.ts';

/**
 * `result`, once the token's signature verifies with one of `candidates`: synchronously where the
 * runtime checks signatures synchronously, else a promise (every check is started before this
 * returns, while the signing input and signature are still in the scratch buffer).
 *
 * @throws {ApiAuthError} 401 `invalid_token` (or a promise rejected with it) when none verifies.
 */
export function checkSignature<T>(result: T, jws: CompactJws, candidates: readonly VerificationKey[]): T | Promise<T> {
  const signingInput = signingInputOf(jws);
  let pending: Promise<boolean>[] | undefined;
  for (const key of candidates) {
    const verified = verifySignature(key, signingInput, jws.signature);
    if (verified === true) return result;
    if (verified !== false) {
      pending ??= [];
      pending.push(verified);
    }
  }
  if (pending === undefined) throw badSignature();
  return Promise.all(pending).then((outcomes) => {
    if (outcomes.includes(true)) return result;
    throw badSignature();
  });
}

function badSignature(): ApiAuthError {
  return invalidToken("The access token's signature does not verify with the identity provider's keys.");
}
