import { describe, it } from 'node:test';
import { startDevServer } from '@logto-kit/dev-server';
import { demoWorldFor } from '@logto-kit/dev-server/testing';
import { signInCallApisAndSignOut } from './journey.ts';
import {
  bunRuntime,
  denoRuntime,
  freePort,
  node22Runtime,
  nodeFrameworkRuntime,
  type Runtime,
  workerdRuntime,
} from './launchers.ts';

const bothGuards = ['/require-auth', '/authenticate-request'];

// The dev server runs here, on the repository's Node.js; each app runs on the runtime under test.
async function runJourney(runtime: Runtime, guards: readonly string[]): Promise<void> {
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const devServer = await startDevServer({ port: 0, config: demoWorldFor(appUrl), memory: true });
  try {
    const app = await runtime.start(port, devServer.url.replace(/\/+$/, ''));
    try {
      await signInCallApisAndSignOut(app.url, guards);
    } catch (error) {
      throw new Error(`${runtime.name}: ${(error as Error).message}\n--- the app's output:\n${app.output()}`, {
        cause: error,
      });
    } finally {
      await app.stop();
    }
  } finally {
    await devServer.close();
  }
}

describe('runtime matrix: sign in, protected page, guarded API routes, sign out', () => {
  for (const runtime of [node22Runtime, bunRuntime, denoRuntime, workerdRuntime]) {
    it(`@logto-kit/hono on ${runtime.name}`, async (t) => {
      t.diagnostic(runtime.version());
      await runJourney(runtime, bothGuards);
    });
  }
  for (const runtime of [nodeFrameworkRuntime('express'), nodeFrameworkRuntime('fastify')]) {
    it(`@logto-kit/${runtime.name.split(' ')[0]?.toLowerCase()} on Node.js 22.13`, async (t) => {
      t.diagnostic(runtime.version());
      await runJourney(runtime, ['/require-auth']);
    });
  }
});
