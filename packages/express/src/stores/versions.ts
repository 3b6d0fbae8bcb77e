import { randomInt } from 'node:crypto';

/**
 * A fresh session version: random rather than a counter, so a session destroyed and written
 * again can never match a version a stale request still holds.
 */
export function randomVersion(): number {
  return randomInt(1, 2 ** 47);
}
