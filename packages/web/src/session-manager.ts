/**
 * One application's sessions: loads each request's {@link Session} from its cookies (and the
 * store), and commits it as `Set-Cookie` headers and store writes. By default the whole session
 * is sealed into cookies (`session-cookies.ts`); with a {@link SessionStore} the cookie holds only
 * a sealed random id, and `store-sync.ts` keeps the session in step with the store.
 */
import { signInLifetimeMs } from '@logto-kit/client';
import { randomBase64url } from './base64url.ts';
import { CookieSealer, joinCookieValue, type UnsealFailure } from './cookie-session.ts';
import { SealedStore } from './sealed-store.ts';
import { loadedData, Session } from './session.ts';
import { maxSessionCookieBytes } from './session-budget.ts';
import { holdsOnlyPendingSignIns, isSignedIn } from './session-contents.ts';
import { type SessionCookieInHeader, SessionCookies } from './session-cookies.ts';
import type { SessionStore } from './session-store.ts';
import { StoreSync } from './store-sync.ts';

/** Receives diagnostics; `console` fits. */
export interface Logger {
  /** A refused cookie (tampered, foreign, expired): expected now and then, not an error. */
  debug(message: string): void;
  /** The session store failed to read or save a session; the request was answered with 503. */
  error?(message: string, error: unknown): void;
}

/** Session options. */
export interface SessionOptions {
  /**
   * Secrets, newest first: the first encrypts, all decrypt. Rotate by putting a new secret first
   * and removing an old one once the sessions it sealed have expired. At least 32 characters each.
   */
  secrets: readonly string[];
  /** Keep session data in this store and only an encrypted id in the cookie. */
  store?: SessionStore;
  /** Cookie name (chunks are `name.1`, `name.2`, …). Defaults to `logto_session`. */
  cookieName?: string;
  /**
   * Lifetime of a signed-in session in seconds, renewed while the session is used. Defaults to
   * 14 days. A session without a signed-in user (e.g. only a pending sign-in) lives as long as a
   * pending sign-in, 10 minutes, or `maxAge` if shorter.
   */
  maxAge?: number;
  /**
   * `Secure` attribute: `'auto'` (default) sets it when the request came over https (as the
   * framework decides it, e.g. Express with `trust proxy`).
   */
  secure?: boolean | 'auto';
  /** Cookie `Domain`; host-only when absent. */
  domain?: string;
  /** Cookie `Path`. Defaults to `/`. */
  path?: string;
  /** Current time in milliseconds; injectable for tests. */
  now?: () => number;
  /**
   * Where a refused cookie (debug) and a failing session store (error) are reported. By default
   * refused cookies are not reported and store failures go to `console.error`.
   */
  logger?: Logger;
}

/** What the session needs to know about the request. */
export interface SessionRequest {
  cookies: ReadonlyMap<string, string>;
  /** Whether the request came over https. */
  secure: boolean;
}

/** The outcome of {@link SessionManager.prepare}. */
interface PreparedCommit {
  /** `Set-Cookie` header values. */
  headers: string[];
  /** Store writes that must finish before the response ends; absent when there are none. */
  persist?: () => Promise<void>;
}

const defaultMaxAge = 14 * 24 * 60 * 60;
const pendingSignInSeconds = signInLifetimeMs / 1000;

/** Loads and commits sessions; one instance per application. */
export class SessionManager {
  /** The session cookie's name (chunks are `name.1`, `name.2`, …). */
  readonly cookieName: string;
  /** The lifetime of a signed-in session, in seconds. */
  readonly maxAge: number;
  /** @internal The store side (store sessions only). */
  readonly sync: StoreSync | undefined;
  readonly #cookies: SessionCookies;
  readonly #options: SessionOptions;
  readonly #now: () => number;
  #hasEnded: ((session: Session) => Promise<boolean>) | undefined;

  constructor(options: SessionOptions) {
    this.#options = options;
    const sealer = new CookieSealer({ secrets: options.secrets, now: options.now });
    this.#now = options.now ?? Date.now;
    this.cookieName = options.cookieName ?? 'logto_session';
    this.maxAge = options.maxAge ?? defaultMaxAge;
    // What reaches the store is sealed and bound to its id; anything else reads back as absent.
    this.sync =
      options.store &&
      new StoreSync(new SealedStore(options.store, sealer, this.#now), {
        lifetimeOf: (session) => this.lifetimeOf(session),
        report: (message, error) => this.#report(message, error),
      });
    this.#cookies = new SessionCookies({
      name: this.cookieName,
      sealer,
      usesStore: options.store !== undefined,
      secure: options.secure ?? 'auto',
      path: options.path ?? '/',
      domain: options.domain,
      now: this.#now,
      refused: (reason) => this.#refuse(reason),
    });
  }

  /**
   * @internal Checks every loaded session: one for which `hasEnded` answers true is emptied (its
   * cookies cleared, its stored copy removed). Back-channel logout sets it.
   */
  endSessionsWhen(hasEnded: (session: Session) => Promise<boolean>): void {
    this.#hasEnded = hasEnded;
  }

  /** Whether session data lives in a server-side store (only an id in the cookie). */
  get usesStore(): boolean {
    return this.sync !== undefined;
  }

  /** The number of sessions whose new tokens wait for the store to answer again (kept in this process). */
  get pendingWrites(): number {
    return this.sync?.pendingWrites ?? 0;
  }

  /** Reads the request's session; a missing, tampered, foreign or expired cookie gives an empty one. */
  async load(request: SessionRequest): Promise<Session> {
    return this.#openFound(joinCookieValue(this.cookieName, request.cookies), request.secure);
  }

  /**
   * Reads the session of a request with this `Cookie` header (as sent); a missing, tampered,
   * foreign or expired cookie gives an empty one. At once for a cookie sealed with the session's
   * data and opened before (the usual request of a signed-in user), unless ended sessions are
   * checked (back-channel logout).
   */
  open(cookieHeader: string | undefined, secure: boolean): Session | Promise<Session> {
    return this.#openFound(this.#cookies.find(cookieHeader), secure);
  }

  #openFound({ value, present }: SessionCookieInHeader, secure: boolean): Session | Promise<Session> {
    const session = new Session(secure, present);
    if (value === undefined) return session;
    // Never written by this library: not worth decrypting, and cleared so the browser stops sending it.
    if (value.length > maxSessionCookieBytes) {
      this.#refuse('malformed');
      session.markRefused();
      return session;
    }
    const opened = this.#cookies.open(value);
    if (opened === undefined || opened instanceof Promise || opened.kind !== 'data' || this.#hasEnded) {
      return this.#loadSlowly(session, opened);
    }
    session.loaded(opened.data, opened.expiresAt);
    return session;
  }

  async #loadSlowly(session: Session, opening: ReturnType<SessionCookies['open']>): Promise<Session> {
    const opened = await opening;
    if (!opened) {
      session.markRefused();
      return session;
    }
    if (opened.kind === 'data') {
      session.loaded(opened.data, opened.expiresAt);
    } else {
      const stored = await this.sync!.read(opened.sid);
      if (!stored) {
        session.markRefused();
        return session;
      }
      session.loaded(loadedData(stored.data), opened.expiresAt, opened.sid, stored.version);
    }
    if (this.#hasEnded && (await this.#hasEnded(session))) session.destroy();
    return session;
  }

  /**
   * Whether committing `session` would send or store anything: adapters skip the (asynchronous)
   * commit when it would not, which is the common case of a signed-in user's request.
   */
  needsCommit(session: Session): boolean {
    if (session.untouched) return false;
    if (session.isEmpty()) return session.hadCookie();
    return (
      session.dirty ||
      session.regenerated ||
      this.#needsRenewal(session, this.#now()) ||
      (this.usesStore && !session.storeId && !holdsOnlyPendingSignIns(session.snapshot()))
    );
  }

  /**
   * Persists `session` (store writes) and answers the `Set-Cookie` header values to send (none
   * when nothing changed). Call once, before the response headers are sent. Rejects when the
   * store fails: answer 503 then, not the response that depends on the session.
   */
  async commit(session: Session): Promise<string[]> {
    const { headers, persist } = await this.#prepare(session);
    await persist?.();
    return headers;
  }

  /** Seals the `Set-Cookie` headers that persist `session`, and gives them with the store writes still to do. */
  async #prepare(session: Session): Promise<PreparedCommit> {
    if (session.untouched) return { headers: [] };
    const now = this.#now();
    const { secure } = session;
    const empty = session.isEmpty();
    const cookies = this.#cookies;
    const clearAll = (): string[] => (session.hadCookie() ? cookies.clear(session.presentCookies, secure) : []);
    const write = (payload: unknown, lifetime: number) =>
      cookies.write(payload, session.presentCookies, secure, now, lifetime);

    const sync = this.sync;
    if (sync) {
      const oldId = session.storeId;
      const dropOld = oldId !== undefined && (session.regenerated || empty);
      if (empty) {
        if (dropOld) sync.forget(oldId);
        return { headers: clearAll(), persist: dropOld ? () => sync.store.destroy(oldId) : undefined };
      }
      const lifetime = this.lifetimeOf(session);
      if (holdsOnlyPendingSignIns(session.snapshot())) {
        // Nothing worth a store entry yet (pending sign-ins only, which any site can cause):
        // kept in the bounded cookie, so a flood of anonymous sign-in starts writes nothing.
        if (!session.dirty && !session.regenerated && !this.#needsRenewal(session, now) && !oldId) {
          return { headers: [] };
        }
        const data = cookies.fitting(session.snapshot(), now + lifetime * 1000);
        if (!data) {
          this.#reportTooLarge();
          return { headers: clearAll(), persist: oldId ? () => sync.destroy(oldId) : undefined };
        }
        return {
          headers: await write({ anonymous: data }, lifetime),
          persist: oldId ? () => sync.destroy(oldId) : undefined,
        };
      }
      if (!oldId || session.regenerated) {
        const id = randomBase64url(32);
        const data = session.snapshot();
        return {
          headers: await write({ sid: id }, lifetime),
          persist: async () => {
            if (dropOld) await sync.destroy(oldId);
            await sync.store.set(id, data, lifetime);
          },
        };
      }
      if (!session.dirty && !this.#needsRenewal(session, now)) return { headers: [] };
      return {
        headers: await write({ sid: oldId }, lifetime),
        persist: () => sync.writeMerged(oldId, session, lifetime),
      };
    }

    if (empty) return { headers: clearAll() };
    if (!session.dirty && !session.regenerated && !this.#needsRenewal(session, now)) return { headers: [] };
    const lifetime = this.lifetimeOf(session);
    const data = cookies.fitting(session.snapshot(), now + lifetime * 1000);
    if (!data) {
      this.#reportTooLarge();
      return { headers: clearAll() };
    }
    return { headers: await write(data, lifetime) };
  }

  /**
   * @internal Whether `session` can be kept: always with a store; with cookie sessions, when it
   * (or a lighter version of it, without cached access tokens) fits the cookie budget.
   */
  fits(session: Session): boolean {
    if (this.sync) return true;
    return this.#cookies.fitting(session.snapshot(), this.#now() + this.lifetimeOf(session) * 1000) !== undefined;
  }

  /** @internal The lifetime of `session` in seconds: `maxAge` when signed in, a pending sign-in's otherwise. */
  lifetimeOf(session: Session): number {
    return isSignedIn(session) ? this.maxAge : Math.min(this.maxAge, pendingSignInSeconds);
  }

  // Renew when half the lifetime has passed, so an active user stays signed in without a new cookie per request.
  #needsRenewal(session: Session, now: number): boolean {
    return session.expiresAt === undefined || session.expiresAt - now < (this.lifetimeOf(session) * 1000) / 2;
  }

  /** Reports a session store failure (reading or saving); the request is answered with 503. */
  reportStoreFailure(error: unknown): void {
    this.#report('logto-kit: the session store failed; answered 503.', error);
  }

  #report(message: string, error: unknown): void {
    if (this.#options.logger?.error) this.#options.logger.error(message, error);
    else console.error(message, error);
  }

  #reportTooLarge(): void {
    const message = `logto-kit: a session grew beyond the ${maxSessionCookieBytes}-byte cookie budget and was ended. Keep sessions in a server-side store (session.store: MemoryStore, RedisStore or PostgresStore).`;
    if (this.#options.logger?.error) this.#options.logger.error(message, undefined);
    else console.error(message);
  }

  #refuse(reason: UnsealFailure): void {
    this.#options.logger?.debug(
      `logto-kit: ignoring the ${this.cookieName} cookie (${reason}); the session starts empty.`,
    );
  }
}
