// What the HTTP benchmarks share: servers in a child process (so the load, in the parent, does
// not compete with them for the event loop), signed-in sessions made through the dev server's
// pages, interleaved best-of-N autocannon rounds for requests/s, and the server CPU time a route
// adds per request, from short alternating blocks of pipelined requests (`pairedCost`).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type RequestListener } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { targetMark } from './targets.ts';

export const seconds = Number(process.env.LOGTO_KIT_BENCH_SECONDS ?? 3);
export const connections = 32;
export const rounds = Number(process.env.LOGTO_KIT_BENCH_ROUNDS ?? 3);
/** How long {@link pairedCost} alternates between two targets (after a second of warm-up). */
export const pairedSeconds = Number(process.env.LOGTO_KIT_BENCH_PAIRED_SECONDS ?? 4);
/** In how many server processes {@link pairedCostsInProcesses} measures each pair of targets. */
export const serverProcesses = Number(process.env.LOGTO_KIT_BENCH_PROCESSES ?? 3);

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
 * questions, and resolves true; resolves false in the parent. Asked to `collect` (the child runs
 * with `--expose-gc`), it first collects the young generation, then answers.
 */
export async function serveWhenChild<T>(serve: () => Promise<T>): Promise<boolean> {
  if (process.env.LOGTO_KIT_BENCH_ROLE !== 'server') return false;
  const targets = await serve();
  const collectGarbage = (globalThis as { gc?: (options: { type: 'minor' }) => void }).gc;
  process.on('SIGTERM', () => process.exit(0));
  process.on('message', (question) => {
    if (question === 'collect') collectGarbage?.({ type: 'minor' });
    process.send?.(process.cpuUsage());
  });
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
      // For pairedCost: a young-generation collection after each block.
      '--expose-gc',
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
 * One listener for several apps, so that a route and its baseline are measured over the same
 * connections and through the same code: the first path segment names the app, which is sent the
 * rest (`/page/me` → `page` gets `/me`); any other path goes to `fallback` (e.g. the web app's
 * sign-in pages).
 */
export function mounted(apps: Record<string, RequestListener>, fallback: RequestListener): RequestListener {
  const byName = new Map(Object.entries(apps));
  return (req, res) => {
    const url = req.url ?? '/';
    const end = url.indexOf('/', 1);
    const app = end > 0 ? byName.get(url.slice(1, end)) : undefined;
    if (!app) return fallback(req, res);
    req.url = url.slice(end);
    app(req, res);
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

/** The server's CPU time so far, in microseconds; with `collect`, after a young-generation collection. */
async function serverCpu(child: ChildProcess, collect = false): Promise<number> {
  child.send(collect ? 'collect' : 'cpu');
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
  return `  ${label.padEnd(48)} ${rateRatio.toFixed(2)}× req/s, ${cpuRatio.toFixed(2)}× by CPU per request   (target ${goal}) ${targetMark(met)}`;
}

/**
 * One printed cost figure: the server CPU time per request a route adds over its baseline (the
 * same route unprotected, in the same run, see {@link pairedCost}), against a target in
 * microseconds, with how far apart the pairs were.
 */
export function addedCost(label: string, cost: PairedCost | ProcessesCost, targetMicros: number): string {
  const met = cost.added <= targetMicros;
  return `  ${label} adds ${cost.added.toFixed(1)} µs CPU per request (target ≤ ${targetMicros} µs) ${targetMark(met)}   (${spreadOf(cost)})`;
}

/** How a {@link pairedCost} figure was measured, for printing beside it. */
export function spreadOf(cost: PairedCost | ProcessesCost): string {
  const inProcess = `median of ${cost.pairs} pairs of blocks, middle half ${cost.low.toFixed(1)} to ${cost.high.toFixed(1)} µs; the baseline itself ${cost.baseline.toFixed(1)} µs`;
  if (!('each' in cost)) return inProcess;
  return `median of ${cost.each.length} server processes: ${cost.each.map((added) => added.toFixed(1)).join(', ')} µs; in the median one, ${inProcess}`;
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

/**
 * HTTP/1.1 keep-alive connections to one target that send pipelined `GET`s: the lightest client
 * there is, so the server (not the client) sets the pace and its cost per request is what its
 * handler and Node's HTTP stack do.
 */
class PipelinedConnections {
  readonly #sockets: Socket[];

  private constructor(sockets: Socket[]) {
    this.#sockets = sockets;
  }

  static async open(origin: URL, count: number): Promise<PipelinedConnections> {
    const sockets = await Promise.all(
      Array.from({ length: count }, async () => {
        const socket = connect(Number(origin.port), origin.hostname);
        socket.setNoDelay(true);
        await once(socket, 'connect');
        return socket;
      }),
    );
    return new PipelinedConnections(sockets);
  }

  /** Sends `batch` (`expected` requests) on each connection at once and waits for every answer (each must be 200). */
  send(batch: Buffer, expected: number, title: string): Promise<void> {
    return Promise.all(this.#sockets.map((socket) => exchange(socket, batch, expected, title))).then(() => undefined);
  }

  close(): void {
    for (const socket of this.#sockets) socket.destroy();
  }
}

function exchange(socket: Socket, batch: Buffer, expected: number, title: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let answered = 0;
    // The end of the previous chunk, in case a status line is split across two chunks.
    let carry = '';
    const done = (error?: Error) => {
      socket.off('data', onData);
      socket.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      const text = carry + chunk.toString('latin1');
      const statusLine = /HTTP\/1\.1 (\d{3}) /g;
      let end = 0;
      for (let match = statusLine.exec(text); match; match = statusLine.exec(text)) {
        if (match[1] !== '200') return done(new Error(`${title}: answered ${match[1]}`));
        answered += 1;
        end = statusLine.lastIndex;
      }
      carry = text.slice(Math.max(end, text.length - 16));
      if (answered === expected) done();
    };
    const onClose = () => done(new Error(`${title}: the connection closed after ${answered} answers`));
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.write(batch);
  });
}

/** What {@link pairedCost} measured: the CPU time per request `target` adds over `baseline`, in microseconds. */
export interface PairedCost {
  /** The median over the pairs of blocks. */
  added: number;
  /** The 25th and 75th percentiles: how far apart the pairs were. */
  low: number;
  high: number;
  /** The baseline's own median CPU time per request. */
  baseline: number;
  pairs: number;
}

/** {@link pairedCost} in several server processes: the median process's figures, and every process's `added`. */
export interface ProcessesCost extends PairedCost {
  each: number[];
}

/**
 * {@link pairedCost} of each `[baseline, target]` pair in {@link serverProcesses} server processes:
 * `first` (already started), then new ones of the benchmark `moduleUrl`, one after the other. Now and
 * then one server process stays a microsecond or two per request off on one route for its whole
 * life, so the process with the median figure counts. Answers one figure per pair, in order.
 */
export async function pairedCostsInProcesses<T>(
  moduleUrl: string,
  first: { child: ChildProcess; targets: T },
  pairsOf: (targets: T) => ReadonlyArray<readonly [baseline: LoadTarget, target: LoadTarget]>,
): Promise<ProcessesCost[]> {
  const perProcess: PairedCost[][] = [];
  for (let run = 0; run < serverProcesses; run += 1) {
    const server = run === 0 ? first : await startServerChild<T>(moduleUrl);
    try {
      const costs: PairedCost[] = [];
      for (const [baseline, target] of pairsOf(server.targets))
        costs.push(await pairedCost(server.child, baseline, target));
      perProcess.push(costs);
    } finally {
      if (run > 0) server.child.kill('SIGTERM');
    }
  }
  return (perProcess[0] ?? []).map((_, pair) => {
    const each = perProcess.map((costs) => costs[pair]!);
    const median = each.toSorted((a, b) => a.added - b.added)[Math.floor((each.length - 1) / 2)]!;
    return { ...median, each: each.map((cost) => cost.added) };
  });
}

/**
 * The server CPU time per request that `target` adds over `baseline`, measured in short blocks
 * that alternate between the two (A B B A …, a few milliseconds each): each block sends the same
 * number of pipelined requests over the same number of connections and reads the server's CPU
 * time before and after; each adjacent pair of blocks gives one difference, and the median of
 * the differences is the answer. A machine's speed that drifts (other work, a shared host)
 * changes both blocks of a pair alike, where rounds of seconds each would not.
 */
export async function pairedCost(
  child: ChildProcess,
  baseline: LoadTarget,
  target: LoadTarget,
  options: { seconds?: number; connections?: number; perConnection?: number } = {},
): Promise<PairedCost> {
  const { seconds: duration = pairedSeconds, connections: count = 8, perConnection = 32 } = options;
  const requests = count * perConnection;
  // Targets of one server share one set of connections: two sets of the same kind can differ by
  // microseconds per request for as long as they last (how the kernel happens to batch them).
  const connections = new Map<string, PipelinedConnections>();
  for (const { url } of [baseline, target]) {
    const { origin } = new URL(url);
    if (!connections.has(origin)) connections.set(origin, await PipelinedConnections.open(new URL(url), count));
  }
  const sender = (loaded: LoadTarget) => {
    const url = new URL(loaded.url);
    const headers = Object.entries(loaded.headers ?? {})
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    const batch = Buffer.from(
      `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n${headers}\r\n`.repeat(perConnection),
    );
    const via = connections.get(url.origin)!;
    return () => via.send(batch, perConnection, loaded.title);
  };
  const [a, b] = [sender(baseline), sender(target)];
  try {
    // Each block pays for collecting its own garbage: the young generation is collected before the
    // block (not counted) and after it (counted). Left to itself, a collection falls into whichever
    // block fills the young generation, in a rhythm that can lock onto the A B B A order for a whole
    // run: two identical routes then differed by up to 3 µs per request, one way in one server
    // process and the other way in the next.
    const block = async (send: () => Promise<void>) => {
      const before = await serverCpu(child, true);
      await send();
      return ((await serverCpu(child, true)) - before) / requests;
    };
    // Warm-up: both routes' code optimised before anything counts.
    const warmUntil = performance.now() + 1000;
    while (performance.now() < warmUntil) {
      await block(a);
      await block(b);
    }
    const differences: number[] = [];
    const baselines: number[] = [];
    const until = performance.now() + duration * 1000;
    for (let pair = 0; performance.now() < until; pair += 1) {
      // A B, then B A: a steady drift adds to one pair what it takes from the next.
      const baselineFirst = pair % 2 === 0;
      const first = await block(baselineFirst ? a : b);
      const second = await block(baselineFirst ? b : a);
      const [costA, costB] = baselineFirst ? [first, second] : [second, first];
      differences.push(costB - costA);
      baselines.push(costA);
    }
    const sorted = differences.toSorted((x, y) => x - y);
    const at = (fraction: number) => sorted[Math.floor(fraction * (sorted.length - 1))]!;
    return {
      added: at(0.5),
      low: at(0.25),
      high: at(0.75),
      baseline: baselines.toSorted((x, y) => x - y)[Math.floor(baselines.length / 2)]!,
      pairs: differences.length,
    };
  } finally {
    for (const opened of connections.values()) opened.close();
  }
}
