// How a benchmark prints whether a figure meets its target.

/**
 * The mark printed beside a figure and its target. A missed target also makes the benchmark's
 * process exit non-zero, so `npm run bench` fails when any target is missed.
 */
export function targetMark(met: boolean): string {
  if (!met) process.exitCode = 1;
  return met ? '✔' : '✖';
}
