/**
 * The contract's functions answer at once when they can (the usual request of a signed-in user)
 * and with a promise otherwise; this lets an adapter handle both without a promise of its own.
 */

/**
 * Calls `next` with `value`, at once when it is not a promise, or once it resolves; calls `fail`
 * with a rejection or with what `next` throws.
 */
export function whenReady<T>(value: T | Promise<T>, next: (value: T) => void, fail: (error: unknown) => void): void {
  if (value instanceof Promise) {
    value.then(next).catch(fail);
    return;
  }
  try {
    next(value);
  } catch (error) {
    fail(error);
  }
}
