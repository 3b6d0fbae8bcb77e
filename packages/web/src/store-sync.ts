/**
 * Keeping store-backed sessions in step with the store while a request runs: taking an entry
 * (single use), claiming a key, re-reading what another instance wrote, writing this request's
 * changes early (merged with other writers'), and keeping new tokens the store did not take until
 * it answers again (`pending-writes.ts`). Cookie sessions need none of it.
 */
import { signInLifetimeMs } from '@logto-kit/client';
import { PendingWrites } from './pending-writes.ts';
import type { SealedStore } from './sealed-store.ts';
import type { Session } from './session.ts';
import type { SessionData, SessionStore } from './session-store.ts';

const pendingSignInSeconds = signInLifetimeMs / 1000;
const casAttempts = 5;

/** What {@link StoreSync} needs besides the store. */
export interface StoreSyncOptions {
  /** The lifetime of `session` in seconds. */
  lifetimeOf(session: Session): number;
  /** Reports a store failure that was dealt with (the changes kept). */
  report(message: string, error: unknown): void;
}

/** The store side of one application's sessions. */
export class StoreSync {
  readonly store: SealedStore;
  readonly #pendingWrites: PendingWrites;
  readonly #options: StoreSyncOptions;

  constructor(store: SealedStore, options: StoreSyncOptions) {
    this.store = store;
    this.#pendingWrites = new PendingWrites(store);
    this.#options = options;
  }

  /** The number of sessions whose changes wait for the store (see {@link flush}). */
  get pendingWrites(): number {
    return this.#pendingWrites.size;
  }

  /** The stored data of `id`, with changes still waiting for the store on top. */
  async read(id: string): Promise<{ data: SessionData; version?: number } | undefined> {
    const stored = await this.store.get(id);
    return stored && { data: this.#pendingWrites.overlay(id, stored.data), version: stored.version };
  }

  /**
   * Claims `key` for the lifetime of a pending sign-in (atomically when the store has
   * compare-and-set): answers whether this caller claimed it first.
   */
  async claim(key: string): Promise<boolean> {
    const id = `claim.${key}`;
    if (this.store.compareAndSet)
      return this.store.compareAndSet(id, undefined, { claimed: '1' }, pendingSignInSeconds);
    if (await this.store.get(id)) return false;
    await this.store.set(id, { claimed: '1' }, pendingSignInSeconds);
    return true;
  }

  /**
   * Takes `session`'s entry out of the store (atomically): answers false when it is no longer
   * there, i.e. a concurrent request took it first. Once taken, the session is written back (as a
   * new entry) when committed, unless it is regenerated or emptied. Sessions without an entry
   * answer true.
   */
  async take(session: Session): Promise<boolean> {
    if (session.storeId === undefined || session.regenerated) return true;
    const stored = await this.store.take(session.storeId);
    if (!stored) return false;
    session.taken(stored.data);
    return true;
  }

  /**
   * Re-reads `session` from the store, keeping this request's own changes on top: another
   * instance may have written it (e.g. refreshed tokens) since it was loaded.
   */
  async reload(session: Session): Promise<void> {
    if (session.storeId === undefined || session.regenerated) return;
    const stored = await this.read(session.storeId);
    // Ended meanwhile (signed out elsewhere, expired): changes kept for it are not brought back.
    if (!stored) this.#pendingWrites.drop(session.storeId);
    session.rebase(stored?.data ?? {}, stored?.version);
  }

  /**
   * Writes this request's changes to the store now (merged with other writers'), so other
   * instances see them before the response ends, then re-reads the session. When the store fails,
   * the changes (a refresh's new tokens) are kept in this process and written as soon as it
   * answers again; requests of this process see them meanwhile.
   */
  async flush(session: Session): Promise<void> {
    if (session.storeId === undefined || session.regenerated || !session.hasChanges()) return;
    try {
      await this.writeMerged(session.storeId, session);
    } catch (error) {
      this.#pendingWrites.keep(session.storeId, session.ownChanges(), this.#options.lifetimeOf(session));
      this.#options.report(
        'logto-kit: the session store failed; the new tokens are kept and written once it answers.',
        error,
      );
      session.changesPersisted();
      return;
    }
    session.changesPersisted();
    await this.reload(session);
  }

  /**
   * Checks that the store takes writes (by writing the session as it is) before a refresh spends
   * the refresh token, so a refresh is not started while its result could not be kept. Throws the
   * store's error; a concurrent writer's newer data is read instead.
   */
  async probe(session: Session): Promise<void> {
    if (session.storeId === undefined || session.regenerated) return;
    await this.writeMerged(session.storeId, session);
    session.changesPersisted();
    await this.reload(session);
  }

  /** Resolves once `session`'s kept changes (see {@link flush}) are written, or after `limitMs`. */
  pendingWritten(session: Session, limitMs: number): Promise<void> {
    if (session.storeId === undefined) return Promise.resolve();
    return this.#pendingWrites.written(session.storeId, limitMs);
  }

  /** Removes entry `id` and forgets changes kept for it. */
  async destroy(id: string): Promise<void> {
    this.#pendingWrites.drop(id);
    await this.store.destroy(id);
  }

  /** Forgets changes kept for entry `id` (it is being replaced). */
  forget(id: string): void {
    this.#pendingWrites.drop(id);
  }

  /** Writes `session`'s own changes over entry `id`'s current data (compare-and-set when the store has it). */
  async writeMerged(id: string, session: Session, lifetime = this.#options.lifetimeOf(session)): Promise<void> {
    const store: SessionStore = this.store;
    // Changes kept from a failed write go along, under this request's own.
    const kept = this.#pendingWrites.current(id);
    const withKept = (base: SessionData) => session.applyChanges(this.#pendingWrites.overlay(id, base));
    if (!store.compareAndSet) {
      await store.set(id, withKept(session.snapshot()), lifetime);
      this.#pendingWrites.writtenWith(id, kept);
      return;
    }
    let expected = session.storeVersion;
    let data = withKept(session.snapshot());
    for (let attempt = 0; attempt < casAttempts; attempt += 1) {
      if (await store.compareAndSet(id, expected, data, lifetime)) {
        this.#pendingWrites.writtenWith(id, kept);
        return;
      }
      // Another request of this user wrote first: apply only our own changes on top of its data.
      const current = await store.get(id);
      // Ended meanwhile (signed out elsewhere, expired): our changes do not bring it back.
      if (!current) return;
      expected = current.version;
      data = withKept(current.data);
    }
    await store.set(id, data, lifetime);
    this.#pendingWrites.writtenWith(id, kept);
  }
}
