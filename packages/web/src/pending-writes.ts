/**
 * Session changes that could not be written to the store (it failed), kept in this process and
 * written as soon as the store answers again. A refresh is the reason: the provider may already
 * have spent the old refresh token, so the new one must not be lost to a store outage. Requests
 * of this process see the kept changes on top of what the store holds until they are written.
 */
import type { SessionData, SessionStore } from './session-store.ts';

/** Changes of one session: a value, or `undefined` for a removed key. */
export type SessionChanges = ReadonlyMap<string, string | undefined>;

interface PendingWrite {
  changes: SessionChanges;
  lifetime: number;
}

/** How often kept changes are tried again while the store fails. */
export const pendingRetryMs = 250;
/** The most sessions whose changes are kept; beyond it the oldest are dropped. */
const maxPendingSessions = 10_000;
const casAttempts = 5;

/** `data` with `changes` applied. */
export function withChanges(data: SessionData, changes: SessionChanges): SessionData {
  const merged = { ...data };
  for (const [key, value] of changes) {
    if (value === undefined) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** @internal The kept changes of one application's sessions. */
export class PendingWrites {
  readonly #store: SessionStore;
  readonly #pending = new Map<string, PendingWrite>();
  readonly #waiters = new Map<string, Array<() => void>>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(store: SessionStore) {
    this.#store = store;
  }

  /** The number of sessions with kept changes. */
  get size(): number {
    return this.#pending.size;
  }

  /** Whether session `id` has kept changes. */
  has(id: string): boolean {
    return this.#pending.has(id);
  }

  /** Keeps `changes` of session `id` (on top of any kept before) and tries again shortly. */
  keep(id: string, changes: SessionChanges, lifetime: number): void {
    const before = this.#pending.get(id);
    this.#pending.delete(id);
    this.#pending.set(id, { changes: new Map([...(before?.changes ?? []), ...changes]), lifetime });
    for (const oldest of this.#pending.keys()) {
      if (this.#pending.size <= maxPendingSessions) break;
      this.#settle(oldest);
    }
    this.#schedule();
  }

  /** `data` of session `id` as the store holds it, with the kept changes on top. */
  overlay(id: string, data: SessionData): SessionData {
    const pending = this.#pending.get(id);
    return pending ? withChanges(data, pending.changes) : data;
  }

  /** The kept changes of `id` as they are now (compare with {@link writtenWith}). */
  current(id: string): object | undefined {
    return this.#pending.get(id);
  }

  /** The kept changes `token` (from {@link current}) reached the store with another write. */
  writtenWith(id: string, token: object | undefined): void {
    if (token !== undefined && this.#pending.get(id) === token) this.#settle(id);
  }

  /** Forgets the kept changes of `id` (its session ended). */
  drop(id: string): void {
    if (this.#pending.has(id)) this.#settle(id);
  }

  /**
   * Resolves once the kept changes of `id` are written (or dropped), or after `limitMs`;
   * at once when there are none.
   */
  written(id: string, limitMs: number): Promise<void> {
    if (!this.#pending.has(id)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, limitMs);
      (timer as { unref?: () => void }).unref?.();
      const waiters = this.#waiters.get(id) ?? [];
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.#waiters.set(id, waiters);
    });
  }

  /** Tries to write every kept change now; what fails stays kept and is tried again. */
  async flush(): Promise<void> {
    for (const [id, pending] of [...this.#pending]) {
      try {
        await this.#write(id, pending);
      } catch {
        // Still failing (reported when the changes were kept): tried again shortly.
        break;
      }
    }
    if (this.#pending.size > 0) this.#schedule();
  }

  async #write(id: string, pending: PendingWrite): Promise<void> {
    for (let attempt = 0; attempt < casAttempts; attempt += 1) {
      const current = await this.#store.get(id);
      // Ended (signed out, expired) meanwhile: nothing to bring back.
      if (!current) {
        this.writtenWith(id, pending);
        return;
      }
      const data = withChanges(current.data, pending.changes);
      if (!this.#store.compareAndSet) {
        await this.#store.set(id, data, pending.lifetime);
        this.writtenWith(id, pending);
        return;
      }
      if (await this.#store.compareAndSet(id, current.version, data, pending.lifetime)) {
        this.writtenWith(id, pending);
        return;
      }
    }
  }

  #settle(id: string): void {
    this.#pending.delete(id);
    const waiters = this.#waiters.get(id);
    this.#waiters.delete(id);
    for (const waiter of waiters ?? []) waiter();
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, pendingRetryMs);
    (this.#timer as { unref?: () => void }).unref?.();
  }
}
