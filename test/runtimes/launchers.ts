/**
 * How the runtime matrix starts the app on each runtime. Every runtime comes from the npm registry
 * as a devDependency (`bun`, `deno`, `miniflare` with its `workerd`, and the oldest supported
 * Node.js, 22.13, pinned by the `test/packaging` workspace): a missing one makes its test fail,
 * never skip.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { webConditions } from './neutrality.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));

/** A started app. */
export interface RunningApp {
  readonly url: string;
  /** What the runtime printed so far (its errors, for a failure's message). */
  output(): string;
  stop(): Promise<void>;
}

/** One runtime of the matrix. */
export interface Runtime {
  readonly name: string;
  /** The runtime's version, as it reports it. */
  version(): string;
  /** Starts the app on `port`, signing in at `endpoint`. */
  start(port: number, endpoint: string): Promise<RunningApp>;
}

/** A port that was free a moment ago, for an app that must know its own URL before it starts. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const bin = (path: string) => fileURLToPath(new URL(path, new URL('../../', import.meta.url)));
const node22 = bin('test/packaging/node_modules/.bin/node');
const bun = bin('node_modules/.bin/bun');
const deno = bin('node_modules/.bin/deno');
const workerd = bin('node_modules/.bin/workerd');

function reportedVersion(command: string, args: string[] = ['--version']): string {
  return execFileSync(command, args, { encoding: 'utf8', timeout: 30_000 }).split('\n')[0]?.trim() ?? '';
}

const readyTimeoutMs = 60_000;

/** Spawns `command` and resolves once it prints `listening <url>`; rejects with its output if it exits first. */
async function spawnApp(command: string, args: string[], env: Record<string, string>): Promise<RunningApp> {
  const child: ChildProcess = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = once(child, 'exit').catch(() => undefined);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not listening after ${readyTimeoutMs} ms:\n${output}`)),
      readyTimeoutMs,
    );
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /^listening (\S+)$/m.exec(output);
      if (listening?.[1]) {
        clearTimeout(timer);
        resolve(listening[1]);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
  let url: string;
  try {
    url = await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, output: () => output, stop };
}

const serve = `${here}serve.ts`;

export const node22Runtime: Runtime = {
  name: 'Node.js 22.13',
  version: () => reportedVersion(node22),
  start: (port, endpoint) =>
    spawnApp(node22, ['--experimental-strip-types', '--no-warnings', '--conditions=@logto-kit/source', serve], {
      PORT: String(port),
      LOGTO_ENDPOINT: endpoint,
    }),
};

export const bunRuntime: Runtime = {
  name: 'Bun',
  version: () => `Bun ${reportedVersion(bun)}`,
  start: (port, endpoint) =>
    spawnApp(bun, ['--conditions=@logto-kit/source', serve], { PORT: String(port), LOGTO_ENDPOINT: endpoint }),
};

export const denoRuntime: Runtime = {
  name: 'Deno',
  version: () => reportedVersion(deno),
  start: (port, endpoint) =>
    spawnApp(
      deno,
      [
        'run',
        '--allow-net=127.0.0.1,localhost',
        '--allow-env',
        '--allow-read',
        '--no-lock',
        '--node-modules-dir=manual',
        '--conditions=@logto-kit/source',
        serve,
      ],
      { PORT: String(port), LOGTO_ENDPOINT: endpoint },
    ),
};

/**
 * The worker bundled as Cloudflare's tooling bundles it: esbuild with workerd's export conditions,
 * `node:` modules left for workerd to provide (without `nodejs_compat` it provides none, so an
 * import of one fails the worker's start, as on Cloudflare).
 */
async function workerBundle(): Promise<string> {
  const result = await build({
    entryPoints: [`${here}worker.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    conditions: [...webConditions],
    mainFields: ['module', 'main'],
    external: ['node:*'],
    logLevel: 'silent',
  });
  const script = result.outputFiles[0]?.text;
  if (script === undefined) throw new Error('esbuild produced no worker bundle');
  return script;
}

export const workerdRuntime: Runtime = {
  name: 'Cloudflare workerd (no nodejs_compat)',
  version: () => reportedVersion(workerd),
  async start(port, endpoint) {
    const url = `http://127.0.0.1:${port}`;
    const miniflare = new Miniflare({
      // The bundle as one module that workerd itself loads (nothing is written to disk).
      modulesRoot: here,
      modules: [{ type: 'ESModule', path: `${here}worker.bundle.js`, contents: await workerBundle() }],
      compatibilityDate: '2025-09-01',
      compatibilityFlags: [],
      bindings: { LOGTO_ENDPOINT: endpoint, BASE_URL: url },
      host: '127.0.0.1',
      port,
    });
    try {
      await miniflare.ready;
    } catch (error) {
      await miniflare.dispose().catch(() => undefined);
      throw error;
    }
    return { url, output: () => '(workerd logs to the test output)', stop: () => miniflare.dispose() };
  },
};

/** Express or Fastify, on Node.js 22.13. */
export function nodeFrameworkRuntime(framework: 'express' | 'fastify'): Runtime {
  return {
    name: `${framework === 'express' ? 'Express' : 'Fastify'} on Node.js 22.13`,
    version: node22Runtime.version,
    start: (port, endpoint) =>
      spawnApp(
        node22,
        [
          '--experimental-strip-types',
          '--no-warnings',
          '--conditions=@logto-kit/source',
          `${here}serve-node-frameworks.ts`,
        ],
        { FRAMEWORK: framework, PORT: String(port), LOGTO_ENDPOINT: endpoint },
      ),
  };
}
