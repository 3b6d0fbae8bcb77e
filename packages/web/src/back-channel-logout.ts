/**
 * OpenID Connect Back-Channel Logout 1.0 for the web core: the provider posts a logout token
 * when a user signs out there (or is signed out by an administrator); the sessions it names end on
 * every instance of the application, cookie sessions included. The ended `sid`s and `sub`s are
 * kept in a store shared by the instances (a revocation list, each entry living as long as a
 * session), and every request's session is checked against it.
 */
import { LogtoError, StorageKey } from '@logto-kit/client';
import { jsonContentType, type PlainAnswer } from './answers.ts';
import { decodeBase64url, encodeBase64url } from './base64url.ts';
import { LogoutTokenError, type LogoutTokenExpectations, verifyLogoutToken } from './logout-token.ts';
import type { Session } from './session.ts';
import type { SessionData, SessionStore } from './session-store.ts';
import { isSessionStoreError } from './stores/session-store-error.ts';

/** Options of back-channel logout (`backChannelLogout` of the core configuration). */
export interface BackChannelLogoutOptions {
  /**
   * Where ended sessions and seen logout tokens are recorded. It must be shared by every instance
   * of the application (e.g. a `RedisStore`). Defaults to the session store, or, with cookie
   * sessions, a `MemoryStore` of this process (enough for a single instance only).
   */
  store?: SessionStore;
}

/** @internal What {@link BackChannelLogout} needs from the core. */
export interface BackChannelLogoutSetup extends Omit<LogoutTokenExpectations, 'maxAgeSeconds'> {
  store: SessionStore;
  /** The lifetime of a signed-in session, in seconds: how long an ended session is remembered. */
  sessionLifetimeSeconds: number;
  /** The sessions' clock, in milliseconds: when a session signed in and when a logout arrived. */
  sessionNow: () => number;
}

/** @internal The session key holding when the user signed in (milliseconds), set at the callback. */
export const signedInAtKey = 'logto-kit.signedInAt';

/** How old a logout token may be: it is sent as the user signs out. */
const maxTokenAgeSeconds = 300;
const decodedLimit = 1000;

interface SessionIdentity {
  sid?: string;
  sub?: string;
  iat: number;
}

/** @internal The back-channel logout route and the check of every loaded session. */
export class BackChannelLogout {
  readonly #setup: BackChannelLogoutSetup;
  /** The identity of recent ID tokens, keyed by the whole token (it is sent on every request). */
  readonly #decoded = new Map<string, SessionIdentity | undefined>();

  constructor(setup: BackChannelLogoutSetup) {
    this.#setup = setup;
  }

  /**
   * Answers a back-channel logout request (its `application/x-www-form-urlencoded` body): 200 once
   * the sessions are ended, 400 `invalid_request` for a missing, invalid, forged or replayed token
   * (§2.8), 502 when the provider's keys cannot be fetched, 503 when the store is down.
   */
  async receive(body: string): Promise<PlainAnswer> {
    const tokens = new URLSearchParams(body).getAll('logout_token');
    if (tokens.length !== 1 || !tokens[0]) return refusal(400, 'invalid_request', 'Expected one logout_token.');
    try {
      const claims = await verifyLogoutToken(tokens[0], { ...this.#setup, maxAgeSeconds: maxTokenAgeSeconds });
      const { store } = this.#setup;
      // Replay: a token id is accepted once, for as long as the token itself would be.
      const seenKey = `logout.jti.${await digest(claims.jti)}`;
      const seen = { at: String(claims.iat) };
      const ttl = maxTokenAgeSeconds + 2 * this.#setup.clockToleranceSeconds;
      if (!(await markSeen(store, seenKey, seen, ttl))) {
        return refusal(400, 'invalid_request', 'This logout token was already used.');
      }
      // §2.7: a `sid` ends that session; `sub` alone ends every session of the user.
      const key =
        claims.sid === undefined ? `logout.sub.${await digest(claims.sub!)}` : `logout.sid.${await digest(claims.sid)}`;
      await store.set(key, { at: String(this.#setup.sessionNow()) }, this.#setup.sessionLifetimeSeconds);
      return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: '' };
    } catch (error) {
      if (error instanceof LogoutTokenError) return refusal(400, 'invalid_request', error.message);
      if (isSessionStoreError(error))
        return refusal(503, 'temporarily_unavailable', 'The session store is unavailable.');
      if (error instanceof LogtoError) return refusal(502, 'temporarily_unavailable', error.message);
      throw error;
    }
  }

  /** The answer to a request body too large to hold a logout token (400, not read). */
  refuseOversized(): PlainAnswer {
    return refusal(400, 'invalid_request', 'The request body is too large for a logout token.');
  }

  /**
   * Whether the provider ended `session` through back-channel logout: its ID token's `sid` or
   * `sub` was logged out at or after the user signed in (a sign-in after the logout is not ended).
   *
   * @throws {SessionStoreError} when the store cannot be read (answered 503, never a sign-out).
   */
  async hasEnded(session: Session): Promise<boolean> {
    const idToken = session.get(StorageKey.IdToken);
    if (!idToken) return false;
    const identity = this.#identity(idToken);
    if (!identity) return false;
    const { store } = this.#setup;
    const [bySid, bySub] = await Promise.all([
      identity.sid === undefined ? undefined : digest(identity.sid).then((hash) => store.get(`logout.sid.${hash}`)),
      identity.sub === undefined ? undefined : digest(identity.sub).then((hash) => store.get(`logout.sub.${hash}`)),
    ]);
    // Sessions signed in before this key existed count from their ID token's issue time.
    const signedInAt = Number(session.get(signedInAtKey) ?? identity.iat * 1000);
    return [bySid, bySub].some((ended) => ended !== undefined && Number(ended.data.at) >= signedInAt);
  }

  #identity(idToken: string): SessionIdentity | undefined {
    if (this.#decoded.has(idToken)) return this.#decoded.get(idToken);
    const identity = decodeIdentity(idToken);
    if (this.#decoded.size >= decodedLimit) this.#decoded.delete(this.#decoded.keys().next().value!);
    this.#decoded.set(idToken, identity);
    return identity;
  }
}

/** The `sid`, `sub` and `iat` of an ID token that was verified when it was stored. */
function decodeIdentity(idToken: string): SessionIdentity | undefined {
  const bytes = decodeBase64url(idToken.split('.')[1] ?? '');
  if (!bytes) return undefined;
  try {
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof claims !== 'object' || claims === null) return undefined;
    const { sid, sub, iat } = claims as Record<string, unknown>;
    if (typeof iat !== 'number') return undefined;
    return {
      iat,
      ...(typeof sid === 'string' ? { sid } : {}),
      ...(typeof sub === 'string' ? { sub } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Records `key` unless it exists; answers whether it was new (atomic when the store has compare-and-set). */
async function markSeen(store: SessionStore, key: string, data: SessionData, ttl: number): Promise<boolean> {
  if (store.compareAndSet) return store.compareAndSet(key, undefined, data, ttl);
  if ((await store.get(key)) !== undefined) return false;
  await store.set(key, data, ttl);
  return true;
}

/** A store key part for a provider-chosen value: fixed length, any characters. */
async function digest(value: string): Promise<string> {
  const hash = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value));
  return encodeBase64url(new Uint8Array(hash));
}

function refusal(status: number, error: string, description: string): PlainAnswer {
  return {
    status,
    headers: { 'Cache-Control': 'no-store', 'Content-Type': jsonContentType },
    body: JSON.stringify({ error, error_description: description }),
  };
}
