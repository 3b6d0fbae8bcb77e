/**
 * Running the shared suite's apps: a dev server whose web app redirects to the app under test,
 * the app on a random port, and a fetch-driven browser with one cookie jar per site.
 */
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDevServer } from '@logto-kit/dev-server';
import { demoWorldFor } from '@logto-kit/dev-server/testing';
import type { LogtoCoreConfig } from '@logto-kit/web';

/** A server on a random port whose handler is set once its URL is known. */
export interface Listening {
  url: string;
  setHandler(handler: RequestListener): void;
  close(): Promise<void>;
}

export async function listen(): Promise<Listening> {
  let handler: RequestListener = (_req, res) => res.end();
  const server: Server = createServer((req, res) => handler(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setHandler: (next) => {
      handler = next;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export const sessionSecret = 'adapters-suite-session-secret-0123456789';

/** A started web app and its dev server. */
export interface WebAppUnderTest {
  url: string;
  endpoint: string;
  close(): Promise<void>;
}

/** Starts the dev server and a web app built by `build` with the demo configuration (plus `config`). */
export async function startWebApp(
  build: (config: LogtoCoreConfig) => Promise<RequestListener>,
  config: Partial<LogtoCoreConfig> = {},
): Promise<WebAppUnderTest> {
  const server = await listen();
  const world = demoWorldFor(server.url);
  if (config.backChannelLogout) {
    // The dev server posts logout tokens to the app under test, as Logto does for a configured URI.
    const backchannelLogoutUri = `${server.url}/backchannel-logout`;
    world.applications = world.applications.map((application) =>
      application.id === 'sample-web-app' ? { ...application, backchannelLogoutUri } : application,
    );
  }
  const devServer = await startDevServer({ port: 0, config: world, memory: true });
  const endpoint = devServer.url.replace(/\/+$/, '');
  server.setHandler(
    await build({
      endpoint,
      appId: 'sample-web-app',
      appSecret: 'sample-web-app-secret',
      baseUrl: server.url,
      scopes: ['email', 'custom_data', 'urn:logto:scope:organizations', 'shopping:read'],
      resources: ['https://shopping.your-app.com/api'],
      session: { secrets: [sessionSecret] },
      ...config,
    }),
  );
  return {
    url: server.url,
    endpoint,
    close: async () => {
      await server.close();
      await devServer.close();
    },
  };
}

/** The session cookies a response sets. */
export function sessionCookies(page: { headers: Headers }): string[] {
  return page.headers.getSetCookie().filter((line) => line.startsWith('logto_session'));
}

/** The fetch-driven test browser (shared with the dev server's test fixtures). */
export { AppBrowser as Browser, type AppPage as Page } from '@logto-kit/dev-server/testing';
