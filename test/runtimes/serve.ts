/**
 * Serves the runtime app with the native server of whichever runtime runs this file: `Bun.serve`,
 * `Deno.serve`, or Node's `http` (through `@hono/node-server`). Environment: `PORT`,
 * `LOGTO_ENDPOINT`. Prints `listening <url>` once it accepts connections.
 */
import { createRuntimeApp } from './app.ts';

interface RuntimeGlobals {
  readonly Bun?: {
    serve(options: {
      port: number;
      hostname: string;
      fetch: (request: Request) => Response | Promise<Response>;
    }): unknown;
  };
  readonly Deno?: {
    serve(
      options: { port: number; hostname: string; onListen: () => void },
      handler: (request: Request) => Response | Promise<Response>,
    ): unknown;
    env: { get(name: string): string | undefined };
  };
  readonly process?: { env: Record<string, string | undefined> };
}

const runtime = globalThis as RuntimeGlobals;
const env = (name: string): string => {
  const value = runtime.Deno ? runtime.Deno.env.get(name) : runtime.process?.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const port = Number(env('PORT'));
const hostname = '127.0.0.1';
const baseUrl = `http://${hostname}:${port}`;
const app = createRuntimeApp({ endpoint: env('LOGTO_ENDPOINT'), baseUrl });
const listening = () => console.log(`listening ${baseUrl}`);

if (runtime.Bun) {
  runtime.Bun.serve({ port, hostname, fetch: app.fetch });
  listening();
} else if (runtime.Deno) {
  runtime.Deno.serve({ port, hostname, onListen: listening }, app.fetch);
} else {
  const { serve } = await import('@hono/node-server');
  serve({ fetch: app.fetch, port, hostname }, listening);
}
