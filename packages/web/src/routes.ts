/**
 * What the sign-in, sign-up, callback and sign-out routes do, independent of any web framework:
 * each takes the user's {@link Session} and answers where to redirect. Framework adapters
 * (Express here; Hono and Fastify follow the same core) only translate requests and responses.
 */
import {
  type LogtoClient,
  LogtoError,
  type SignInCallbackResult,
  type Storage,
  StorageKey,
  signInLifetimeMs,
} from '@logto-kit/client';
import { encodeBase64url } from './base64url.ts';
import { safeReturnTo } from './return-to.ts';
import type { Session } from './session.ts';
import { maxPendingSignIns, withNewestPendingSignIns } from './session-contents.ts';
import { RecordingStorage, sessionStorage } from './session-storage.ts';
import type { StoreSync } from './store-sync.ts';

/** The longest `returnTo` path kept with a pending sign-in; a longer one returns to `/`. */
export const maxReturnToLength = 512;

/** Options of a sign-in started by {@link LogtoRoutes.signIn}. */
export interface SignInRequest {
  /** Where to go after sign-in: a same-origin path of at most 512 characters; anything else falls back to `/`. */
  returnTo?: unknown;
  /** `register` shows the registration screen first (sign-up). */
  firstScreen?: 'sign_in' | 'register';
  /** Pre-fills the identifier on the sign-in page. */
  loginHint?: string;
}

/** Options of {@link LogtoRoutes}. */
export interface LogtoRoutesOptions {
  /** Creates the client for one request with the given storage. */
  createClient: (storage: Storage) => LogtoClient;
  /** The absolute callback URL registered with the provider. */
  redirectUri: string;
  /** The absolute URL the provider returns to after sign-out; registered with the provider. */
  postSignOutRedirectUri: string;
  /** @internal The store side of the sessions (store sessions only): callbacks claim their sign-in there. */
  sync?: StoreSync;
}

/** The most claimed states a cookie-session application remembers (each for a pending sign-in's lifetime). */
const maxClaimedStates = 10_000;

/** The `state` of a callback URL, or `undefined` when it has none (or is not a URL). */
function callbackState(callbackUrl: string): string | undefined {
  try {
    return new URL(callbackUrl).searchParams.get('state') ?? undefined;
  } catch {
    return undefined;
  }
}

/** A store key part for a `state` (any characters, any length): its SHA-256, base64url. */
async function digestState(state: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(state));
  return encodeBase64url(new Uint8Array(digest));
}

/** The route behaviour of one application. */
export class LogtoRoutes {
  readonly #options: LogtoRoutesOptions;
  /** Cookie sessions: states whose callback this process has started to complete, with their expiry. */
  readonly #claimedStates = new Map<string, number>();

  constructor(options: LogtoRoutesOptions) {
    this.#options = options;
  }

  /**
   * Starts a sign-in (or sign-up) and answers the provider URL to redirect to. The session keeps
   * the newest 5 pending sign-ins: each visit to the sign-in route (which any site can cause)
   * replaces the oldest instead of growing the session.
   */
  async signIn(session: Session, request: SignInRequest = {}): Promise<string> {
    const client = this.#options.createClient(sessionStorage(session));
    const returnTo = safeReturnTo(request.returnTo);
    const url = await client.signIn({
      redirectUri: this.#options.redirectUri,
      // The client keeps it with the pending sign-in (keyed by `state`, single use, expiring).
      postRedirectUri: returnTo !== undefined && returnTo.length <= maxReturnToLength ? returnTo : '/',
      ...(request.firstScreen ? { firstScreen: request.firstScreen } : {}),
      ...(request.loginHint ? { loginHint: request.loginHint } : {}),
    });
    const data = session.snapshot();
    const kept = withNewestPendingSignIns(data, maxPendingSignIns);
    if (kept !== data) {
      for (const key of Object.keys(data)) if (!(key in kept)) session.delete(key);
      for (const [key, value] of Object.entries(kept)) session.set(key, value);
    }
    return url;
  }

  /**
   * Completes a sign-in from the callback URL (absolute, as the provider redirected to it) and
   * answers the same-origin path to go to. On success the session is replaced by a new one that
   * holds only the new tokens (session-fixation defence). Throws `LogtoError` for an
   * unknown, replayed or expired `state` and for anything the provider or the tokens got wrong;
   * the pending sign-in is consumed either way.
   */
  async handleCallback(session: Session, callbackUrl: string): Promise<string> {
    // The pending sign-in is claimed before its code is exchanged: of identical concurrent
    // callbacks (a double click, a browser retry) only one reaches the token endpoint, since a
    // code redeemed twice makes the provider revoke the grant, the winner's tokens included.
    const state = callbackState(callbackUrl);
    if (state === undefined || session.get(`${StorageKey.SignInPrefix}${state}`) === undefined) {
      // No such sign-in (unknown, or already completed by a concurrent request that arrived
      // first): refused below, without touching the session, whose cookie may be the winner's.
      session.leaveUntouched();
    } else {
      if (!(await this.#claim(session, state))) {
        // The loser's answer must not overwrite the winner's new session cookie.
        session.leaveUntouched();
        throw new LogtoError(
          'callback_state_mismatch',
          'This sign-in is already being completed by another request (a repeated callback). Start the sign-in again if it did not complete.',
        );
      }
    }
    const storage = new RecordingStorage(session);
    let result: SignInCallbackResult;
    try {
      result = await this.#options.createClient(storage).handleSignInCallback(callbackUrl);
    } catch (error) {
      // Keep what the client consumed (the pending sign-in), so a replay fails too.
      storage.applyTo(session);
      throw error;
    }
    session.regenerate();
    for (const [key, value] of storage.written) {
      if (key !== StorageKey.SignInIndex) session.set(key, value);
    }
    return safeReturnTo(result.postRedirectUri) ?? '/';
  }

  /**
   * Claims the pending sign-in of `state`: with a server store, by taking the session out of the
   * store, or for a pending sign-in kept in the cookie by an entry created only if absent
   * (atomic, across instances); with cookie sessions, in this process (a cookie cannot be
   * consumed, so instances behind a load balancer each claim on their own). Answers whether this
   * request won the claim.
   */
  async #claim(session: Session, state: string): Promise<boolean> {
    const { sync } = this.#options;
    if (sync && session.storeId !== undefined) return sync.take(session);
    // A pending sign-in kept in the cookie, with a store: claimed there, across instances.
    if (sync) return sync.claim(await digestState(state));
    const now = Date.now();
    const claimedUntil = this.#claimedStates.get(state);
    if (claimedUntil !== undefined && claimedUntil > now) return false;
    if (this.#claimedStates.size >= maxClaimedStates) {
      for (const [claimed, until] of this.#claimedStates) if (until <= now) this.#claimedStates.delete(claimed);
      // Map iteration is insertion order: the oldest claims go first.
      for (const claimed of this.#claimedStates.keys()) {
        if (this.#claimedStates.size < maxClaimedStates) break;
        this.#claimedStates.delete(claimed);
      }
    }
    this.#claimedStates.set(state, now + signInLifetimeMs);
    return true;
  }

  /**
   * Signs the user out locally (the session is emptied) and answers the provider's end-session
   * URL, which returns to the configured post-sign-out URL.
   */
  async signOut(session: Session): Promise<string> {
    const client = this.#options.createClient(sessionStorage(session));
    try {
      return await client.signOut(this.#options.postSignOutRedirectUri);
    } finally {
      session.destroy();
    }
  }
}
