import { getDiscovery, issuerFromEndpoint, type Jwk, JwksCache } from '@logto-kit/client';
import { type VerificationKey, verificationKey, verifySignature } from '#signature';
import {
  type AccessTokenAlgorithm,
  accessTokenAlgorithms,
  isAccessTokenAlgorithm,
  jwkFitsAlgorithm,
} from './algorithms.ts';
import type { AccessTokenClaims, AuthResult } from './auth-result.ts';
import { audienceOf, scopesOf } from './claim-values.ts';
import {
  type CompactJws,
  decodeHeader,
  MalformedJwsError,
  parseCompactJws,
  parsePayload,
  signingInputOf,
} from './compact-jws.ts';
import { ApiAuthError } from './errors.ts';
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
   * The `fetch` for discovery and keys. When `fetch` or `now` is given the verifier keeps its own
   * key cache; otherwise it shares the process-wide one of `@logto-kit/client`.
   */
  readonly fetch?: typeof fetch;
  /** The clock, in milliseconds since the epoch (default `Date.now`). */
  readonly now?: () => number;
  /**
   * Bound on each request to the identity provider (discovery, JWKS), in milliseconds (default
   * 5000). When given, the verifier keeps its own key cache, as with `fetch` and `now`.
   */
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

/** Maximum keys tried for a token without `kid`; Logto always sends one. */
const maxKeysWithoutKid = 3;

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
  const keys = keySource(source, issuer, options);

  // One provider's tokens share a handful of headers (one per signing key), so each distinct header
  // is decoded and checked once. Bounded: emptied when full, so varied headers cannot grow it.
  const headers = new Map<string, CheckedHeader | ApiAuthError>();
  // The last accepted header: a provider signs with one key at a time, so nearly every token starts
  // with it, and comparing it in place costs less than slicing and hashing it for the map.
  let lastHeaderSegment = '';
  let lastHeader: CheckedHeader | undefined;
  function checkedHeader({ token, headerEnd }: CompactJws): CheckedHeader {
    if (lastHeader !== undefined && headerEnd === lastHeaderSegment.length && token.startsWith(lastHeaderSegment)) {
      return lastHeader;
    }
    const segment = token.slice(0, headerEnd);
    let outcome = headers.get(segment);
    if (outcome === undefined) {
      try {
        outcome = checkHeader(decodeHeader(segment), allowed);
      } catch (error) {
        if (error instanceof MalformedJwsError) outcome = invalidToken(error.message);
        else if (error instanceof ApiAuthError) outcome = error;
        else throw error;
      }
      if (headers.size >= maxRememberedHeaders) headers.clear();
      headers.set(segment, outcome);
    }
    if (outcome instanceof ApiAuthError) throw outcome;
    lastHeaderSegment = segment;
    lastHeader = outcome;
    return outcome;
  }

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
    if (candidates !== undefined) return signed(result, jws, candidates);
    // The parsed signature lives in a buffer that other tokens reuse meanwhile: parse again (it was
    // accepted once, so it is again).
    return keys.candidates(kid, alg, nowMs).then((found) => signed(result, parseCompactJws(token), found));
  }

  function accept(token: string, result: AuthResult, requirements: AccessRequirements): AuthResult {
    cache?.offer(token, result, result.claims.exp * 1000);
    checkRequirements(result, requirements, options.audience);
    return result;
  }

  function cachedOrVerified(token: string, requirements: AccessRequirements): Promise<AuthResult> {
    const nowMs = now();
    const cached = cache?.get(token, nowMs);
    if (cached !== undefined) {
      checkRequirements(cached, requirements, options.audience);
      return Promise.resolve(cached);
    }
    const verified = verifyToken(token, nowMs);
    if (verified instanceof Promise) return verified.then((result) => accept(token, result, requirements));
    return Promise.resolve(accept(token, verified, requirements));
  }

  return {
    issuer,
    audience: options.audience,
    verify(token, requirements = {}) {
      try {
        return cachedOrVerified(token, requirements);
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}

interface CheckedHeader {
  readonly alg: AccessTokenAlgorithm;
  readonly kid: string | undefined;
}

const maxRememberedHeaders = 64;

/**
 * `result`, once the token's signature verifies with one of `candidates`: synchronously where the
 * runtime checks signatures synchronously, else a promise (every check is started before this
 * returns, while the signing input and signature are still in the scratch buffer).
 */
function signed(
  result: AuthResult,
  jws: CompactJws,
  candidates: readonly VerificationKey[],
): AuthResult | Promise<AuthResult> {
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

function checkHeader(header: Readonly<Record<string, unknown>>, allowed: ReadonlySet<string>): CheckedHeader {
  const { alg, kid } = header;
  if (!isAccessTokenAlgorithm(alg) || !allowed.has(alg)) {
    throw invalidToken(`The access token's signature algorithm is not accepted (allowed: ${[...allowed].join(', ')}).`);
  }
  // RFC 7515 §4.1.11: extensions we do not understand must be refused; RFC 7797 `b64` changes what is signed.
  if (header.crit !== undefined || header.b64 !== undefined) {
    throw invalidToken('The access token uses JWS extensions ("crit" or "b64") that are not supported.');
  }
  if (typeof header.typ !== 'string' || !isAccessTokenType(header.typ)) {
    throw invalidToken('The token is not an access token (its "typ" header must be "at+jwt"). ID tokens are refused.');
  }
  if (kid !== undefined && typeof kid !== 'string') {
    throw invalidToken('The access token\'s "kid" header is not a string.');
  }
  // Embedded keys (`jwk`, `jku`, `x5u`, `x5c`) are never read: keys come only from the provider's JWKS.
  return { alg, kid };
}

/** RFC 9068 §2.1: `at+jwt`, also as the full media type `application/at+jwt`, case-insensitively. */
function isAccessTokenType(typ: string): boolean {
  const type = typ.toLowerCase();
  return type === 'at+jwt' || type === 'application/at+jwt';
}

function checkClaims(
  claims: Readonly<Record<string, unknown>>,
  issuer: string,
  nowSeconds: number,
  toleranceSeconds: number,
): AuthResult {
  const { iss, sub, aud, exp, nbf, iat, scope, client_id: clientId, organization_id: organizationId } = claims;
  if (typeof iss !== 'string' || iss !== issuer) {
    throw invalidToken(`The access token was not issued by ${issuer}.`);
  }
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw invalidToken('The access token has no valid "exp" (expiry) claim.');
  }
  if (nowSeconds - toleranceSeconds >= exp) {
    throw invalidToken('The access token has expired. Get a new one from the identity provider.');
  }
  if (nbf !== undefined && (typeof nbf !== 'number' || !Number.isFinite(nbf) || nbf > nowSeconds + toleranceSeconds)) {
    throw invalidToken('The access token is not valid yet ("nbf" is in the future).');
  }
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat) || iat > nowSeconds + toleranceSeconds)) {
    throw invalidToken('The access token\'s "iat" (issued at) claim is invalid or in the future.');
  }
  if (typeof sub !== 'string' || sub === '') {
    throw invalidToken('The access token has no "sub" (subject) claim.');
  }
  const audience = audienceOf(aud);
  if (audience === undefined) {
    throw invalidToken('The access token has no valid "aud" (audience) claim.');
  }
  if (scope !== undefined && typeof scope !== 'string') {
    throw invalidToken('The access token\'s "scope" claim is not a string.');
  }
  if (clientId !== undefined && typeof clientId !== 'string') {
    throw invalidToken('The access token\'s "client_id" claim is not a string.');
  }
  if (organizationId !== undefined && typeof organizationId !== 'string') {
    throw invalidToken('The access token\'s "organization_id" claim is not a string.');
  }
  return Object.freeze({
    sub,
    clientId,
    scopes: scope === undefined ? noScopes : scopesOf(scope),
    organizationId: organizationId ?? audience.organizationId,
    audience: audience.audience,
    claims: Object.freeze(claims) as AccessTokenClaims,
  });
}

const noScopes: readonly string[] = Object.freeze([]);

function invalidToken(message: string): ApiAuthError {
  return new ApiAuthError('invalid_token', message);
}

function providerUnavailable(cause: unknown): ApiAuthError {
  return new ApiAuthError(
    'provider_unavailable',
    "The identity provider's signing keys are unavailable, so the access token cannot be verified. Try again later.",
    { cause },
  );
}

interface KeySource {
  /** Public keys that may have signed a token with this `kid` and `alg`, from the JWKS cache. */
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

function keySource(source: AccessTokenIssuer, issuer: string, options: AccessTokenVerifierOptions): KeySource {
  const ownCache = options.fetch !== undefined || options.now !== undefined || options.timeoutMs !== undefined;
  const remote = { fetch: options.fetch, now: options.now, timeoutMs: options.timeoutMs };
  const cacheFor = (jwksUri: string) => (ownCache ? new JwksCache(jwksUri, remote) : JwksCache.shared(jwksUri));
  let jwks: JwksCache | undefined = 'jwksUri' in source ? cacheFor(source.jwksUri) : undefined;

  async function resolveJwks(): Promise<JwksCache> {
    if (jwks) return jwks;
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
      const found = select(recent.jwkSet, kid, alg);
      // Keys still being prepared (Web Crypto imports) are awaited by `candidates`.
      if (found instanceof Promise || found.length === 0) return undefined;
      lastSelection = { jwkSet: recent.jwkSet, kid, alg, found };
      return found;
    },
    async candidates(kid, alg, nowMs) {
      const cache = jwks ?? (await resolveJwks());
      let jwkSet = await currentKeys(cache);
      recent = { jwkSet, at: nowMs };
      let found = await select(jwkSet, kid, alg);
      if (found.length === 0 && kid !== undefined && !jwkSet.some((jwk) => jwk.kid === kid)) {
        // Key rotation: a new key may have been published since the set was fetched.
        if (!(await cache.refreshForUnknownKid())) {
          throw invalidToken('The access token is signed with a key the identity provider does not publish.');
        }
        jwkSet = await currentKeys(cache);
        recent = { jwkSet, at: nowMs };
        found = await select(jwkSet, kid, alg);
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

// The keys found for each (alg, kid) of a key set. A key set from the JWKS cache is immutable and
// replaced on refetch, so the memo dies with it. Only successful look-ups are kept, so unknown kids
// sent by anyone cannot grow it.
const selections = new WeakMap<readonly Jwk[], Map<string, readonly VerificationKey[]>>();

function select(
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
