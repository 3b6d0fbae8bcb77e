// The JOSE header of an access token (RFC 7515 §4, RFC 9068 §2.1): which algorithm and key it
// names, and the header rules a Logto access token must follow.
import { type AccessTokenAlgorithm, isAccessTokenAlgorithm } from './algorithms.ts';
import { type CompactJws, decodeHeader, MalformedJwsError } from './compact-jws.ts';
import { ApiAuthError, invalidToken } from './errors.ts';

/** An accepted header: its algorithm and key id. */
export interface CheckedHeader {
  readonly alg: AccessTokenAlgorithm;
  readonly kid: string | undefined;
}

/** Checks a token's header, throwing the {@link ApiAuthError} (401 `invalid_token`) that refuses it. */
export type HeaderCheck = (jws: CompactJws) => CheckedHeader;

/** The most distinct headers one verifier remembers; a full memo is emptied. */
const maxRememberedHeaders = 64;

/**
 * The header check of one verifier, for the algorithms it `allowed`. One provider's tokens share a
 * handful of headers (one per signing key), so each distinct header is decoded and checked once,
 * its outcome (accepted or refused) remembered. Bounded, so varied headers cannot grow it.
 */
export function createHeaderCheck(allowed: ReadonlySet<string>): HeaderCheck {
  const headers = new Map<string, CheckedHeader | ApiAuthError>();
  // The last accepted header: a provider signs with one key at a time, so nearly every token starts
  // with it, and comparing it in place costs less than slicing and hashing it for the map.
  let lastHeaderSegment = '';
  let lastHeader: CheckedHeader | undefined;
  return ({ token, headerEnd }) => {
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
  };
}

/**
 * `alg` in the allow-list (never `none` or HS*); `crit` and `b64` refused; `typ` is `at+jwt`;
 * `kid` a string if present. Embedded keys (`jwk`, `jku`, `x5u`, `x5c`) are never read: keys come
 * only from the provider's JWKS.
 */
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
  return { alg, kid };
}

/** RFC 9068 §2.1: `at+jwt`, also as the full media type `application/at+jwt`, case-insensitively. */
function isAccessTokenType(typ: string): boolean {
  const type = typ.toLowerCase();
  return type === 'at+jwt' || type === 'application/at+jwt';
}
