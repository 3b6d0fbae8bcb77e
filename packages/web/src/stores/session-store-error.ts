/**
 * The one error a server-side session store or the shared refresh lock raises. The Express
 * integration answers it with 503 (an HTML page, or JSON for API requests), never by treating
 * the user as signed out.
 */

/** Stable codes of {@link SessionStoreError}. */
export type SessionStoreErrorCode =
  /** The store's backend (Redis, PostgreSQL) could not be reached or failed the command. */
  | 'session_store_unavailable'
  /** The shared refresh lock stayed held by another instance for longer than the bounded wait. */
  | 'refresh_lock_timeout'
  /**
   * A new session does not fit the cookie budget (e.g. a very large ID token): configure a
   * server-side store. Given at the sign-in callback, which is refused instead of locking the user out.
   */
  | 'session_too_large';

/** A session store or refresh lock failure; match on {@link SessionStoreError.code}. */
export class SessionStoreError extends Error {
  readonly code: SessionStoreErrorCode;

  constructor(code: SessionStoreErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SessionStoreError';
    this.code = code;
  }
}

/** Whether `error` is a {@link SessionStoreError} (also across duplicated module copies). */
export function isSessionStoreError(error: unknown): error is SessionStoreError {
  return error instanceof SessionStoreError || (error instanceof Error && error.name === 'SessionStoreError');
}

/**
 * Runs `operation` against a backend, bounded by `timeoutMs`; any failure becomes a
 * `session_store_unavailable` {@link SessionStoreError} naming `backend`.
 */
export async function withBackend<T>(backend: string, timeoutMs: number, operation: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new SessionStoreError('session_store_unavailable', `${backend} did not answer within ${timeoutMs} ms.`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([operation(), timeout]);
  } catch (error) {
    if (isSessionStoreError(error)) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new SessionStoreError(
      'session_store_unavailable',
      `The session store (${backend}) failed: ${detail}. Check that it is running and reachable.`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}
