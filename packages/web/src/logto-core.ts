/**
 * The adapter contract: one application's Logto setup (the validated configuration, the route
 * paths, the session manager) and the functions every framework adapter calls for a request —
 * open its session, serve the routes, commit the session. Each returns what to send, as plain
 * data; adapters translate requests and responses only.
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
import type { AdapterRequest } from './adapter-request.ts';
import {
  callbackErrorAnswer,
  droppedOnFailure,
  type PlainAnswer,
  privateCacheHeaders,
  providerUnavailableAnswer,
  redirectAnswer,
  sessionUnavailableAnswer,
} from './answers.ts';
import { BackChannelLogout, type BackChannelLogoutOptions, signedInAtKey } from './back-channel-logout.ts';
import { isProviderFailure } from './error-page.ts';
import type { LogtoPaths } from './logto-paths.ts';
import { type LogtoRequestContext, RequestContext } from './request-context.ts';
import { safeReturnTo } from './return-to.ts';
import { LogtoRoutes } from './routes.ts';
import { isSameOriginRequest } from './same-origin.ts';
import type { Session } from './session.ts';
import { SessionManager, type SessionOptions } from './session-manager.ts';
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

/**
 * The answer of a route, sent with its headers as they are (they include `privateCacheHeaders`):
 * a redirect or a page, or a failed callback, whose default answer an adapter may replace by the
 * application's own rendering of `error` (then with `privateCacheHeaders` too).
 */
export type RouteAnswer =
  | { kind: 'answer'; answer: PlainAnswer }
  | { kind: 'callback_error'; error: unknown; answer: PlainAnswer };

/** What {@link LogtoCore.open} gives: the request's context, or the 503 answer while the session store is down. */
export type OpenResult =
  | { kind: 'opened'; context: LogtoRequestContext }
  | { kind: 'unavailable'; answer: PlainAnswer };

/**
 * What {@link LogtoCore.commit} gives: the `Set-Cookie` header values to add to the response
 * (store writes done), or, when the session could not be saved, the headers to remove from the
 * response and the 503 answer to send instead.
 */
export type CommitResult =
  | { kind: 'cookies'; setCookie: string[] }
  | { kind: 'unavailable'; drop: readonly string[]; answer: PlainAnswer };

/**
 * What {@link createLogtoCore} returns: the adapter contract. An adapter describes each request
 * ({@link AdapterRequest}), then calls `open`, `route` (routes answer by themselves), lets the
 * application's handler run (`decideAuthenticated` protects a route), and calls `commit` before
 * the response's headers are sent. `route` and `commit` answer `undefined` at once when there is
 * nothing to do, the usual case, so that costs no promise.
 */
export interface LogtoCore {
  /** The route paths, e.g. for links. */
  readonly paths: LogtoPaths;
  /** The framework-free route behaviour, for custom routes. */
  readonly routes: LogtoRoutes;
  /** The session manager. */
  readonly sessions: SessionManager;
  /**
   * A `LogtoClient` of this application over `storage`, for an adapter that keeps a session's
   * values somewhere of its own (a request's client is `context.client`).
   */
  createClient(storage: Storage): LogtoClient;
  /**
   * Opens the request's session (a missing, tampered, foreign or expired cookie gives an empty
   * one): the context to keep for the request, or the 503 answer when the session store cannot be
   * read (an outage, never "signed out"). Answers at once when nothing needs waiting for (a
   * returning user's cookie, opened before).
   */
  open(request: AdapterRequest): OpenResult | Promise<OpenResult>;
  /**
   * Serves the routes: sign-in and sign-up (GET), callback (GET), sign-out (a same-origin POST; a
   * GET answers a confirmation page), back-channel logout (POST, when configured). `undefined` at
   * once when the request's path is none of them; a promise of `undefined` for another method.
   */
  route(context: LogtoRequestContext): Promise<RouteAnswer | undefined> | undefined;
  /**
   * Persists the session, if it changed, once the application answered and before the response's
   * headers are sent. `undefined` at once when there is nothing to send or store.
   */
  commit(context: LogtoRequestContext): Promise<CommitResult> | undefined;
}

/**
 * What every adapter's `createLogto` returns: the same members, typed by framework. `middleware`
 * is what the app mounts: `app.use(logto.middleware)` (Express, Hono), `await
 * app.register(logto.middleware)` (Fastify, where it is a plugin).
 */
export interface LogtoAdapter<Middleware, Authenticated> {
  /** Opens each request's session, serves the routes, commits the session. */
  readonly middleware: Middleware;
  /** The adapter's `authenticated()`, also reachable from here. */
  readonly authenticated: Authenticated;
  /** The route paths, e.g. for links. */
  readonly paths: LogtoPaths;
  /** The framework-free route behaviour, for custom routes. */
  readonly routes: LogtoRoutes;
  /** The session manager. */
  readonly sessions: SessionManager;
}

/** What an adapter's `createLogto` returns, built the same way in every adapter. */
export function logtoAdapter<Middleware, Authenticated>(
  core: LogtoCore,
  middleware: Middleware,
  authenticated: Authenticated,
): LogtoAdapter<Middleware, Authenticated> {
  return { middleware, authenticated, paths: core.paths, routes: core.routes, sessions: core.sessions };
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
    sync: sessions.sync,
  });

  async function serveRoute(session: Session, request: AdapterRequest): Promise<RouteAnswer | undefined> {
    // GET only: a HEAD (link preview, prefetch) must not start a sign-in or consume a callback.
    const isGet = request.method === 'GET';
    const { path } = request;
    if (isGet && (path === paths.signIn || path === paths.signUp)) {
      const query = new URLSearchParams(request.query);
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
        return { kind: 'answer', answer: providerUnavailableAnswer(error, request.header('accept')) };
      }
      return { kind: 'answer', answer: redirectAnswer(location) };
    }
    if (isGet && path === paths.callback) {
      let location: string;
      try {
        location = await routes.handleCallback(session, `${base}${paths.callback}${request.query}`);
      } catch (error) {
        return callbackError(error);
      }
      // Back-channel logout ends the sessions signed in before it, not those signed in after.
      if (backChannel) session.set(signedInAtKey, String((sessionOptions.now ?? Date.now)()));
      // Refused now rather than a cookie so large that every later request fails (431).
      if (!sessions.fits(session)) {
        session.destroy();
        return callbackError(sessionTooLarge());
      }
      return { kind: 'answer', answer: redirectAnswer(location) };
    }
    if (path === paths.signOut) return serveSignOut(session, request);
    if (backChannel && request.method === 'POST' && path === paths.backChannelLogout) {
      // A logout token is a few kilobytes: a larger body is refused before it is read.
      if (Number(request.header('content-length') ?? 0) > maxBackChannelBodyBytes) {
        return page(backChannel.refuseOversized());
      }
      return page(await backChannel.receive((await request.text?.()) ?? ''));
    }
    return undefined;
  }

  async function serveSignOut(session: Session, request: AdapterRequest): Promise<RouteAnswer | undefined> {
    const header = (name: string) => request.header(name);
    if (request.method === 'GET') {
      return page(signOutConfirmation(paths.signOut, header('sec-fetch-site') === 'same-origin'));
    }
    if (request.method !== 'POST') return undefined;
    // Sign-out CSRF: another site's form must not end the user's session.
    if (!isSameOriginRequest(header, appOrigin)) return page(signOutConfirmation(paths.signOut, false, 403));
    return { kind: 'answer', answer: redirectAnswer(await routes.signOut(session)) };
  }

  const clientFor = (session: Session) =>
    createClient(
      sessionStorage(session),
      sessions.sync ? sessionSyncedLock(sharedLock, sessions.sync, session, lockHoldMs) : undefined,
    );
  const opened = (request: AdapterRequest, session: Session): OpenResult => ({
    kind: 'opened',
    context: new RequestContext(session, paths, request, clientFor),
  });
  const unavailable = (request: AdapterRequest, error: unknown): OpenResult => {
    // Only the session store can fail here; an outage must not look like being signed out.
    sessions.reportStoreFailure(error);
    return { kind: 'unavailable', answer: sessionUnavailableAnswer(request.header('accept')) };
  };

  return {
    paths,
    routes,
    sessions,
    createClient: (storage) => createClient(storage),
    open(request) {
      let loading: Session | Promise<Session>;
      try {
        loading = sessions.open(request.cookies, request.secure);
      } catch (error) {
        return unavailable(request, error);
      }
      if (!(loading instanceof Promise)) return opened(request, loading);
      return loading.then(
        (session) => opened(request, session),
        (error: unknown) => unavailable(request, error),
      );
    },
    route: (context) =>
      routePaths.has(context.request.path) ? serveRoute(context.session, context.request) : undefined,
    commit(context) {
      const { session } = context;
      if (!sessions.needsCommit(session)) return undefined;
      return sessions.commit(session).then(
        (setCookie): CommitResult => ({ kind: 'cookies', setCookie }),
        (error: unknown): CommitResult => {
          sessions.reportStoreFailure(error);
          return {
            kind: 'unavailable',
            drop: droppedOnFailure,
            answer: sessionUnavailableAnswer(context.request.header('accept')),
          };
        },
      );
    },
  };
}

/** A route's page, private to the user like every answer of the routes. */
function page(answer: PlainAnswer): RouteAnswer {
  return { kind: 'answer', answer: { ...answer, headers: { ...privateCacheHeaders, ...answer.headers } } };
}

function callbackError(error: unknown): RouteAnswer {
  return { kind: 'callback_error', error, answer: callbackErrorAnswer(error) };
}
