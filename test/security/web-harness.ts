// The web-app side of the security suite: an Express app using `@logto-kit/express` on a random
// port, pointed at a hostile provider, and a fetch-driven browser with a cookie jar that follows a
// full sign-in (app → provider authorize → app callback) one redirect at a time.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LogtoError } from '@logto-kit/client';
import { authenticated, createLogto, type Logto, type LogtoExpressConfig } from '@logto-kit/express';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { HostileProvider } from '../fixtures/hostile-provider.ts';

/** A session secret for the suite's apps. */
export const sessionSecret = 'security-suite-session-secret-0123456789';
/** The API resource the app asks tokens for (this triggers the refresh grant). */
export const apiResource = 'https://api.security.test';

/** A running app: its origin, its Logto middleware, and how to stop it. */
export interface WebApp {
  /** The app's origin, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly logto: Logto;
  close(): Promise<void>;
}

/**
 * Starts an app with these routes besides Logto's: `/me` (ID token claims, 401 when signed out),
 * `/me/userinfo` (userinfo), `/me/api-token` (an access token for {@link apiResource}, obtained with
 * the refresh token) and `/session-keys` (the keys the session holds, for white-box checks). A
 * failing `LogtoError` answers `{ code }` (401 or 502).
 */
export async function startWebApp(
  provider: HostileProvider,
  config: Partial<Omit<LogtoExpressConfig, 'endpoint' | 'appId' | 'appSecret' | 'baseUrl'>> = {},
): Promise<WebApp> {
  const app = express();
  const server: Server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const logto = createLogto({
    endpoint: provider.endpoint,
    appId: provider.clientId,
    appSecret: provider.clientSecret,
    baseUrl: url,
    resources: [apiResource],
    session: { secrets: [sessionSecret] },
    ...config,
  });
  app.use(logto.middleware);
  app.get('/me', authenticated(), (req, res) => {
    res.json(req.user);
  });
  app.get('/me/userinfo', authenticated({ fetchUserInfo: true }), (req, res) => {
    res.json(req.user);
  });
  app.get('/me/api-token', authenticated({ resource: apiResource }), (req, res) => {
    res.json({ accessToken: req.accessToken });
  });
  app.get('/session-keys', (req, res) => {
    res.json(req.logto?.session.keys() ?? []);
  });
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!(error instanceof LogtoError)) {
      next(error);
      return;
    }
    const upstream = ['discovery_failed', 'discovery_issuer_mismatch', 'jwks_unavailable', 'token_request_failed'];
    res.status(upstream.includes(error.code) ? 502 : 401).json({ code: error.code });
  });
  return {
    url,
    logto,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One answer the browser saw. */
export interface Page {
  readonly url: string;
  readonly status: number;
  readonly location: string | undefined;
  readonly body: string;
  readonly setCookies: readonly string[];
}

/** The error code an answer names: the callback error page's `Error code:`, or `{ code }` JSON. */
export function errorCodeOf(page: Page): string | undefined {
  const html = /Error code: <code>([a-z_.]+)<\/code>/.exec(page.body);
  if (html) return html[1];
  try {
    const body: unknown = JSON.parse(page.body);
    if (typeof body === 'object' && body !== null && 'code' in body && typeof body.code === 'string') return body.code;
  } catch {
    // Not JSON: no code.
  }
  return undefined;
}

/** A cookie jar and `fetch`, one redirect at a time, as a browser would for one origin per jar entry. */
export class Browser {
  /** Cookies per origin: name → value. */
  readonly jar = new Map<string, Map<string, string>>();
  readonly #base: string;

  constructor(base: string) {
    this.#base = base;
  }

  cookies(origin = this.#base): Map<string, string> {
    let cookies = this.jar.get(origin);
    if (!cookies) {
      cookies = new Map();
      this.jar.set(origin, cookies);
    }
    return cookies;
  }

  /** GETs `path` (relative to the app, or absolute) without following redirects. */
  async get(path: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<Page> {
    const url = new URL(path, this.#base);
    const cookies = this.cookies(url.origin);
    const cookieHeader = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: { ...(cookieHeader ? { cookie: cookieHeader } : {}), ...init.headers },
    });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute));
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    return {
      url: url.href,
      status: response.status,
      location: response.headers.get('location') ?? undefined,
      body: await response.text(),
      setCookies,
    };
  }

  /**
   * Starts a sign-in at `/sign-in` (with `query`), follows the provider's authorize redirect and
   * stops at the app's answer to the callback.
   */
  async signIn(query = ''): Promise<{ start: Page; authorize: Page | undefined; callback: Page | undefined }> {
    const start = await this.get(`/sign-in${query}`);
    if (start.status !== 302 || !start.location) return { start, authorize: undefined, callback: undefined };
    const authorize = await this.get(start.location);
    if (authorize.status !== 302 || !authorize.location) return { start, authorize, callback: undefined };
    return { start, authorize, callback: await this.get(authorize.location) };
  }

  /** Starts a sign-in and returns the provider's redirect to the callback, without visiting it. */
  async startSignIn(query = ''): Promise<string> {
    const start = await this.get(`/sign-in${query}`);
    if (!start.location) throw new Error(`/sign-in answered ${start.status} without a redirect`);
    const authorize = await this.get(start.location);
    if (!authorize.location) throw new Error(`authorize answered ${authorize.status} without a redirect`);
    return authorize.location;
  }
}
