import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Issues and checks the CSRF tokens carried by every interaction form. */
export interface CsrfTokens {
  /** The token for the interaction `uid`, to put in a hidden `csrf` field. */
  issue(uid: string): string;
  /** Whether `token` is the token for the interaction `uid` (constant-time comparison). */
  verify(uid: string, token: unknown): boolean;
}

/**
 * Creates CSRF tokens bound to an interaction: HMAC-SHA256 of the interaction uid under a server
 * secret. The interaction uid is also in the browser's signed interaction cookie, so a form posted
 * from another site carries neither a matching cookie nor a valid token for the victim's interaction.
 *
 * @param secret - the HMAC key; random per process when absent (forms opened before a restart then
 *   need a reload).
 */
export function createCsrfTokens(secret: Uint8Array = randomBytes(32)): CsrfTokens {
  const key = Buffer.from(secret);
  const sign = (uid: string): Buffer => createHmac('sha256', key).update(`interaction:${uid}`).digest();
  return {
    issue: (uid) => sign(uid).toString('base64url'),
    verify(uid, token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > 100) return false;
      const given = Buffer.from(token, 'base64url');
      const expected = sign(uid);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
