/**
 * One application's Logto setup, shared by every framework adapter: the validated configuration,
 * the route paths, the session manager, a `LogtoClient` per request and the answer of the
 * sign-in, sign-up, callback and sign-out routes. Adapters translate requests and responses only.
 */
import {
  InProcessRefreshLock,
  issuerFromEndpoint,
  LogtoClient,
  type LogtoClientOptions,
  type LogtoConfig,
  type RefreshLock,
  type Storage,
} from '@logto-kit/client';
import { type PlainAnswer, providerUnavailableAnswer } from './answers.ts';
import { BackChannelLogout, type BackChannelLogoutOptions, signedInAtKey } from './back-channel-logout.ts';
import { isProviderFailure } from './error-page.ts';
import { safeReturnTo } from './return-to.ts';
import { LogtoRoutes } from './routes.ts';
import { isSameOriginRequest } from './same-origin.ts';
import { type Session, SessionManager, type SessionOptions } from './session.ts';
import { sessionStorage } from './session-storage.ts';
import { MemoryStore } from './session-store.ts';
import { signOutConfirmation } from './sign-out-page.ts';
import { SessionStoreError } from './stores/session-store-error.ts';
import { sessionSyncedLock } from './stores/session-synced-lock.ts';

/** Configuration shared by every adapter (`createLogto` of Express, Hono, Fastify). */
export interface LogtoCoreConfig extends LogtoConfig {
  /** This application's public URL, e.g. `http://localhost:3000`; callback and post-sign-out URLs derive from it. */
  baseUrl: string;
  /** Session secrets and, optionally, a server-side store. */
  session: SessionOptions;
  routes?: {
    /** Path prefix of the routes, e.g. `/auth` gives `/auth/sign-in`. Defaults to none: `/sign-in`, `/callback`, … */
    prefix?: string;
  };
  /** The same-origin path the provider returns to after sign-out. Defaults to `/`. */
  postSignOutRedirectPath?: string;
  /** Passed to every `LogtoClient` (e.g. `fetch`, `now`, `lock`). */
  clientOptions?: Omit<LogtoClientOptions, 'storage'>;
  /**
   * Serves OpenID Connect Back-Channel Logout at `<prefix>/backchannel-logout` (register that
   * URL as the app's back-channel logout URI in Logto): a logout token from the provider ends
   * that user's sessions on every instance. `{}` uses the session store as the shared store.
   */
  backChannelLogout?: BackChannelLogoutOptions;
}

/** The URL paths of the routes. */
export interface LogtoPaths {
  signIn: string;
  signUp: string;
  callback: string;
  signOut: string;
  /** The back-channel logout route (served only with `backChannelLogout`). */
  backChannelLogout: string;
}

/** A route request, as {@link LogtoCore.serveRoute} needs it. */
export interface RouteRequest {
  method: string;
  /** The URL path, without the query. */
  path: string;
  /** The query string, with its `?` (or empty). */
  search: string;
  /**
   * Reads a request header by its lower-case name. The sign-out route's same-origin check reads
   * `sec-fetch-site` and `origin`; without this function every sign-out POST is refused.
   */
  header?: (name: string) => string | undefined;
  /** Reads the body as text; the back-channel logout route reads its form. */
  text?: () => Promise<string>;
}

/**
 * The answer of a route, always sent with `privateCacheHeaders`: a redirect (302), a failed
 * callback's error to render (see `callbackErrorPage`, `callbackErrorStatus`), or a page to send
 * as it is (the sign-out confirmation).
 */
export type RouteAnswer =
  | { kind: 'redirect'; location: string }
  | { kind: 'callback_error'; error: unknown }
  | { kind: 'page'; answer: PlainAnswer };

/** What {@link createLogtoCore} returns. */
export interface LogtoCore {
  /** The route paths, e.g. for links. */
  readonly paths: LogtoPaths;
  /** The framework-free route behaviour. */
  readonly routes: LogtoRoutes;
  /** The session manager. */
  readonly sessions: SessionManager;
  /** The per-request client, its storage being `session` (synced with the store when there is one). */
  clientFor(session: Session): LogtoClient;
  /** Whether `path` is one of the routes: other requests skip {@link serveRoute}. */
  isRoutePath(path: string): boolean;
  /**
   * Serves a route request: sign-in and sign-up (GET), callback (GET), sign-out (a same-origin
   * POST; a GET answers a confirmation page). `undefined` when the request is not one of them
   * (another method, another path).
   */
  serveRoute(session: Session, request: RouteRequest): Promise<RouteAnswer | undefined>;
}

/** The largest back-channel logout request body read. */
const maxBackChannelBodyBytes = 65_536;

function sessionTooLarge(): SessionStoreError {
  return new SessionStoreError(
    'session_too_large',
    'Your sign-in succeeded, but this application cannot keep your session in cookies: it is too large. The application’s operator can fix this by keeping sessions in a server-side store (session.store: MemoryStore, RedisStore or PostgresStore).',
  );
}

/** A frozen copy whose array values are frozen copies too. */
function frozenCopy<T extends object>(value: T): Readonly<T> {
  const copy = { ...value };
  for (const [key, item] of Object.entries(copy)) {
    if (Array.isArray(item)) Object.assign(copy, { [key]: Object.freeze([...item]) });
  }
  return Object.freeze(copy);
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Validates the configuration and sets up the routes and sessions of one application. */
export function createLogtoCore(config: LogtoCoreConfig): LogtoCore {
  const {
    baseUrl,
    session: sessionOptions,
    routes: routeOptions,
    postSignOutRedirectPath = '/',
    clientOptions,
    ...rest
  } = config;
  // Frozen, so the client created for each request checks it only once.
  const clientConfig = frozenCopy(rest);
  const base = trimSlash(new URL(baseUrl).href);
  const appOrigin = new URL(baseUrl).origin;
  const prefix = trimSlash(routeOptions?.prefix ?? '');
  // Non-empty segments only: a prefix like `//evil.example` would make the sign-in redirect
  // (`Location: //evil.example/sign-in`) leave the application.
  if (prefix && !/^(\/[A-Za-z0-9._~-]+)+$/.test(prefix)) throw new TypeError(`Invalid routes.prefix: ${prefix}`);
  if (safeReturnTo(postSignOutRedirectPath) !== postSignOutRedirectPath) {
    throw new TypeError('postSignOutRedirectPath must be a normalized path on this application, e.g. "/".');
  }
  const paths: LogtoPaths = Object.freeze({
    signIn: `${prefix}/sign-in`,
    signUp: `${prefix}/sign-up`,
    callback: `${prefix}/callback`,
    signOut: `${prefix}/sign-out`,
    backChannelLogout: `${prefix}/backchannel-logout`,
  });
  const routePaths = new Set([paths.signIn, paths.signUp, paths.callback, paths.signOut]);
  const sessions = new SessionManager(sessionOptions);
  let backChannel: BackChannelLogout | undefined;
  if (config.backChannelLogout) {
    backChannel = new BackChannelLogout({
      store: config.backChannelLogout.store ?? sessionOptions.store ?? new MemoryStore({ now: sessionOptions.now }),
      issuer: issuerFromEndpoint(config.endpoint),
      clientId: config.appId,
      now: clientOptions?.now ?? Date.now,
      clockToleranceSeconds: config.clockToleranceSeconds ?? 60,
      sessionLifetimeSeconds: sessions.maxAge,
      sessionNow: sessionOptions.now ?? Date.now,
      remote: { fetch: clientOptions?.fetch, timeoutMs: clientOptions?.timeoutMs },
    });
    const check = backChannel;
    sessions.endSessionsWhen((session) => check.hasEnded(session));
    routePaths.add(paths.backChannelLogout);
  }
  const createClient = (storage: Storage, lock?: RefreshLock) =>
    new LogtoClient(clientConfig, { ...clientOptions, storage, ...(lock ? { lock } : {}) });
  // With a store: the app's lock (or the given, e.g. cross-instance, one), synced with the store per request.
  const sharedLock = clientOptions?.lock ?? new InProcessRefreshLock();
  // New tokens waiting for the store keep the lock at most as long as a hold of a shared lock lasts.
  const lockHoldMs = 'ttlMs' in sharedLock && typeof sharedLock.ttlMs === 'number' ? sharedLock.ttlMs : undefined;
  const routes = new LogtoRoutes({
    createClient,
    redirectUri: `${base}${paths.callback}`,
    postSignOutRedirectUri: `${base}${postSignOutRedirectPath}`,
  });

  async function serveRoute(session: Session, request: RouteRequest): Promise<RouteAnswer | undefined> {
    // GET only: a HEAD (link preview, prefetch) must not start a sign-in or consume a callback.
    const isGet = request.method === 'GET';
    const { path } = request;
    if (isGet && (path === paths.signIn || path === paths.signUp)) {
      const query = new URLSearchParams(request.search);
      let location: string;
      try {
        location = await routes.signIn(session, {
          // Given twice, it is not one path: refused like any unsafe value.
          returnTo: query.getAll('returnTo').length === 1 ? query.get('returnTo') : undefined,
          ...(path === paths.signUp ? { firstScreen: 'register' as const } : {}),
        });
      } catch (error) {
        // The same answer in every adapter: the sign-in error page (or JSON), 502, no internal URL.
        if (!isProviderFailure(error)) throw error;
        return { kind: 'page', answer: providerUnavailableAnswer(error, request.header?.('accept')) };
      }
      return { kind: 'redirect', location };
    }
    if (isGet && path === paths.callback) {
      let location: string;
      try {
        location = await routes.handleCallback(session, `${base}${paths.callback}${request.search}`);
      } catch (error) {
        return { kind: 'callback_error', error };
      }
      // Back-channel logout ends the sessions signed in before it, not those signed in after.
      if (backChannel) session.set(signedInAtKey, String((sessionOptions.now ?? Date.now)()));
      // Refused now rather than a cookie so large that every later request fails (431).
      if (!sessions.fits(session)) {
        session.destroy();
        return { kind: 'callback_error', error: sessionTooLarge() };
      }
      return { kind: 'redirect', location };
    }
    if (path === paths.signOut) return serveSignOut(session, request);
    if (backChannel && request.method === 'POST' && path === paths.backChannelLogout) {
      // A logout token is a few kilobytes: a larger body is refused before it is read.
      if (Number(request.header?.('content-length') ?? 0) > maxBackChannelBodyBytes) {
        return { kind: 'page', answer: backChannel.refuseOversized() };
      }
      return { kind: 'page', answer: await backChannel.receive((await request.text?.()) ?? '') };
    }
    return undefined;
  }

  async function serveSignOut(session: Session, request: RouteRequest): Promise<RouteAnswer | undefined> {
    const header = request.header ?? (() => undefined);
    if (request.method === 'GET') {
      return { kind: 'page', answer: signOutConfirmation(paths.signOut, header('sec-fetch-site') === 'same-origin') };
    }
    if (request.method !== 'POST') return undefined;
    // Sign-out CSRF: another site's form must not end the user's session.
    if (!isSameOriginRequest(header, appOrigin)) {
      return { kind: 'page', answer: signOutConfirmation(paths.signOut, false, 403) };
    }
    return { kind: 'redirect', location: await routes.signOut(session) };
  }

  return {
    paths,
    routes,
    sessions,
    clientFor: (session) =>
      createClient(
        sessionStorage(session),
        sessions.usesStore ? sessionSyncedLock(sharedLock, session, lockHoldMs) : undefined,
      ),
    isRoutePath: (path) => routePaths.has(path),
    serveRoute,
  };
}
