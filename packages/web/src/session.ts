/**
 * One request's session, as data plus change tracking: a string → string map read from the
 * request's cookie (or the store), with what this request changed kept aside. Loading, sealing
 * and storing it belong to `SessionManager` (`session-manager.ts`), `session-cookies.ts` and
 * `store-sync.ts`; the session itself never calls back into them.
 */
import type { SessionChanges } from './pending-writes.ts';
import type { SessionData } from './session-store.ts';

/** Session data as loaded: shared by the requests that load the same cookie, never changed. */
export type LoadedData = ReadonlyMap<string, string>;

const noData: LoadedData = new Map();
// Shared and never written: `#ownChangeMap()` replaces it before the first change.
const noChanges = new Map<string, string | undefined>();

/** `data` as loaded session data. */
export function loadedData(data: SessionData): LoadedData {
  return new Map(Object.entries(data));
}

/**
 * One request's session: a string → string map. Changes are persisted when the response is sent.
 */
export class Session {
  /** @internal Whether the request came over https (the cookie's `Secure` attribute). */
  readonly secure: boolean;
  /** @internal Cookie names of this session present on the request. */
  readonly presentCookies: readonly string[];
  /** @internal The store entry's id (store sessions with an entry). */
  storeId: string | undefined;
  /** @internal The store entry's version (for compare-and-set). */
  storeVersion: number | undefined;
  /** @internal When the session's cookie (and entry) expires, in milliseconds. */
  expiresAt: number | undefined;
  /** Whether anything changed since the session was loaded. */
  dirty = false;
  /** Whether {@link regenerate} was called. */
  regenerated = false;
  /** @internal Set by {@link leaveUntouched}: committing sends and stores nothing. */
  untouched = false;
  /** Data as loaded (shared, read-only); this request's changes are kept apart. */
  #base: LoadedData = noData;
  /** This request's changes (a value, or `undefined` for a removed key); empty until the first. */
  #changes: Map<string, string | undefined> = noChanges;
  #refused = false;
  #onFirstChange: (() => void) | undefined;

  /** @internal Created by `SessionManager`. */
  constructor(secure: boolean, presentCookies: readonly string[]) {
    this.secure = secure;
    this.presentCookies = presentCookies;
  }

  /** @internal The data read from the cookie or the store; `data` must not change afterwards. */
  loaded(data: LoadedData, expiresAt: number, storeId?: string, storeVersion?: number): void {
    this.#base = data;
    this.expiresAt = expiresAt;
    this.storeId = storeId;
    this.storeVersion = storeVersion;
  }

  /** @internal The data taken out of the store; written back as a new entry. */
  taken(data: SessionData): void {
    this.#base = loadedData(data);
    this.storeVersion = undefined;
    this.#markDirty();
  }

  /**
   * @internal This request must change neither the cookies nor the store (e.g. a repeated
   * callback that lost to another request: its answer must not overwrite the winner's cookie).
   */
  leaveUntouched(): void {
    this.untouched = true;
  }

  /** @internal */
  markRefused(): void {
    this.#refused = true;
  }

  /** Whether the request carried a session cookie that was refused (tampered, foreign, expired). */
  get refused(): boolean {
    return this.#refused;
  }

  /** The value of `key`, or `undefined`. */
  get(key: string): string | undefined {
    return this.#changes !== noChanges && this.#changes.has(key) ? this.#changes.get(key) : this.#base.get(key);
  }

  /** Sets `key` to `value`. */
  set(key: string, value: string): void {
    if (this.get(key) === value) return;
    this.#ownChangeMap().set(key, value);
    this.#markDirty();
  }

  /** Removes `key`. */
  delete(key: string): void {
    if (this.get(key) === undefined) return;
    this.#ownChangeMap().set(key, undefined);
    this.#markDirty();
  }

  /** The keys currently set. */
  keys(): string[] {
    return Object.keys(this.snapshot());
  }

  /**
   * Drops all data and starts a new session with a new id (store) or new cookie contents. Call
   * it when the user's privilege changes, e.g. at sign-in, so a session planted before sign-in
   * (session fixation) is worthless after it.
   */
  regenerate(): void {
    this.#base = noData;
    this.#changes = noChanges;
    this.regenerated = true;
    this.#markDirty();
  }

  /** Empties the session; its cookies are cleared and its stored copy removed. */
  destroy(): void {
    this.regenerate();
  }

  /** @internal */
  isEmpty(): boolean {
    if (this.#changes.size === 0) return this.#base.size === 0;
    for (const key of this.#base.keys()) if (this.get(key) !== undefined) return false;
    for (const value of this.#changes.values()) if (value !== undefined) return false;
    return true;
  }

  /** @internal */
  hadCookie(): boolean {
    return this.presentCookies.length > 0;
  }

  /** @internal The current data, as a new object. */
  snapshot(): SessionData {
    return this.applyChanges(Object.fromEntries(this.#base));
  }

  /** @internal Replaces the loaded data with `base` (another writer's newer data); our own changes stay on top. */
  rebase(base: SessionData, storeVersion: number | undefined): void {
    this.#base = loadedData(base);
    this.storeVersion = storeVersion;
  }

  /** @internal This request's own changes (a value, or `undefined` for a removed key). */
  ownChanges(): SessionChanges {
    return new Map(this.#changes);
  }

  /** @internal Whether this request changed any key. */
  hasChanges(): boolean {
    return this.#changes.size > 0;
  }

  /** @internal The changes reached the store: they become the loaded data. */
  changesPersisted(): void {
    this.#base = loadedData(this.snapshot());
    this.#changes = noChanges;
    this.dirty = false;
  }

  /**
   * @internal Calls `listener` once, at the first change from now on (at once if the session
   * already changed): an adapter prepares to commit only a session that needs it.
   */
  onFirstChange(listener: () => void): void {
    if (this.dirty) listener();
    else this.#onFirstChange = listener;
  }

  #markDirty(): void {
    this.dirty = true;
    const listener = this.#onFirstChange;
    if (listener) {
      this.#onFirstChange = undefined;
      listener();
    }
  }

  #ownChangeMap(): Map<string, string | undefined> {
    if (this.#changes === noChanges) this.#changes = new Map();
    return this.#changes;
  }

  /** @internal Our own changes applied on top of `base` (another request's newer data). */
  applyChanges(base: SessionData): SessionData {
    const merged: SessionData = { ...base };
    for (const [key, value] of this.#changes) {
      if (value === undefined) delete merged[key];
      else merged[key] = value;
    }
    return merged;
  }
}
