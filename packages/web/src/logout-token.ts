/**
 * Verification of an OpenID Connect Back-Channel Logout 1.0 logout token (§2.6): the signature
 * with the provider's published keys (the client package's discovery and JWKS caches, shared with
 * ID-token verification), then `iss`, `aud`, `iat`, `typ`, `events`, `sid`/`sub`, no `nonce`.
 * Replay (`jti`) is checked by the caller, which holds the shared store.
 */
import {
  allowedAlgorithms,
  createJwksKeyGetter,
  getDiscovery,
  JwksCache,
  type RemoteCacheOptions,
} from '@logto-kit/client';
import { errors, jwtVerify } from 'jose';

/** The event a logout token must carry (§2.4). */
export const backChannelLogoutEvent = 'http://schemas.openid.net/event/backchannel-logout';

/** A logout token's claims that matter once it is verified. */
export interface LogoutTokenClaims {
  /** The provider session (with this app) that ended; absent when every session of `sub` ended. */
  sid?: string;
  /** The user whose sessions ended. */
  sub?: string;
  /** Issued at, in seconds: sessions signed in at or before it end. */
  iat: number;
  /** The token's id, refused when seen again. */
  jti: string;
}

/** What a logout token is checked against. */
export interface LogoutTokenExpectations {
  /** The issuer, compared exactly. */
  issuer: string;
  /** This application's id: must be in `aud`. */
  clientId: string;
  /** The clock, in milliseconds. */
  now: () => number;
  /** How old a token may be, in seconds (its `iat`), and the clock skew allowed. */
  maxAgeSeconds: number;
  clockToleranceSeconds: number;
  /** `fetch` and timeout of the discovery and JWKS requests. */
  remote?: Pick<RemoteCacheOptions, 'fetch' | 'timeoutMs'>;
}

/** Why a logout token was refused: a short text for the `error_description` of a 400. */
export class LogoutTokenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LogoutTokenError';
  }
}

const maxLogoutTokenLength = 16 * 1024;

/**
 * Verifies a logout token and returns its claims.
 *
 * @throws {LogoutTokenError} for any token that is not a valid logout token for this application.
 *   Discovery and JWKS failures (the provider is unreachable) are thrown as they are.
 */
export async function verifyLogoutToken(token: string, expected: LogoutTokenExpectations): Promise<LogoutTokenClaims> {
  if (token.length > maxLogoutTokenLength) throw new LogoutTokenError('The logout token is too long.');
  const remote = { ...expected.remote, now: expected.now };
  const discovery = await getDiscovery(expected.issuer, remote);
  const keys = createJwksKeyGetter(JwksCache.shared(discovery.jwks_uri, remote));
  let payload: Record<string, unknown>;
  let typ: unknown;
  try {
    const verified = await jwtVerify(token, keys, {
      algorithms: [...allowedAlgorithms],
      issuer: expected.issuer,
      audience: expected.clientId,
      currentDate: new Date(expected.now()),
      clockTolerance: expected.clockToleranceSeconds,
      maxTokenAge: expected.maxAgeSeconds,
      requiredClaims: ['iat', 'jti', 'events'],
    });
    payload = verified.payload;
    typ = verified.protectedHeader.typ;
  } catch (error) {
    if (error instanceof errors.JOSEError) {
      throw new LogoutTokenError(`The logout token is invalid: ${error.message}.`, { cause: error });
    }
    throw error;
  }
  // §2.4: explicitly typed logout tokens cannot be confused with other JWTs of the provider.
  if (typ !== undefined && typ !== 'logout+jwt') throw new LogoutTokenError('The token is not typed logout+jwt.');
  const events = payload.events;
  const event = isObject(events) ? events[backChannelLogoutEvent] : undefined;
  if (!isObject(event)) throw new LogoutTokenError(`The events claim does not hold ${backChannelLogoutEvent}.`);
  if ('nonce' in payload) throw new LogoutTokenError('A logout token must not carry a nonce.');
  const { sid, sub, jti, iat } = payload;
  if (sid !== undefined && (typeof sid !== 'string' || sid === '')) throw new LogoutTokenError('Invalid sid.');
  if (sub !== undefined && (typeof sub !== 'string' || sub === '')) throw new LogoutTokenError('Invalid sub.');
  if (sid === undefined && sub === undefined) throw new LogoutTokenError('The logout token names neither sid nor sub.');
  if (typeof jti !== 'string' || jti === '') throw new LogoutTokenError('Invalid jti.');
  return {
    ...(sid === undefined ? {} : { sid }),
    ...(sub === undefined ? {} : { sub }),
    iat: iat as number,
    jti,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
