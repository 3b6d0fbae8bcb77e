/**
 * The Next.js example built (`next build`) and served (`next start`) on a free port, against a
 * dev server and the example API on random ports. The build goes to its own folder
 * (`.next-test`, git-ignored), so it does not disturb a `next dev` of the same app.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { DevServerConfig } from '@logto-kit/dev-server';
import { type DevServer, startDevServer } from '@logto-kit/dev-server';
import { createApiApp } from '../../examples/api/src/app.ts';

export const appDir = fileURLToPath(new URL('../../examples/next-app/', import.meta.url));
const nextBin = fileURLToPath(new URL('../../node_modules/next/dist/bin/next', import.meta.url));
export const testDistDir = '.next-test';
export const sessionSecret = 'next-app-test-session-secret-0123456789abcdef';

/** A port that was free a moment ago (Next.js needs it before it starts). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function run(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [nextBin, ...args], {
    cwd: appDir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NEXT_DIST_DIR: testDistDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}

/** Runs `next build` into the test folder; answers how long it took (ms). */
export async function buildNextApp(): Promise<number> {
  const started = Date.now();
  const build = run(['build'], {});
  let output = '';
  build.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  build.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const [code] = await once(build, 'exit');
  if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${output}`);
  return Date.now() - started;
}

/** A running `next start` of the example, with its dev server and API. */
export interface RunningNextApp {
  url: string;
  devServer: DevServer;
  apiUrl: string;
  /** Refresh-token grants the dev server answered (success or error). */
  refreshGrants(): number;
  close(): Promise<void>;
}

function isRefresh(ctx: unknown): boolean {
  const body = (ctx as { oidc?: { params?: { grant_type?: unknown } } }).oidc?.params;
  return body?.grant_type === 'refresh_token';
}

/** Starts the dev server (with `config` for the app's URL), the API and `next start`. */
export async function startNextApp(config: (appUrl: string) => DevServerConfig): Promise<RunningNextApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const devServer = await startDevServer({ port: 0, memory: true, config: config(url) });
  let refreshes = 0;
  devServer.provider.on('grant.success', (ctx: unknown) => {
    if (isRefresh(ctx)) refreshes += 1;
  });
  devServer.provider.on('grant.error', (ctx: unknown) => {
    if (isRefresh(ctx)) refreshes += 1;
  });
  const api: Server = createApiApp({ endpoint: devServer.url }).listen(0, '127.0.0.1');
  await once(api, 'listening');
  const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  const next = run(['start', '--port', String(port), '--hostname', '127.0.0.1'], {
    LOGTO_ENDPOINT: devServer.url,
    BASE_URL: url,
    API_URL: apiUrl,
    SESSION_SECRET: sessionSecret,
  });
  let output = '';
  next.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  next.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const stop = async () => {
    if (next.exitCode === null) {
      const exited = once(next, 'exit');
      process.kill(-next.pid!, 'SIGTERM');
      await exited;
    }
  };
  // Ready when it says so (no fixed wait); an exit before that is a failure.
  await new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (/Ready in/.test(output)) resolve();
    };
    next.stdout?.on('data', onData);
    next.once('exit', (code) => reject(new Error(`next start exited (${code}):\n${output}`)));
  });
  return {
    url,
    devServer,
    apiUrl,
    refreshGrants: () => refreshes,
    close: async () => {
      await stop();
      api.closeAllConnections();
      await new Promise((resolve) => api.close(resolve));
      await devServer.close();
    },
  };
}
