import { FailureLimiter } from './rate-limit.ts';

/** Options of a {@link SignInThrottle}. */
export interface SignInThrottleOptions {
  /** Failed sign-ins allowed per account within `windowMs`. Default 5. */
  perAccount?: number;
  /** Failed sign-ins allowed per client address within `windowMs`. Default 20. */
  perIp?: number;
  /** The sliding window, in milliseconds. Default 5 minutes. */
  windowMs?: number;
  /** The clock, in milliseconds since the epoch. */
  now?: () => number;
}

/**
 * Limits failed password sign-ins per account and per client address, for every way of signing in
 * (the HTML pages and the Experience API share one throttle, so switching between them gains
 * nothing). An account is counted under its id, whatever identifier was typed for it (username or
 * email, any letter case), so another spelling never gets a fresh budget, and a successful sign-in
 * resets only the account that signed in. An identifier that names no account is counted as typed
 * (lower-cased). The client address is the one the server trusts (see `server.ts`: behind a proxy,
 * the address the proxy saw, never a client-chosen header).
 */
export class SignInThrottle {
  readonly #byAccount: FailureLimiter;
  readonly #byIp: FailureLimiter;

  constructor(options: SignInThrottleOptions = {}) {
    const windowMs = options.windowMs ?? 5 * 60_000;
    const now = options.now ?? Date.now;
    this.#byAccount = new FailureLimiter({ maxFailures: options.perAccount ?? 5, windowMs, now });
    this.#byIp = new FailureLimiter({ maxFailures: options.perIp ?? 20, windowMs, now });
  }

  /**
   * The key an attempt is counted under: the account id when the identifier names an account, else
   * the typed identifier (bounded, so a flood of huge identifiers cannot grow the limiter's memory).
   */
  static key(accountId: string | undefined, identifier: string): string {
    return accountId === undefined ? `typed:${identifier.trim().toLowerCase().slice(0, 256)}` : `account:${accountId}`;
  }

  /** Milliseconds until this account and address may try again; 0 when they may now. */
  retryAfterMs(key: string, ip: string): number {
    return Math.max(this.#byAccount.retryAfterMs(key), this.#byIp.retryAfterMs(ip));
  }

  recordFailure(key: string, ip: string): void {
    this.#byAccount.recordFailure(key);
    this.#byIp.recordFailure(ip);
  }

  /** A successful sign-in forgets the account's failures (not the address's). */
  recordSuccess(key: string): void {
    this.#byAccount.reset(key);
  }
}
