// Verifying a Logto access token, step by step (see createAccessTokenVerifier); each step is a
// module of its own: the compact JWS (`compact-jws.ts`), the header (`access-token-header.ts`),
// the claims (`access-token-claims.ts`), the keys (`key-source.ts`, `key-selection.ts`) and the
// signature (`check-signature.ts`), then the route's requirements (`requirements.ts`).
import { issuerFromEndpoint } from '@logto-kit/client';
import { checkClaims } from './access-token-claims.ts';
import { createHeaderCheck } from './access-token-header.ts';
import { type AccessTokenAlgorithm, accessTokenAlgorithms, isAccessTokenAlgorithm } from './algorithms.ts';
import type { AuthResult } from './auth-result.ts';
import { checkSignature } from './check-signature.ts';
import { type CompactJws, MalformedJwsError, parseCompactJws, parsePayload } from './compact-jws.ts';
import { invalidToken } from './errors.ts';
import { createKeySource } from './key-source.ts';
import { eagerVerifiers } from './process-caches.ts';
import { type AccessRequirements, checkRequirements } from './requirements.ts';
import { VerifiedTokenCache } from './verified-token-cache.ts';

/**
 * Where the verifier finds the provider: a Logto endpoint (issuer `<endpoint>/oidc`, keys from its
 * discovery document), or an explicit issuer and JWKS URI (no discovery request).
 */
export type AccessTokenIssuer = { readonly endpoint: string } | { readonly issuer: string; readonly jwksUri: string };

/** Options of {@link createAccessTokenVerifier}. */
export interface AccessTokenVerifierOptions {
  /** The API resource indicator tokens must be for, unless a route names its own. */
  readonly audience?: string;
  /**
   * The `fetch` for discovery and keys. The keys are cached process-wide by `@logto-kit/client`,
   * shared with every verifier and client that fetches the same JWKS with the same `fetch`, `now`
   * and `timeoutMs`.
   */
  readonly fetch?: typeof fetch;
  /** The clock, in milliseconds since the epoch (default `Date.now`). */
  readonly now?: () => number;
  /** Bound on each request to the identity provider (discovery, JWKS), in milliseconds (default 5000). */
  readonly timeoutMs?: number;
  /** Allowed clock skew for `exp`, `nbf` and `iat`, in seconds (default 30). */
  readonly clockToleranceSeconds?: number;
  /** Accepted signature algorithms, a subset of {@link accessTokenAlgorithms} (default: all of them). */
  readonly algorithms?: readonly AccessTokenAlgorithm[];
  /**
   * The verified-token cache: on by default with 10 000 entries (`true`), `false` to verify the
   * signature of every request, or `{ maxEntries }`. A token is cached the second time it is
   * verified (if it comes back within about `maxEntries` other new tokens), so tokens used once cost
   * the cache nothing. Entries never outlive the token's `exp`, and audience, organization and scopes
   * are checked on every request.
   */
  readonly cache?: boolean | { readonly maxEntries: number };
}

/** Verifies Logto access tokens. Create one per API (it holds the verified-token cache) and share it. */
export interface AccessTokenVerifier {
  /** The issuer tokens must name exactly. */
  readonly issuer: string;
  /** The default audience (see {@link AccessTokenVerifierOptions.audience}). */
  readonly audience: string | undefined;
  /**
   * Verifies `token` and checks it against `requirements`.
   *
   * @throws {ApiAuthError} 401 `invalid_token`, 403 `insufficient_scope`, or 503
   *   `provider_unavailable` when no signing key is known and the provider cannot be reached.
   */
  verify(token: string, requirements?: AccessRequirements): Promise<AuthResult>;
}

/** The default size of the verified-token cache. */
export const defaultVerifiedTokenCacheSize = 10_000;

const defaultClockToleranceSeconds = 30;

/**
 * Creates an access-token verifier. Checks, cheapest first, each refusal a 401 `invalid_token`:
 *
 * 1. size (at most 8 KB), three canonical base64url parts, JSON-object header and payload;
 * 2. `alg` in the asymmetric allow-list (never `none` or HS*); `crit` and `b64` refused; embedded
 *    keys (`jwk`, `jku`, `x5u`, `x5c`) ignored: keys come only from the provider's JWKS;
 * 3. `typ` is `at+jwt` (RFC 9068 §4), which tells access tokens from ID tokens;
 * 4. `iss` exactly the issuer; `exp` present and not passed, `nbf` and `iat` not in the future (with
 *    `clockToleranceSeconds`); `sub` a non-empty string; `aud`, `scope`, `client_id`,
 *    `organization_id` well-typed. These come before the signature so that an expired token costs no
 *    signature check, but nothing is accepted on them alone;
 * 5. a key of the JWKS with the token's `kid`, whose type and curve fit `alg` (an unknown `kid`
 *    refetches the JWKS once per cooldown), and the signature;
 * 6. per request: audience or organization, then scopes (403).
 *
 * @example
 * ```ts
 * const verifier = createAccessTokenVerifier(
 *   { endpoint: 'http://localhost:3001' },
 *   { audience: 'https://shopping.your-app.com/api' },
 * );
 * const auth = await verifier.verify(token, { scopes: ['shopping:read'] });
 * auth.sub;
 * ```
 */
export function createAccessTokenVerifier(
  source: AccessTokenIssuer,
  options: AccessTokenVerifierOptions = {},
): AccessTokenVerifier {
  const issuer = 'endpoint' in source ? issuerFromEndpoint(source.endpoint) : source.issuer;
  const now = options.now ?? Date.now;
  const toleranceSeconds = options.clockToleranceSeconds ?? defaultClockToleranceSeconds;
  const allowed = new Set<string>(options.algorithms ?? accessTokenAlgorithms);
  for (const alg of allowed) {
    if (!isAccessTokenAlgorithm(alg)) {
      throw new TypeError(
        `Unsupported access token algorithm "${alg}": use one of ${accessTokenAlgorithms.join(', ')}.`,
      );
    }
  }
  const cache =
    options.cache === false
      ? undefined
      : new VerifiedTokenCache<AuthResult>(
          typeof options.cache === 'object' ? options.cache.maxEntries : defaultVerifiedTokenCacheSize,
        );
  const checkedHeader = createHeaderCheck(allowed);
  const keys = createKeySource(issuer, 'jwksUri' in source ? source.jwksUri : undefined, {
    fetch: options.fetch,
    now: options.now,
    timeoutMs: options.timeoutMs,
  });

  // Synchronous while the signing keys are at hand and the runtime's signature check is (node:crypto),
  // which is almost always on Node: an `await` per request would be a measurable share of a fast
  // signature check (RS256, ES256). Claims before signature: see step 4 above.
  function verifyToken(token: string, nowMs: number): AuthResult | Promise<AuthResult> {
    let jws: CompactJws;
    let claims: Readonly<Record<string, unknown>>;
    try {
      jws = parseCompactJws(token);
      claims = parsePayload(jws);
    } catch (error) {
      if (error instanceof MalformedJwsError) throw invalidToken(error.message);
      throw error;
    }
    const { alg, kid } = checkedHeader(jws);
    const result = checkClaims(claims, issuer, nowMs / 1000, toleranceSeconds);
    const candidates = keys.recentCandidates(kid, alg, nowMs);
    if (candidates !== undefined) return checkSignature(result, jws, candidates);
    // The parsed signature lives in a buffer that other tokens reuse meanwhile: parse again (it was
    // accepted once, so it is again).
    return keys.candidates(kid, alg, nowMs).then((found) => checkSignature(result, parseCompactJws(token), found));
  }

  function accept(token: string, result: AuthResult, requirements: AccessRequirements): AuthResult {
    cache?.offer(token, result, result.claims.exp * 1000);
    checkRequirements(result, requirements, options.audience);
    return result;
  }

  // A token of the verified-token cache, or one verified synchronously, is answered without a
  // promise: adapters that can go on synchronously save its cost (see `createEagerRequestGuard`).
  const eager: EagerVerifier = {
    cached: (token) => cache?.get(token, now()),
    verifyNow(token, requirements) {
      const nowMs = now();
      const cached = cache?.get(token, nowMs);
      if (cached !== undefined) {
        checkRequirements(cached, requirements, options.audience);
        return cached;
      }
      const verified = verifyToken(token, nowMs);
      if (verified instanceof Promise) return verified.then((result) => accept(token, result, requirements));
      return accept(token, verified, requirements);
    },
  };

  const verifier: AccessTokenVerifier = {
    issuer,
    audience: options.audience,
    verify(token, requirements = {}) {
      try {
        return Promise.resolve(eager.verifyNow(token, requirements));
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
  eagerVerifiers.set(verifier, eager);
  return verifier;
}

/** What the request guard uses of a verifier this module made, besides its public `verify`. */
export interface EagerVerifier {
  /** The result of `token` if the verified-token cache holds it, not checked against any requirement. */
  cached(token: string): AuthResult | undefined;
  /** As `verify`, but without a promise when it can answer at once; a refusal may be thrown. */
  verifyNow(token: string, requirements: AccessRequirements): AuthResult | Promise<AuthResult>;
}
