// What the HTTP benchmarks share: servers in a child process (so autocannon, in the parent, does
// not compete with them for the event loop), signed-in sessions made through the dev server's
// pages, interleaved best-of-N rounds, and the server's CPU time per request beside requests/s.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export const seconds = Number(process.env.LOGTO_KIT_BENCH_SECONDS ?? 3);
export const connections = 32;
export const rounds = Number(process.env.LOGTO_KIT_BENCH_ROUNDS ?? 3);

/** One URL to load, with the headers (cookie, authorization) every request carries. */
export interface LoadTarget {
  title: string;
  url: string;
  headers?: Record<string, string>;
}

/** The outcome of loading one target. */
export interface LoadResult {
  /** Requests per second. */
  rate: number;
  /** Server CPU time per request, in microseconds. */
  cpuPerRequest: number;
}

/**
 * Runs `serve` when this process is a benchmark's server child, answers the parent's CPU-time
 * questions, and resolves true; resolves false in the parent.
 */
export async function serveWhenChild<T>(serve: () => Promise<T>): Promise<boolean> {
  if (process.env.LOGTO_KIT_BENCH_ROLE !== 'server') return false;
  const targets = await serve();
  process.on('SIGTERM', () => process.exit(0));
  process.on('message', () => process.send?.(process.cpuUsage()));
  process.send?.(targets);
  return true;
}

/** Starts the benchmark module `moduleUrl` as the server child and waits for its targets. */
export async function startServerChild<T>(moduleUrl: string): Promise<{ child: ChildProcess; targets: T }> {
  const child = spawn(
    process.execPath,
    [
      // LOGTO_KIT_BENCH_PROFILE=1 writes the servers' CPU profile to /tmp/prof (or to the directory
      // LOGTO_KIT_BENCH_PROFILE names).
      ...(process.env.LOGTO_KIT_BENCH_PROFILE
        ? [
            '--cpu-prof',
            `--cpu-prof-dir=${process.env.LOGTO_KIT_BENCH_PROFILE === '1' ? '/tmp/prof' : process.env.LOGTO_KIT_BENCH_PROFILE}`,
          ]
        : []),
      '--conditions=@logto-kit/source',
      fileURLToPath(moduleUrl),
    ],
    { env: { ...process.env, LOGTO_KIT_BENCH_ROLE: 'server' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const [targets] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the benchmark server exited (${code}) before it was ready`);
    }),
  ])) as [T];
  return { child, targets };
}

/** An HTTP server on a random loopback port whose handler can be set after it listens. */
export async function listen(handler: RequestListener): Promise<{ url: string; set(next: RequestListener): void }> {
  let current = handler;
  const server = createServer((req, res) => current(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set: (next) => {
      current = next;
    },
  };
}

/**
 * Signs in as demo at the app's `start` route through the dev server's pages and answers the
 * app's session cookie, checked by a signed-in `GET` of `check`.
 */
export async function signedInCookie(appUrl: string, start = '/sign-in', check = '/me'): Promise<string> {
  const { CookieJar, signInThroughForms } = await import('@logto-kit/dev-server/testing');
  const jar = new CookieJar();
  const get = async (url: string) => {
    const cookie = jar.header(url);
    const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    jar.store(url, response.headers);
    await response.body?.cancel();
    return response;
  };
  const started = await get(`${appUrl}${start}`);
  const location = new URL(started.headers.get('location') ?? '', appUrl).href;
  const callbackUrl = await signInThroughForms(location, { username: 'demo', password: 'demo-password' });
  const callback = await get(callbackUrl);
  // A redirect home (302, or 307 from Next.js), never an error page.
  if (callback.status < 300 || callback.status >= 400)
    throw new Error(`sign-in at ${appUrl}${start} failed: ${callback.status}`);
  const cookie = jar.header(`${appUrl}${check}`);
  const me = await fetch(`${appUrl}${check}`, { headers: { cookie } });
  if (me.status !== 200) throw new Error(`signed-in ${check} at ${appUrl} answered ${me.status}`);
  return cookie;
}

async function serverCpu(child: ChildProcess): Promise<number> {
  child.send('cpu');
  const [usage] = (await once(child, 'message')) as [NodeJS.CpuUsage];
  return usage.user + usage.system;
}

/** Loads one target for `seconds`; any failed request fails the benchmark. */
export async function load(child: ChildProcess, target: LoadTarget): Promise<LoadResult> {
  const cpuBefore = await serverCpu(child);
  const result = await autocannon({ url: target.url, connections, duration: seconds, headers: target.headers });
  const cpu = (await serverCpu(child)) - cpuBefore;
  const failures = result.non2xx + result.errors + result.timeouts;
  if (failures > 0) throw new Error(`${target.title}: ${failures} failed requests of ${result.requests.total}`);
  return { rate: result.requests.average, cpuPerRequest: cpu / result.requests.total };
}

/**
 * A warm-up of every target, then `roundCount` rounds (default {@link rounds}) that load the targets
 * in turn (so load from elsewhere on the machine hits them alike); prints and answers each target's
 * best round.
 */
export async function bestOfRounds(
  child: ChildProcess,
  targets: readonly LoadTarget[],
  roundCount = rounds,
): Promise<LoadResult[]> {
  console.log(`GET /me, ${connections} connections, ${roundCount} interleaved rounds of ${seconds} s (autocannon).`);
  console.log('Best round per variant, and the server CPU time per request (less sensitive to other load).\n');
  for (const target of targets) await load(child, target);
  const best = targets.map(() => ({ rate: 0, cpuPerRequest: Number.POSITIVE_INFINITY }));
  for (let round = 0; round < roundCount; round += 1) {
    for (const [index, target] of targets.entries()) {
      const result = await load(child, target);
      const previous = best[index]!;
      best[index] = {
        rate: Math.max(previous.rate, result.rate),
        cpuPerRequest: Math.min(previous.cpuPerRequest, result.cpuPerRequest),
      };
    }
  }
  const width = Math.max(...targets.map((target) => target.title.length)) + 2;
  for (const [index, target] of targets.entries()) {
    const { rate, cpuPerRequest } = best[index]!;
    console.log(
      `  ${target.title.padEnd(width)} ${rate.toFixed(0).padStart(8)} req/s   ${cpuPerRequest.toFixed(1).padStart(6)} µs CPU/request`,
    );
  }
  return best;
}

/**
 * One printed comparison: requests/s decides against a target (`minimum` for "≥", or `above`
 * for "faster than"); the CPU-time ratio is shown beside it.
 */
export function comparison(
  label: string,
  result: LoadResult,
  baseline: LoadResult,
  target: { minimum: number } | { above: number },
): string {
  const rateRatio = result.rate / baseline.rate;
  const cpuRatio = baseline.cpuPerRequest / result.cpuPerRequest;
  const met = 'minimum' in target ? rateRatio >= target.minimum : rateRatio > target.above;
  const goal = 'minimum' in target ? `≥ ${target.minimum.toFixed(2)}×` : `> ${target.above}×`;
  return `  ${label.padEnd(48)} ${rateRatio.toFixed(2)}× req/s, ${cpuRatio.toFixed(2)}× by CPU per request   (target ${goal}) ${met ? '✔' : '✖'}`;
}

/**
 * One printed cost figure: the server CPU time `result` adds per request over `baseline` (the
 * same route unprotected, in the same run), against a target in microseconds, with the
 * requests/s ratio beside it.
 */
export function addedCost(label: string, result: LoadResult, baseline: LoadResult, targetMicros: number): string {
  const added = result.cpuPerRequest - baseline.cpuPerRequest;
  const met = added <= targetMicros;
  return `  ${label} adds ${added.toFixed(1)} µs CPU per request (target ≤ ${targetMicros} µs) ${met ? '✓' : '✗'}   (${(result.rate / baseline.rate).toFixed(2)}× req/s, ${(baseline.cpuPerRequest / result.cpuPerRequest).toFixed(2)}× by CPU of the unprotected route)`;
}

/**
 * The frameworks a benchmark run measures: all, or the one named after the benchmark's colon
 * (`npm run bench -- adapters:hono`, given here as the first argument).
 */
export function selectedFrameworks<T extends { name: string }>(frameworks: readonly T[]): T[] {
  const only = process.argv[2]?.toLowerCase();
  const measured = frameworks.filter((framework) => only === undefined || framework.name.toLowerCase() === only);
  if (measured.length === 0) throw new Error(`no framework "${only}" in this benchmark: use express, hono or fastify`);
  return measured;
}
