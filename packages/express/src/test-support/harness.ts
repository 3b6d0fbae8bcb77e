/**
 * Test harness: a dev server and an Express app using `@logto-kit/express`, both on random ports,
 * and a fetch-driven "browser" with cookie jars for the app and the identity server.
 */
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoWorld, startDevServer } from '@logto-kit/dev-server';
import { CookieJar, signInThroughForms } from '@logto-kit/dev-server/testing';
import express, { type Express } from 'express';
import { createLogto, type Logto, type LogtoExpressConfig } from '../express.ts';

/** The demo world with the web app's URIs pointing at `baseUrl`. */
export function worldFor(baseUrl: string): typeof demoWorld {
  return {
    ...demoWorld,
    applications: demoWorld.applications.map((application) =>
      application.id === 'sample-web-app'
        ? { ...application, redirectUris: [`${baseUrl}/callback`], postLogoutRedirectUris: [`${baseUrl}/`] }
        : application,
    ),
  };
}

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
  const devServer = await startDevServer({ port: 0, config: worldFor(appUrl), memory: true });
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
  app.use(logto);
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

/** A response read by {@link Browser}. */
export interface Page {
  status: number;
  location: string | null;
  headers: Headers;
  body: string;
}

/** A fetch-driven browser: one cookie jar for the app, one for the identity server. */
export class Browser {
  readonly appJar = new CookieJar();
  readonly providerJar = new CookieJar();
  readonly #appUrl: string;

  constructor(appUrl: string) {
    this.#appUrl = appUrl;
  }

  /** GETs a path or URL of the app without following redirects. */
  async get(pathOrUrl: string, headers: Record<string, string> = {}): Promise<Page> {
    const url = new URL(pathOrUrl, this.#appUrl).href;
    const cookie = this.appJar.header(url);
    const response = await fetch(url, { redirect: 'manual', headers: { ...(cookie ? { cookie } : {}), ...headers } });
    this.appJar.store(url, response.headers);
    return {
      status: response.status,
      location: response.headers.get('location'),
      headers: response.headers,
      body: await response.text(),
    };
  }

  /**
   * Signs in through `/sign-in` (or `start`) and the dev server's forms; returns the callback
   * response (not followed).
   */
  async signIn(
    start = '/sign-in',
    credentials = { username: 'demo', password: 'demo-password' },
  ): Promise<{ callbackUrl: string; callback: Page }> {
    const started = await this.get(start);
    if (started.status !== 302 || !started.location) throw new Error(`sign-in did not redirect: ${started.status}`);
    const callbackUrl = await signInThroughForms(started.location, credentials, { cookieJar: this.providerJar });
    return { callbackUrl, callback: await this.get(callbackUrl) };
  }

  /** The raw `Cookie` header the browser sends to the app. */
  cookieHeader(): string {
    return this.appJar.header(this.#appUrl);
  }
}
