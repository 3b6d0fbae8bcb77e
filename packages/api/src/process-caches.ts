// Everything @logto-kit/api keeps for the whole process, in one place. Each cache is keyed by all
// that its entries depend on, so that no caller is ever served what another caller's options made:
// - prepared keys by the JWK object (an immutable member of a key set the JWKS cache fetched), and
//   their selection for a token by the key set, the algorithm and the `kid`;
// - the parsed `scope` and `aud` claim values by the claim's text alone;
// - the verifiers an adapter created by the options object that describes them.
// The JWKS and discovery documents themselves are cached by `@logto-kit/client`, per URI and the
// options that fetch them (see its own process-wide caches).
import type { KeyObject } from 'node:crypto';
import type { Jwk } from '@logto-kit/client';
import type { VerificationKey } from '#signature';
import type { AccessTokenAlgorithm } from './algorithms.ts';
import type { Audience } from './claim-values.ts';
import type { VerificationKey as WebVerificationKey } from './signature.web.ts';
import type { AccessTokenVerifier, EagerVerifier } from './verify-access-token.ts';

/**
 * The node:crypto layer's public key of each JWK object (converting a JWK costs far more than a
 * signature check with the result); `null` marks a JWK that cannot be used. Dies with its key set.
 */
export const nodeKeyObjects = new WeakMap<Jwk, KeyObject | null>();

/**
 * The Web Crypto layer's imported key of each JWK object per algorithm; the promise itself, so that
 * concurrent first requests share one import. Dies with its key set.
 */
export const webImportedKeys = new WeakMap<Jwk, Map<AccessTokenAlgorithm, Promise<WebVerificationKey | undefined>>>();

/**
 * The keys found in a key set for each `"<alg> <kid>"` of a token (only non-empty findings, so that
 * unknown kids sent by anyone cannot grow it). Dies with its key set, which a refetch replaces.
 */
export const keySelections = new WeakMap<readonly Jwk[], Map<string, readonly VerificationKey[]>>();

/** The most distinct `scope` or `aud` values remembered; a full memo is emptied. */
export const maxRememberedClaimValues = 256;

/** The frozen scope list of each distinct `scope` claim text (bounded: {@link maxRememberedClaimValues}). */
export const scopeLists = new Map<string, readonly string[]>();

/** The audience of each distinct string `aud` claim (bounded: {@link maxRememberedClaimValues}). */
export const audiences = new Map<string, Audience>();

/**
 * The synchronous-when-it-can side of each verifier `createAccessTokenVerifier` made (see
 * `createEagerRequestGuard`); dies with the verifier.
 */
export const eagerVerifiers = new WeakMap<AccessTokenVerifier, EagerVerifier>();

/** The verifier created for each adapter's options object (`resolveVerifier`); dies with the options. */
export const createdVerifiers = new WeakMap<object, AccessTokenVerifier>();
