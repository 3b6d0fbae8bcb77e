/** Pieces the scale-out tests share: a cuttable TCP proxy, app instances in child processes, a cookie holder. */
import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { CookieJar, signInThroughForms } from '@logto-kit/dev-server/testing';
import type { InstanceOptions } from './app-instance.ts';

/** A TCP proxy (node:net) to `targetPort` that a test can cut and restore. */
export class TcpProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #open = true;
  /** Data chunks relayed from clients to the target so far (each request makes at least one). */
  chunksRelayed = 0;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => proxy!.#accept(client, targetPort));
    proxy = new TcpProxy(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  /** Drops every connection and refuses new ones (they are reset at once). */
  cut(): void {
    this.#open = false;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  /** Whether the proxy is cut (see {@link cut}). */
  get isCut(): boolean {
    return !this.#open;
  }

  /** Accepts connections again. */
  restore(): void {
    this.#open = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #accept(client: Socket, targetPort: number): void {
    if (!this.#open) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        this.#sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', () => {
      this.chunksRelayed += 1;
    });
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

/** A web-app instance in its own process. */
export interface AppInstance {
  url: string;
  child: ChildProcess;
  /** Moves the instance's client clock by `offsetMs` from real time; resolves once the instance applied it. */
  setClockOffset(offsetMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startInstance(options: InstanceOptions): Promise<AppInstance> {
  const child = fork(new URL('./app-instance.ts', import.meta.url), [JSON.stringify(options)], {
    execArgv: ['--conditions=@logto-kit/source'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the app instance exited with ${code} before listening`);
    }),
  ])) as [{ type: string; port: number }];
  return {
    url: `http://127.0.0.1:${message.port}`,
    child,
    async setClockOffset(offsetMs) {
      const applied = new Promise<void>((resolve) => {
        const onMessage = (message: { type?: string; offsetMs?: number }) => {
          if (message.type !== 'clock-set' || message.offsetMs !== offsetMs) return;
          child.off('message', onMessage);
          resolve();
        };
        child.on('message', onMessage);
      });
      child.send({ type: 'clock', offsetMs });
      await applied;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill();
      await exited;
    },
  };
}

/** A browser's cookies for the app (one site, whatever instance answers). */
export class AppCookies {
  readonly #values = new Map<string, string>();

  header(): string {
    return [...this.#values].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute));
      if (expired) this.#values.delete(name);
      else this.#values.set(name, pair.slice(at + 1));
    }
  }
}

/** GET without following redirects, sending and storing the cookies. */
export async function get(
  url: string,
  cookies: AppCookies,
  headers: Record<string, string> = {},
): Promise<{ status: number; location: string | null; body: string; contentType: string }> {
  const response = await fetch(url, { redirect: 'manual', headers: { cookie: cookies.header(), ...headers } });
  cookies.store(response);
  return {
    status: response.status,
    location: response.headers.get('location'),
    body: await response.text(),
    contentType: response.headers.get('content-type') ?? '',
  };
}

/**
 * Signs `demo` in: starts the sign-in at `start`, signs in on the dev server's pages and delivers
 * the callback to `finish` (another instance, or the same). With `callbackOrigin`, the callback
 * must come back to that origin (the instances' shared public URL).
 */
export async function signInAcross(
  start: AppInstance,
  finish: AppInstance,
  callbackOrigin?: string,
): Promise<AppCookies> {
  const cookies = new AppCookies();
  const started = await get(`${start.url}/sign-in`, cookies);
  assert.equal(started.status, 302);
  const callbackUrl = await signInThroughForms(
    started.location!,
    { username: 'demo', password: 'demo-password' },
    { cookieJar: new CookieJar() },
  );
  const callback = new URL(callbackUrl);
  if (callbackOrigin !== undefined) assert.equal(callback.origin, callbackOrigin);
  const finished = await get(`${finish.url}${callback.pathname}${callback.search}`, cookies);
  assert.equal(finished.status, 302, finished.body);
  return cookies;
}

/** The p-th percentile (0–100) of `values`, nearest-rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}
