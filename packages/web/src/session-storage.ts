/**
 * Adapts a {@link Session} to the `Storage` interface of `LogtoClient`, so the client keeps its
 * tokens and pending sign-ins in the user's session.
 */
import type { Storage } from '@logto-kit/client';
import type { Session } from './session.ts';

/** `LogtoClient` storage backed by the session. */
export function sessionStorage(session: Session): Storage {
  return {
    get: (key) => session.get(key),
    set: (key, value) => session.set(key, value),
    delete: (key) => session.delete(key),
  };
}

/**
 * Storage that reads through to the session but keeps its own writes aside, so a caller can
 * decide afterwards what reaches the session (see the sign-in callback).
 */
export class RecordingStorage implements Storage {
  /** Keys written, with their values. */
  readonly written = new Map<string, string>();
  /** Keys deleted (and not written again since). */
  readonly deleted = new Set<string>();
  readonly #session: Session;

  constructor(session: Session) {
    this.#session = session;
  }

  get(key: string): string | undefined {
    if (this.written.has(key)) return this.written.get(key);
    if (this.deleted.has(key)) return undefined;
    return this.#session.get(key);
  }

  set(key: string, value: string): void {
    this.written.set(key, value);
    this.deleted.delete(key);
  }

  delete(key: string): void {
    this.written.delete(key);
    this.deleted.add(key);
  }

  /** Applies the recorded writes and deletions to `session`. */
  applyTo(session: Session): void {
    for (const key of this.deleted) session.delete(key);
    for (const [key, value] of this.written) session.set(key, value);
  }
}
