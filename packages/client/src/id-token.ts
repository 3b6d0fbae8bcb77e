import { decodeProtectedHeader, errors, type JWTPayload, type JWTVerifyOptions, jwtVerify } from 'jose';
import { allowedAlgorithms } from './algorithms.ts';
import type { IdTokenClaims } from './claims.ts';
import { LogtoError, type LogtoErrorCode } from './errors.ts';
import type { JwksCache } from './jwks-cache.ts';
import { createJwksKeyGetter } from './jwks-key-getter.ts';

/** What an ID token is checked against. */
export interface IdTokenExpectations {
  /** The issuer, compared exactly. */
  issuer: string;
  /** The app id: must be in `aud`, and equal `azp` when there are several audiences. */
  clientId: string;
  /** The provider's signing keys. */
  jwks: JwksCache;
  /** The `nonce` sent with the sign-in; checked when given. */
  nonce?: string;
  /** The clock, in milliseconds. */
  now: () => number;
  /** Allowed clock skew for `exp` and `iat`, in seconds. */
  clockToleranceSeconds: number;
}

const maxIdTokenLength = 32 * 1024;

function fail(code: LogtoErrorCode, message: string, cause?: unknown): LogtoError {
  return new LogtoError(code, message, cause === undefined ? {} : { cause });
}

/**
 * Verifies an ID token (OpenID Connect Core 1.0 §3.1.3.7) and returns its claims: the signature
 * with the provider's keys and an asymmetric algorithm, then `iss`, `aud`/`azp`, `exp`, `iat`,
 * `nonce` and `sub`, in that order.
 *
 * @throws {LogtoError} `unsupported_algorithm`, `id_token_invalid_signature`, `id_token_expired`,
 *   `id_token_iat_in_future`, `id_token_nonce_mismatch` or `id_token_invalid_claims`.
 */
export async function verifyIdToken(idToken: string, expected: IdTokenExpectations): Promise<IdTokenClaims> {
  // Refuse early: a real ID token is a few kilobytes at most.
  if (idToken.length > maxIdTokenLength) {
    throw fail('id_token_invalid_claims', `The ID token is longer than ${maxIdTokenLength} characters.`);
  }
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(idToken).alg;
  } catch (cause) {
    throw fail('id_token_invalid_claims', 'The ID token is not a well-formed JWT.', cause);
  }
  if (typeof alg !== 'string' || !allowedAlgorithms.includes(alg)) {
    throw fail(
      'unsupported_algorithm',
      `The ID token is signed with the algorithm ${JSON.stringify(alg)}; only asymmetric algorithms (${allowedAlgorithms.join(', ')}) are accepted.`,
    );
  }

  const tolerance = expected.clockToleranceSeconds;
  const options = {
    algorithms: [...allowedAlgorithms],
    currentDate: new Date(expected.now()),
    clockTolerance: tolerance,
  };
  let payload: Record<string, unknown>;
  try {
    payload = await verifyWithEachCandidate(idToken, expected.jwks, options);
  } catch (error) {
    if (error instanceof LogtoError) throw error;
    if (error instanceof errors.JWTExpired) throw fail('id_token_expired', 'The ID token has expired.', error);
    if (error instanceof errors.JOSEAlgNotAllowed) {
      throw fail('unsupported_algorithm', 'The ID token algorithm is not allowed.', error);
    }
    if (error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWTInvalid) {
      throw fail('id_token_invalid_claims', `The ID token is invalid: ${error.message}.`, error);
    }
    throw fail(
      'id_token_invalid_signature',
      'The ID token signature does not verify with any key the identity server publishes.',
      error,
    );
  }

  if (payload.iss !== expected.issuer) {
    throw fail(
      'id_token_invalid_claims',
      `The ID token's issuer ${JSON.stringify(payload.iss)} is not "${expected.issuer}".`,
    );
  }
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : payload.aud;
  if (!Array.isArray(audiences) || !audiences.includes(expected.clientId)) {
    throw fail(
      'id_token_invalid_claims',
      `The ID token's audience ${JSON.stringify(payload.aud)} does not include the app id "${expected.clientId}".`,
    );
  }
  // §3.1.3.7 items 4–5: with several audiences, the authorized party must be this client.
  if ((audiences.length > 1 || payload.azp !== undefined) && payload.azp !== expected.clientId) {
    throw fail(
      'id_token_invalid_claims',
      `The ID token's authorized party (azp) ${JSON.stringify(payload.azp)} is not the app id "${expected.clientId}".`,
    );
  }
  if (typeof payload.exp !== 'number') throw fail('id_token_invalid_claims', 'The ID token has no "exp".');
  if (typeof payload.iat !== 'number') throw fail('id_token_invalid_claims', 'The ID token has no "iat".');
  if (payload.iat > expected.now() / 1000 + tolerance) {
    throw fail(
      'id_token_iat_in_future',
      'The ID token was issued in the future: check that the clocks of this server and the identity server are synchronized.',
    );
  }
  if (expected.nonce !== undefined && payload.nonce !== expected.nonce) {
    throw fail('id_token_nonce_mismatch', 'The ID token nonce differs from the one sent with this sign-in.');
  }
  if (typeof payload.sub !== 'string' || payload.sub === '') {
    throw fail('id_token_invalid_claims', 'The ID token has no subject ("sub").');
  }
  return payload as IdTokenClaims;
}

/**
 * `jwtVerify` with the cache's keys. When the token has no `kid` and several published keys fit its
 * algorithm (rotation), each candidate is tried in turn, as `jose` leaves that to the caller.
 */
async function verifyWithEachCandidate(token: string, jwks: JwksCache, options: JWTVerifyOptions): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, createJwksKeyGetter(jwks), options)).payload;
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    for await (const key of error) {
      try {
        return (await jwtVerify(token, key, options)).payload;
      } catch (attempt) {
        if (!(attempt instanceof errors.JWSSignatureVerificationFailed)) throw attempt;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}
