/**
 * Test harness: a dev server and an Express app using `@logto-kit/express`, both on random ports,
 * and a fetch-driven "browser" with cookie jars for the app and the identity server.
 */
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDevServer } from '@logto-kit/dev-server';
import { demoWorldFor } from '@logto-kit/dev-server/testing';
import express, { type Express } from 'express';
import { createLogto, type Logto, type LogtoExpressConfig } from '../src/express.ts';

export const testSecret = 'express-integration-test-secret-0123456789';

export interface Harness {
  appUrl: string;
  endpoint: string;
  logto: Logto;
  app: Express;
  close(): Promise<void>;
}

async function listen(handler: RequestListener): Promise<Server> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/**
 * Starts the dev server and an app. `routes` adds the app's own routes after the Logto middleware.
 */
export async function startHarness(
  routes: (app: Express, logto: Logto) => void,
  config: Partial<LogtoExpressConfig> = {},
): Promise<Harness> {
  let handler: RequestListener = (_req, res) => res.end();
  const server = await listen((req, res) => handler(req, res));
  const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const devServer = await startDevServer({ port: 0, config: demoWorldFor(appUrl), memory: true });
  const endpoint = devServer.url.replace(/\/+$/, '');
  const logto = createLogto({
    endpoint,
    appId: 'sample-web-app',
    appSecret: 'sample-web-app-secret',
    baseUrl: appUrl,
    scopes: ['email', 'custom_data', 'urn:logto:scope:organizations', 'shopping:read'],
    resources: ['https://shopping.your-app.com/api'],
    session: { secrets: [testSecret] },
    ...config,
  });
  const app = express();
  app.use(logto.middleware);
  routes(app, logto);
  handler = app;
  return {
    appUrl,
    endpoint,
    logto,
    app,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await devServer.close();
    },
  };
}

/** The fetch-driven test browser (shared with the dev server's test fixtures). */
export { AppBrowser as Browser, type AppPage as Page } from '@logto-kit/dev-server/testing';
