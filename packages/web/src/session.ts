/**
 * The per-request session, framework-free: loaded from the request's cookies, changed by the
 * route handlers and `LogtoClient`, committed as `Set-Cookie` headers. By default the whole
 * session is sealed into cookies (see `cookie-session.ts`); with a {@link SessionStore} the cookie
 * holds only a sealed random id.
 */
import { signInLifetimeMs } from '@logto-kit/client';
import { randomBase64url } from './base64url.ts';
import { CookieSealer, joinCookieValue, splitCookieValue, type UnsealFailure } from './cookie-session.ts';
import { type CookieAttributes, serializeCookie } from './cookies.ts';
import { PendingWrites, type SessionChanges } from './pending-writes.ts';
import { SealedStore } from './sealed-store.ts';
import { fittingSession, maxSessionCookieBytes } from './session-budget.ts';
import { holdsOnlyPendingSignIns, isSignedIn } from './session-contents.ts';
import type { SessionData, SessionStore } from './session-store.ts';

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

/** @internal The outcome of {@link SessionManager.prepare}. */
export interface PreparedCommit {
  /** `Set-Cookie` header values. */
  headers: string[];
  /** Store writes that must finish before the response ends; absent when there are none. */
  persist?: () => Promise<void>;
}

/** A session cookie's opened contents. */
type OpenedCookie =
  | { kind: 'data'; data: SessionData; expiresAt: number }
  | { kind: 'id'; sid: string; expiresAt: number };

const defaultMaxAge = 14 * 24 * 60 * 60;
const pendingSignInSeconds = signInLifetimeMs / 1000;
const casAttempts = 5;
const openedCacheSize = 1000;

/** Loads sessions; one instance per application. */
export class SessionManager {
  readonly cookieName: string;
  readonly maxAge: number;
  readonly #sealer: CookieSealer;
  readonly #store: SealedStore | undefined;
  readonly #pendingWrites: PendingWrites | undefined;
  readonly #options: SessionOptions;
  readonly #now: () => number;
  /**
   * Recently opened cookie values (the exact sealed text) and their contents: a returning user
   * sends the same cookie on every request, and decrypting it once is enough.
   */
  readonly #opened = new Map<string, OpenedCookie>();
  readonly #secureRequestAttributes: CookieAttributes;
  #hasEnded: ((session: Session) => Promise<boolean>) | undefined;
  readonly #plainRequestAttributes: CookieAttributes;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.#sealer = new CookieSealer({ secrets: options.secrets, now: options.now });
    this.#now = options.now ?? Date.now;
    // What reaches the store is sealed and bound to its id; anything else reads back as absent.
    this.#store = options.store && new SealedStore(options.store, this.#sealer, this.#now);
    this.#pendingWrites = this.#store && new PendingWrites(this.#store);
    this.cookieName = options.cookieName ?? 'logto_session';
    this.maxAge = options.maxAge ?? defaultMaxAge;
    this.#secureRequestAttributes = this.#cookieAttributes(true);
    this.#plainRequestAttributes = this.#cookieAttributes(false);
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
    return this.#store !== undefined;
  }

  /** Reads the request's session; a missing, tampered, foreign or expired cookie gives an empty one. */
  async load(request: SessionRequest): Promise<Session> {
    const { value, present } = joinCookieValue(this.cookieName, request.cookies);
    const session = new Session(this, request.secure, present);
    if (value === undefined) return session;
    // Never written by this library: not worth decrypting, and cleared so the browser stops sending it.
    if (value.length > maxSessionCookieBytes) {
      this.#refuse('malformed');
      session.markRefused();
      return session;
    }

    const opened = await this.#open(value);
    if (!opened) {
      session.markRefused();
      return session;
    }
    if (opened.kind === 'data') {
      session.loaded(opened.data, opened.expiresAt);
    } else {
      const stored = await this.#store!.get(opened.sid);
      if (!stored) {
        session.markRefused();
        return session;
      }
      session.loaded(this.#overlay(opened.sid, stored.data), opened.expiresAt, opened.sid, stored.version);
    }
    if (this.#hasEnded && (await this.#hasEnded(session))) session.destroy();
    return session;
  }

  /** The cookie's contents: the session data, or with a store the session id; `undefined` when refused. */
  async #open(sealed: string): Promise<OpenedCookie | undefined> {
    const known = this.#opened.get(sealed);
    if (known && known.expiresAt > this.#now()) return known;
    const result = await this.#sealer.unseal<unknown>(this.cookieName, sealed);
    if (!result.ok) {
      this.#refuse(result.reason);
      return undefined;
    }
    let opened: OpenedCookie;
    if (this.#store) {
      const payload = result.value;
      if (typeof payload === 'object' && payload !== null && 'sid' in payload && typeof payload.sid === 'string') {
        opened = { kind: 'id', sid: payload.sid, expiresAt: result.expiresAt };
      } else if (
        typeof payload === 'object' &&
        payload !== null &&
        'anonymous' in payload &&
        isSessionData(payload.anonymous) &&
        holdsOnlyPendingSignIns(payload.anonymous)
      ) {
        opened = { kind: 'data', data: payload.anonymous, expiresAt: result.expiresAt };
      } else {
        this.#refuse('malformed');
        return undefined;
      }
    } else {
      if (!isSessionData(result.value)) {
        this.#refuse('malformed');
        return undefined;
      }
      opened = { kind: 'data', data: result.value, expiresAt: result.expiresAt };
    }
    if (this.#opened.size >= openedCacheSize) this.#opened.delete(this.#opened.keys().next().value!);
    this.#opened.set(sealed, opened);
    return opened;
  }

  /**
   * @internal Whether committing `session` would send or store anything: adapters skip the
   * (asynchronous) commit when it would not, which is the common case of a signed-in user's request.
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
   * @internal Seals the `Set-Cookie` headers that persist `session`, and returns them with the
   * store writes still to do: set the headers, then await `persist` before the response is sent.
   */
  async prepare(session: Session): Promise<PreparedCommit> {
    if (session.untouched) return { headers: [] };
    const now = this.#now();
    const attributes = this.#attributes(session.secure);
    const empty = session.isEmpty();
    const clearAll = (): string[] => (session.hadCookie() ? this.#clear(session.presentCookies, attributes) : []);

    if (this.#store) {
      const store = this.#store;
      const oldId = session.storeId;
      const dropOld = oldId !== undefined && (session.regenerated || empty);
      if (empty) {
        if (dropOld) this.#pendingWrites?.drop(oldId);
        return { headers: clearAll(), persist: dropOld ? () => store.destroy(oldId) : undefined };
      }
      const lifetime = this.lifetimeOf(session);
      if (holdsOnlyPendingSignIns(session.snapshot())) {
        // Nothing worth a store entry yet (pending sign-ins only, which any site can cause):
        // kept in the bounded cookie, so a flood of anonymous sign-in starts writes nothing.
        if (!session.dirty && !session.regenerated && !this.#needsRenewal(session, now) && !oldId) {
          return { headers: [] };
        }
        const data = this.#fitting(session.snapshot(), now + lifetime * 1000);
        if (!data) {
          this.#reportTooLarge();
          return { headers: clearAll(), persist: oldId ? () => this.#destroyStored(store, oldId) : undefined };
        }
        return {
          headers: await this.#write({ anonymous: data }, session, now, lifetime, attributes),
          persist: oldId ? () => this.#destroyStored(store, oldId) : undefined,
        };
      }
      if (!oldId || session.regenerated) {
        const id = randomBase64url(32);
        const data = session.snapshot();
        return {
          headers: await this.#write({ sid: id }, session, now, lifetime, attributes),
          persist: async () => {
            if (dropOld) {
              this.#pendingWrites?.drop(oldId);
              await store.destroy(oldId);
            }
            await store.set(id, data, lifetime);
          },
        };
      }
      if (!session.dirty && !this.#needsRenewal(session, now)) return { headers: [] };
      return {
        headers: await this.#write({ sid: oldId }, session, now, lifetime, attributes),
        persist: () => this.#writeMerged(store, oldId, session, lifetime),
      };
    }

    if (empty) return { headers: clearAll() };
    if (!session.dirty && !session.regenerated && !this.#needsRenewal(session, now)) return { headers: [] };
    const lifetime = this.lifetimeOf(session);
    const data = this.#fitting(session.snapshot(), now + lifetime * 1000);
    if (!data) {
      this.#reportTooLarge();
      return { headers: clearAll() };
    }
    return { headers: await this.#write(data, session, now, lifetime, attributes) };
  }

  async #destroyStored(store: SessionStore, id: string): Promise<void> {
    this.#pendingWrites?.drop(id);
    await store.destroy(id);
  }

  /**
   * @internal Claims `key` in the store for the lifetime of a pending sign-in (atomically when
   * the store has compare-and-set): answers whether this caller claimed it first. Without a
   * store, answers true.
   */
  async claim(key: string): Promise<boolean> {
    if (!this.#store) return true;
    const id = `claim.${key}`;
    if (this.#store.compareAndSet)
      return this.#store.compareAndSet(id, undefined, { claimed: '1' }, pendingSignInSeconds);
    if (await this.#store.get(id)) return false;
    await this.#store.set(id, { claimed: '1' }, pendingSignInSeconds);
    return true;
  }

  /**
   * @internal Whether `session` can be kept: always with a store; with cookie sessions, when it
   * (or a lighter version of it, without cached access tokens) fits the cookie budget.
   */
  fits(session: Session): boolean {
    if (this.#store) return true;
    return this.#fitting(session.snapshot(), this.#now() + this.lifetimeOf(session) * 1000) !== undefined;
  }

  /** @internal The lifetime of `session` in seconds: `maxAge` when signed in, a pending sign-in's otherwise. */
  lifetimeOf(session: Session): number {
    return isSignedIn(session) ? this.maxAge : Math.min(this.maxAge, pendingSignInSeconds);
  }

  #fitting(data: SessionData, expiresAt: number): SessionData | undefined {
    return fittingSession(this.cookieName, data, (candidate) => this.#sealer.sealedLength(candidate, expiresAt));
  }

  /**
   * @internal Takes a store-backed session out of the store (atomically): answers false when it
   * is no longer there, i.e. a concurrent request took it first. Once taken, the session is
   * written back (as a new entry) when committed, unless it is regenerated or emptied. Cookie
   * sessions, and sessions with no entry yet, answer true.
   */
  async take(session: Session): Promise<boolean> {
    if (!this.#store || session.storeId === undefined || session.regenerated) return true;
    const stored = await this.#store.take(session.storeId);
    if (!stored) return false;
    session.taken(stored.data);
    return true;
  }

  /**
   * @internal Re-reads a store-backed session from the store, keeping this request's own changes
   * on top: another instance may have written it (e.g. refreshed tokens) since it was loaded.
   */
  async reload(session: Session): Promise<void> {
    if (!this.#store || session.storeId === undefined || session.regenerated) return;
    const stored = await this.#store.get(session.storeId);
    // Ended meanwhile (signed out elsewhere, expired): changes kept for it are not brought back.
    if (!stored) this.#pendingWrites?.drop(session.storeId);
    session.rebase(stored ? this.#overlay(session.storeId, stored.data) : {}, stored?.version);
  }

  /**
   * @internal Writes this request's changes to the store now (merged with other writers'), so
   * other instances see them before the response ends, then re-reads the session. When the store
   * fails, the changes (a refresh's new tokens) are kept in this process and written as soon as
   * it answers again; requests of this process see them meanwhile.
   */
  async flush(session: Session): Promise<void> {
    if (!this.#store || session.storeId === undefined || session.regenerated || !session.hasChanges()) return;
    try {
      await this.#writeMerged(this.#store, session.storeId, session);
    } catch (error) {
      this.#pendingWrites!.keep(session.storeId, session.ownChanges(), this.lifetimeOf(session));
      this.#report('logto-kit: the session store failed; the new tokens are kept and written once it answers.', error);
      session.changesPersisted();
      return;
    }
    session.changesPersisted();
    await this.reload(session);
  }

  /**
   * @internal Checks that the store takes writes (by writing the session as it is) before a
   * refresh spends the refresh token, so a refresh is not started while its result could not be
   * kept. Throws the store's error; a concurrent writer's newer data is read instead.
   */
  async probe(session: Session): Promise<void> {
    if (!this.#store || session.storeId === undefined || session.regenerated) return;
    await this.#writeMerged(this.#store, session.storeId, session);
    session.changesPersisted();
    await this.reload(session);
  }

  /**
   * @internal Resolves once this session's kept changes (see {@link flush}) are written, or after
   * `limitMs`; at once when there are none.
   */
  pendingWritten(session: Session, limitMs: number): Promise<void> {
    if (!this.#pendingWrites || session.storeId === undefined) return Promise.resolve();
    return this.#pendingWrites.written(session.storeId, limitMs);
  }

  /** @internal The number of sessions whose changes wait for the store (see {@link flush}). */
  get pendingWrites(): number {
    return this.#pendingWrites?.size ?? 0;
  }

  #overlay(id: string, data: SessionData): SessionData {
    return this.#pendingWrites ? this.#pendingWrites.overlay(id, data) : data;
  }

  // Renew when half the lifetime has passed, so an active user stays signed in without a new cookie per request.
  #needsRenewal(session: Session, now: number): boolean {
    return session.expiresAt === undefined || session.expiresAt - now < (this.lifetimeOf(session) * 1000) / 2;
  }

  async #writeMerged(
    store: SessionStore,
    id: string,
    session: Session,
    lifetime = this.lifetimeOf(session),
  ): Promise<void> {
    // Changes kept from a failed write go along, under this request's own.
    const kept = this.#pendingWrites?.current(id);
    const withKept = (base: SessionData) => session.applyChanges(this.#overlay(id, base));
    if (!store.compareAndSet) {
      await store.set(id, withKept(session.snapshot()), lifetime);
      this.#pendingWrites?.writtenWith(id, kept);
      return;
    }
    let expected = session.storeVersion;
    let data = withKept(session.snapshot());
    for (let attempt = 0; attempt < casAttempts; attempt += 1) {
      if (await store.compareAndSet(id, expected, data, lifetime)) {
        this.#pendingWrites?.writtenWith(id, kept);
        return;
      }
      // Another request of this user wrote first: apply only our own changes on top of its data.
      const current = await store.get(id);
      expected = current?.version;
      data = withKept(current?.data ?? {});
    }
    await store.set(id, data, lifetime);
    this.#pendingWrites?.writtenWith(id, kept);
  }

  async #write(
    payload: unknown,
    session: Session,
    now: number,
    lifetime: number,
    attributes: CookieAttributes,
  ): Promise<string[]> {
    const sealed = await this.#sealer.seal(this.cookieName, payload, now + lifetime * 1000);
    const chunks = splitCookieValue(this.cookieName, sealed);
    const written = new Set(chunks.map(([name]) => name));
    const headers = chunks.map(([name, value]) => serializeCookie(name, value, { ...attributes, maxAge: lifetime }));
    const stale = session.presentCookies.filter((name) => !written.has(name));
    return headers.concat(this.#clear(stale, attributes));
  }

  #clear(names: readonly string[], attributes: CookieAttributes): string[] {
    return names.map((name) => serializeCookie(name, '', { ...attributes, maxAge: 0 }));
  }

  #attributes(secureRequest: boolean): CookieAttributes {
    return secureRequest ? this.#secureRequestAttributes : this.#plainRequestAttributes;
  }

  #cookieAttributes(secureRequest: boolean): CookieAttributes {
    const secure = this.#options.secure ?? 'auto';
    return Object.freeze({
      httpOnly: true,
      sameSite: 'Lax',
      secure: secure === 'auto' ? secureRequest : secure,
      path: this.#options.path ?? '/',
      domain: this.#options.domain,
    });
  }

  /** @internal Reports a session store failure (reading or saving); the request is answered with 503. */
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

function isSessionData(value: unknown): value is SessionData {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((entry) => typeof entry === 'string');
}

/**
 * One request's session: a string → string map. Changes are persisted when the response is sent.
 */
export class Session {
  readonly secure: boolean;
  /** @internal Cookie names of this session present on the request. */
  readonly presentCookies: readonly string[];
  /** @internal */
  storeId: string | undefined;
  /** @internal */
  storeVersion: number | undefined;
  /** @internal */
  expiresAt: number | undefined;
  /** Whether anything changed since the session was loaded. */
  dirty = false;
  /** Whether {@link regenerate} was called. */
  regenerated = false;
  /** @internal Set by {@link leaveUntouched}: committing sends and stores nothing. */
  untouched = false;
  readonly #manager: SessionManager;
  #data = new Map<string, string>();
  #changes = new Map<string, string | undefined>();
  #refused = false;

  /** @internal Created by {@link SessionManager.load}. */
  constructor(manager: SessionManager, secure: boolean, presentCookies: readonly string[]) {
    this.#manager = manager;
    this.secure = secure;
    this.presentCookies = presentCookies;
  }

  /** @internal */
  loaded(data: SessionData, expiresAt: number, storeId?: string, storeVersion?: number): void {
    this.#data = new Map(Object.entries(data));
    this.expiresAt = expiresAt;
    this.storeId = storeId;
    this.storeVersion = storeVersion;
  }

  /** @internal The data taken out of the store (see {@link SessionManager.take}); written back as a new entry. */
  taken(data: SessionData): void {
    this.#data = new Map(Object.entries(data));
    this.storeVersion = undefined;
    this.dirty = true;
  }

  /**
   * @internal This request must change neither the cookies nor the store (e.g. a repeated
   * callback that lost to another request: its answer must not overwrite the winner's cookie).
   */
  leaveUntouched(): void {
    this.untouched = true;
  }

  /** @internal Whether sessions live in a server-side store. */
  get usesStore(): boolean {
    return this.#manager.usesStore;
  }

  /** @internal See {@link SessionManager.claim}. */
  claimInStore(key: string): Promise<boolean> {
    return this.#manager.claim(key);
  }

  /** @internal See {@link SessionManager.take}. */
  takeFromStore(): Promise<boolean> {
    return this.#manager.take(this);
  }

  /** @internal */
  markRefused(): void {
    this.#refused = true;
  }

  /** Whether the request carried a session cookie that was refused (tampered, foreign, expired). */
  get refused(): boolean {
    return this.#refused;
  }

  get(key: string): string | undefined {
    return this.#data.get(key);
  }

  set(key: string, value: string): void {
    if (this.#data.get(key) === value) return;
    this.#data.set(key, value);
    this.#changes.set(key, value);
    this.dirty = true;
  }

  delete(key: string): void {
    if (!this.#data.has(key)) return;
    this.#data.delete(key);
    this.#changes.set(key, undefined);
    this.dirty = true;
  }

  /** The keys currently set. */
  keys(): string[] {
    return [...this.#data.keys()];
  }

  /**
   * Drops all data and starts a new session with a new id (store) or new cookie contents. Call
   * it when the user's privilege changes, e.g. at sign-in, so a session planted before sign-in
   * (session fixation) is worthless after it.
   */
  regenerate(): void {
    this.#data.clear();
    this.#changes.clear();
    this.regenerated = true;
    this.dirty = true;
  }

  /** Empties the session; its cookies are cleared and its stored copy removed. */
  destroy(): void {
    this.regenerate();
  }

  /**
   * Persists the session (store writes) and returns the `Set-Cookie` header values to send (none
   * when nothing changed). Call once, before the response headers are sent.
   */
  async commit(): Promise<string[]> {
    const { headers, persist } = await this.prepare();
    await persist?.();
    return headers;
  }

  /** @internal See {@link SessionManager.prepare}. */
  prepare(): Promise<PreparedCommit> {
    return this.#manager.prepare(this);
  }

  /** @internal See {@link SessionManager.needsCommit}. */
  needsCommit(): boolean {
    return this.#manager.needsCommit(this);
  }

  /** @internal */
  reportStoreFailure(error: unknown): void {
    this.#manager.reportStoreFailure(error);
  }

  /** @internal */
  isEmpty(): boolean {
    return this.#data.size === 0;
  }

  /** @internal */
  hadCookie(): boolean {
    return this.presentCookies.length > 0;
  }

  /** @internal */
  snapshot(): SessionData {
    return Object.fromEntries(this.#data);
  }

  /** @internal Replaces the data with `base` plus our own changes; see {@link SessionManager.reload}. */
  rebase(base: SessionData, storeVersion: number | undefined): void {
    this.#data = new Map(Object.entries(this.applyChanges(base)));
    this.storeVersion = storeVersion;
  }

  /** @internal This request's own changes (a value, or `undefined` for a removed key). */
  ownChanges(): SessionChanges {
    return new Map(this.#changes);
  }

  /** @internal See {@link SessionManager.probe}. */
  probeStore(): Promise<void> {
    return this.#manager.probe(this);
  }

  /** @internal See {@link SessionManager.pendingWritten}. */
  pendingWritten(limitMs: number): Promise<void> {
    return this.#manager.pendingWritten(this, limitMs);
  }

  /** @internal Whether this request changed any key. */
  hasChanges(): boolean {
    return this.#changes.size > 0;
  }

  /** @internal The changes reached the store (see {@link SessionManager.flush}). */
  changesPersisted(): void {
    this.#changes.clear();
    this.dirty = false;
  }

  /** @internal Re-reads a store-backed session (no-op for cookie sessions). */
  reloadFromStore(): Promise<void> {
    return this.#manager.reload(this);
  }

  /** @internal Writes a store-backed session's changes now (no-op for cookie sessions). */
  flushToStore(): Promise<void> {
    return this.#manager.flush(this);
  }

  /** @internal Our own changes applied on top of `base` (another request's newer data). */
  applyChanges(base: SessionData): SessionData {
    const merged = { ...base };
    for (const [key, value] of this.#changes) {
      if (value === undefined) delete merged[key];
      else merged[key] = value;
    }
    return merged;
  }
}
