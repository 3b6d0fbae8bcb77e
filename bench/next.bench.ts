// `npm run bench -- next`: what signing in costs a Next.js Route Handler, against the official SDK.
//
// One Next.js app (bench/next-app, `next build` + `next start` on a free port) with the same JSON
// Route Handler three ways: unprotected; signed in with @logto-kit/next (`logto.authenticated`,
// an encrypted-cookie session); signed in with the official @logto/next (`getLogtoContext`, its
// own cookie session). Both sessions come from real sign-ins through the dev server's pages.
// Printed: requests/s and the server's CPU time per request (read from /proc for the `next start`
// process tree), as ratios, in one run. Next.js's own work per request (routing, rendering the
// Response) is several hundred microseconds of CPU, far more than either SDK's: the same handlers
// also take their signed-in decision 50 times per request, so that its own cost shows, per decision.
//
// Target: the @logto-kit/next handler ahead of @logto/next.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '@logto-kit/dev-server';
import { demoWorldFor } from '@logto-kit/dev-server/testing';
import autocannon from 'autocannon';
import { freePort } from '../test/next/next-app.ts';
import { connections, rounds, seconds, signedInCookie } from './http-load.ts';
import { targetMark } from './targets.ts';

const appDir = fileURLToPath(new URL('./next-app/', import.meta.url));
const nextBin = fileURLToPath(new URL('../node_modules/next/dist/bin/next', import.meta.url));
const clockTicks = 100;

function next(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [nextBin, ...args], {
    cwd: appDir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
}

/** CPU time (µs) of `pid` and its descendants, from /proc. */
function treeCpu(pid: number): number {
  const stats = new Map<number, { parent: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended meanwhile.
    }
  }
  const inTree = (candidate: number): boolean => {
    for (let current = candidate; current > 1; current = stats.get(current)?.parent ?? 0) {
      if (current === pid) return true;
    }
    return false;
  };
  let ticks = 0;
  for (const [candidate, { ticks: own }] of stats) if (inTree(candidate)) ticks += own;
  return (ticks * 1_000_000) / clockTicks;
}

interface Target {
  title: string;
  url: string;
  headers?: Record<string, string>;
}

interface Result {
  rate: number;
  cpuPerRequest: number;
}

async function load(pid: number, target: Target): Promise<Result> {
  const before = treeCpu(pid);
  const result = await autocannon({ url: target.url, connections, duration: seconds, headers: target.headers });
  const cpu = treeCpu(pid) - before;
  const failures = result.non2xx + result.errors + result.timeouts;
  if (failures > 0) throw new Error(`${target.title}: ${failures} failed requests of ${result.requests.total}`);
  return { rate: result.requests.average, cpuPerRequest: cpu / result.requests.total };
}

/**
 * In-process, without Next.js: the CPU an `authenticated()` Route Handler adds over the same
 * handler unprotected, per call (a signed-in encrypted-cookie session; its ID token was verified
 * when stored, so a made-up one stands in for it here).
 */
async function inProcess(): Promise<void> {
  const { createLogto } = await import('@logto-kit/next');
  const { CookieSealer } = await import('@logto-kit/web');
  const secret = 'next-bench-in-process-secret-0123456789abcdef';
  const logto = createLogto({
    endpoint: 'http://localhost:3001',
    appId: 'sample-web-app',
    appSecret: 'sample-web-app-secret',
    baseUrl: 'http://localhost:3000',
    session: { secrets: [secret] },
  });
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const idToken = `${part({ alg: 'ES384' })}.${part({ sub: 'u1', name: 'Demo User', exp: 2e9, iat: 1 })}.signature`;
  const sealed = await new CookieSealer({ secrets: [secret] }).seal(
    'logto_session',
    { 'logto.idToken': idToken, 'logto.refreshToken': 'refresh-token-0123456789abcdefghijklmnopqrstuvwxyz' },
    Date.now() + 14 * 24 * 3_600_000,
  );
  const request = new Request('http://localhost:3000/me', { headers: { cookie: `logto_session=${sealed}` } });
  const protectedHandler = logto.authenticated({}, (_request, { user }) => Response.json({ sub: user.sub }));
  const plainHandler = async (incoming: Request) =>
    Response.json({ sub: incoming.headers.get('x-user') ?? 'anonymous' });
  const perCall = async (call: () => Promise<Response>) => {
    for (let index = 0; index < 20_000; index += 1) await call();
    const calls = 100_000;
    const before = process.cpuUsage();
    for (let index = 0; index < calls; index += 1) await call();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / calls;
  };
  const plain = await perCall(() => plainHandler(request));
  const signedIn = await perCall(() => protectedHandler(request, undefined));
  console.log('In process (no Next.js), 100,000 calls each:');
  console.log(`  unprotected handler ${plain.toFixed(2)} µs, authenticated() ${signedIn.toFixed(2)} µs CPU per call`);
  console.log(`  added by authenticated(): ${(signedIn - plain).toFixed(2)} µs per request\n`);
}

await inProcess();

const built = Date.now();
const build = next(['build']);
build.stdout?.resume();
const [buildCode] = await once(build, 'exit');
if (buildCode !== 0) throw new Error(`next build failed (${buildCode})`);
console.log(`next build of bench/next-app: ${((Date.now() - built) / 1000).toFixed(1)} s`);

const port = await freePort();
const appUrl = `http://127.0.0.1:${port}`;
const world = demoWorldFor(appUrl);
world.applications = world.applications.map((application) =>
  application.id === 'sample-web-app'
    ? { ...application, redirectUris: [...(application.redirectUris ?? []), `${appUrl}/official/callback`] }
    : application,
);
const devServer = await startDevServer({ port: 0, memory: true, config: world });
const server = next(['start', '--port', String(port), '--hostname', '127.0.0.1'], {
  LOGTO_ENDPOINT: devServer.url,
  BASE_URL: appUrl,
});
try {
  let output = '';
  await new Promise<void>((resolve, reject) => {
    server.stdout?.on('data', (chunk) => {
      output += chunk;
      if (/Ready in/.test(output)) resolve();
    });
    server.once('exit', (code) => reject(new Error(`next start exited (${code}): ${output}`)));
  });
  const ours = { cookie: await signedInCookie(appUrl, '/sign-in', '/me') };
  const official = { cookie: await signedInCookie(appUrl, '/official/sign-in', '/official/me') };
  const targets: Target[] = [
    { title: 'unprotected Route Handler', url: `${appUrl}/open` },
    { title: '@logto-kit/next authenticated()', url: `${appUrl}/me`, headers: ours },
    { title: '@logto/next getLogtoContext()', url: `${appUrl}/official/me`, headers: official },
    { title: '@logto-kit/next, 50 decisions', url: `${appUrl}/me-x50`, headers: ours },
    { title: '@logto/next, 50 decisions', url: `${appUrl}/official/me-x50`, headers: official },
  ];
  const pid = server.pid!;
  console.log(`GET, ${connections} connections, ${rounds} interleaved rounds of ${seconds} s (autocannon).`);
  console.log('Best round per variant, and the server CPU time per request.\n');
  for (const target of targets) await load(pid, target);
  const best = targets.map(() => ({ rate: 0, cpuPerRequest: Number.POSITIVE_INFINITY }));
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, target] of targets.entries()) {
      const result = await load(pid, target);
      best[index] = {
        rate: Math.max(best[index]!.rate, result.rate),
        cpuPerRequest: Math.min(best[index]!.cpuPerRequest, result.cpuPerRequest),
      };
    }
  }
  for (const [index, target] of targets.entries()) {
    const { rate, cpuPerRequest } = best[index]!;
    console.log(
      `  ${target.title.padEnd(34)} ${rate.toFixed(0).padStart(7)} req/s   ${cpuPerRequest.toFixed(0).padStart(6)} µs CPU/request`,
    );
  }
  const [open, signedIn, sdk, signedIn50, sdk50] = best as [Result, Result, Result, Result, Result];
  const perDecision = (x50: Result) => (x50.cpuPerRequest - open.cpuPerRequest) / 50;
  const oursDecision = perDecision(signedIn50);
  const officialDecision = perDecision(sdk50);
  console.log('');
  console.log(
    `  @logto-kit/next vs unprotected:  ${(signedIn.rate / open.rate).toFixed(2)}× req/s, ${(open.cpuPerRequest / signedIn.cpuPerRequest).toFixed(2)}× by CPU per request`,
  );
  console.log(
    `  @logto-kit/next vs @logto/next:  ${(signedIn.rate / sdk.rate).toFixed(2)}× req/s, ${(sdk.cpuPerRequest / signedIn.cpuPerRequest).toFixed(2)}× by CPU per request`,
  );
  const ahead = officialDecision > oursDecision;
  console.log(
    `  CPU per signed-in decision:      @logto-kit/next ${oursDecision.toFixed(0)} µs, @logto/next ${officialDecision.toFixed(0)} µs: ${(officialDecision / oursDecision).toFixed(2)}× less   (target > 1×) ${targetMark(ahead)}`,
  );
} finally {
  process.kill(-server.pid!, 'SIGTERM');
  await devServer.close();
}
