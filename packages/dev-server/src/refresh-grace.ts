/**
 * Logto's grace window for refresh-token rotation: a refresh token that was just exchanged may be
 * exchanged again for a short while, so concurrent requests that all hold the same token (several
 * tabs, parallel API calls) do not lose the session. After the window, reuse means the token
 * leaked, and the grant is revoked (OAuth 2.0 Security BCP, refresh token rotation).
 */

/** How long a consumed refresh token stays usable: 3 seconds, as in Logto. */
export const refreshTokenReuseWindowMs = 3000;

/**
 * Whether a refresh token consumed at `consumedAt` (milliseconds since the epoch) may still be
 * used at `now`.
 */
export function mayReuseRefreshToken(
  consumedAt: number,
  now: number,
  windowMs: number = refreshTokenReuseWindowMs,
): boolean {
  const elapsed = now - consumedAt;
  return elapsed >= 0 && elapsed <= windowMs;
}
