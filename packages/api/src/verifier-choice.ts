import { createdVerifiers as created } from './process-caches.ts';
import {
  type AccessTokenIssuer,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  createAccessTokenVerifier,
} from './verify-access-token.ts';

/**
 * How an adapter gets its verifier: a shared one (`{ verifier }`, best when several routes protect
 * the same API: one key cache, one verified-token cache), or the options to create one.
 */
export type VerifierChoice =
  | { readonly verifier: AccessTokenVerifier }
  | (AccessTokenIssuer & AccessTokenVerifierOptions);

/** The verifier an adapter's options name; created once per options object. */
export function resolveVerifier(choice: VerifierChoice): AccessTokenVerifier {
  if ('verifier' in choice) return choice.verifier;
  let verifier = created.get(choice);
  if (verifier === undefined) {
    verifier = createAccessTokenVerifier(choice, choice);
    created.set(choice, verifier);
  }
  return verifier;
}
