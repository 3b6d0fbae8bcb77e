/**
 * A fresh session version: random rather than a counter, so a session destroyed and written
 * again can never match a version a stale request still holds.
 */
export function randomVersion(): number {
  // 47 random bits, never 0: within Number's safe integers.
  const words = crypto.getRandomValues(new Uint32Array(2));
  return (words[0]! % 2 ** 15) * 2 ** 32 + words[1]! || 1;
}
