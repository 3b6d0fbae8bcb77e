/**
 * The Next.js (App Router) adapter: everything that touches the web core lives in this file. It
 * describes each request to the core's adapter contract (a `Request` in Route Handlers and the
 * proxy; the cookies of `next/headers` in Server Components and Server Actions), opens its
 * session, serves the routes, decides protected handlers, and sends what `commit` answers: as
 * `Set-Cookie` on a `Response`, through `cookies().set()`, or, where no cookie can be written
 * (Server Components), into the process's refresh memo.
 */
import {
  type AccessTokenOptions,
  type IdTokenClaims,
  type LogtoClient,
  type Storage,
  StorageKey,
  type UserInfoResponse,
} from '@logto-kit/client';
import {
  type AdapterRequest,
  type AuthenticatedOptions,
  createLogtoCore,
  decideAuthenticated,
  describeFetchRequest,
  type LogtoCoreConfig,
  type LogtoPaths,
  type LogtoRequestContext,
  type LogtoUser,
  markPrivate,
  type PlainAnswer,
  privateCacheHeaders,
  privateResponse,
  type Session,
  type SessionManager,
  SessionStoreError,
  signInRedirect,
  toResponse,
} from '@logto-kit/web';
import { processRefreshMemo, type RefreshMemo, type TokenEntries } from './refresh-memo.ts';
import { type RoutePattern, routeMatcher } from './route-patterns.ts';
import { type CookieToSet, parseSetCookie } from './set-cookie.ts';

/** Configuration of {@link createLogto}: the web core's, plus how a failed callback is shown. */
export interface LogtoNextConfig extends LogtoCoreConfig {
  /** Renders a failed sign-in callback. Defaults to a small HTML page (status 400, 502 when the provider is unreachable). */
  onCallbackError?: (error: unknown, request: Request) => Response | Promise<Response>;
}

/** What a Server Component learns about the user without any cookie being written. */
export type LogtoSessionState =
  | { isAuthenticated: false }
  | {
      isAuthenticated: true;
      /** The ID token's claims. */
      claims: IdTokenClaims;
      /** The userinfo response (with `custom_data`, `organization_data`), when asked for with `fetchUserInfo`. */
      userInfo?: UserInfoResponse;
    };

/** What a protected Route Handler receives besides the request (see {@link LogtoNext.authenticated}). */
export interface AuthenticatedContext {
  /** The signed-in user: ID token claims, or the userinfo response with `fetchUserInfo`. */
  user: LogtoUser;
  /** An access token for the `resource` given to `authenticated()`. */
  accessToken: string | undefined;
  /** An organization token for the `organizationId` given to `authenticated()`. */
  organizationToken: string | undefined;
  /** This request's client, for more tokens; what it changes is saved with the response. */
  client: LogtoClient;
}

/** Options of {@link LogtoNext.proxy}. */
export interface ProxyOptions {
  /**
   * The protected paths: a signed-out request for one of them is redirected to sign-in and back.
   * `'/protected/:path*'` (the path and everything below), `'/orders/:id'`, `'/account'`, a
   * `RegExp` or a function of the path.
   */
  protect: readonly RoutePattern[];
}

/** Options of {@link LogtoNext.signIn}. */
export interface SignInActionOptions {
  /** The same-origin path to come back to after sign-in; anything else returns to `/`. */
  returnTo?: string;
  /** `register` shows the registration screen first (sign-up). */
  firstScreen?: 'sign_in' | 'register';
}

/** A Route Handler of the App Router (`export const GET = …`). */
export type RouteHandler<Context = unknown> = (request: Request, context: Context) => Promise<Response>;

/** What {@link createLogto} returns; create it once, in a module of its own (e.g. `lib/logto.ts`). */
export interface LogtoNext {
  /** The route paths, e.g. for links. */
  readonly paths: LogtoPaths;
  /** The session manager. */
  readonly sessions: SessionManager;
  /**
   * The Route Handlers of sign-in, sign-up, callback and sign-out (GET and POST): in
   * `app/[logto]/route.ts`, `export const { GET, POST } = logto.handlers;`. Any other path
   * answers 404.
   */
  readonly handlers: { GET: (request: Request) => Promise<Response>; POST: (request: Request) => Promise<Response> };
  /**
   * Protects a Route Handler as the guide's `@authenticated` decorator: a signed-out request gets
   * 401 `{"error":"Not authenticated"}`, or with `shouldRedirect` a redirect to sign-in that
   * returns here; a signed-in one runs `handler` with the user (and the tokens asked for). Tokens
   * refreshed meanwhile are saved on the handler's response.
   */
  authenticated<Context = unknown>(
    options: AuthenticatedOptions,
    handler: (request: Request, auth: AuthenticatedContext, context: Context) => Response | Promise<Response>,
  ): RouteHandler<Context>;
  /**
   * The user's state for a Server Component (also works in Route Handlers and Server Actions):
   * `isAuthenticated` and the ID token claims, read from the session cookie, never writing one. A
   * session past its lifetime, or whose cookie was tampered with, reads as signed out.
   */
  getSession(options?: { fetchUserInfo?: boolean }): Promise<LogtoSessionState>;
  /**
   * An access token for an API resource (a JWT whose `aud` is `resource`), in a Server Component,
   * Server Action or Route Handler. A refresh in a Server Action or Route Handler is saved in the
   * session cookie; in a Server Component, in the server-side store, or with cookie sessions in
   * the process's refresh memo, so it happens once per token lifetime, never per request.
   *
   * @throws {LogtoError} `not_authenticated` when signed out (see `@logto-kit/client`).
   */
  getAccessToken(resource?: string, options?: string | AccessTokenOptions): Promise<string>;
  /** An organization token (`aud` `urn:logto:organization:<id>`), kept like {@link getAccessToken}'s. */
  getOrganizationToken(organizationId: string, options?: Pick<AccessTokenOptions, 'scopes'>): Promise<string>;
  /**
   * Runs `use` with this request's `LogtoClient`, then keeps what it changed (as
   * {@link getAccessToken} does): for any other client call.
   */
  withClient<T>(use: (client: LogtoClient) => Promise<T>): Promise<T>;
  /**
   * A Server Action that starts a sign-in and redirects to the provider (it never returns):
   * `<form action={async () => { 'use server'; await logto.signIn({ returnTo: '/orders' }); }}>`.
   */
  signIn(options?: SignInActionOptions): Promise<never>;
  /** A Server Action that signs out here (the session cookie cleared) and at the provider, by redirecting there. */
  signOut(): Promise<never>;
  /**
   * The proxy (`proxy.ts`, Node.js runtime) or edge middleware (`middleware.ts`) function: a
   * signed-out request to a protected path is redirected to sign-in with `returnTo`; a session
   * cookie due for renewal (or with refreshed tokens waiting in the memo) is written. Web-standard
   * APIs only: runs on the edge runtime with cookie sessions.
   */
  proxy(options: ProxyOptions): (request: Request) => Promise<Response | undefined>;
  /** The sign-in URL that returns to `returnTo` (a same-origin path) afterwards. */
  signInUrl(returnTo?: string): string;
}

/*
 * Next.js's own modules are imported when first needed, by the names Next.js's bundler resolves
 * (and aliases per context: a Route Handler's `next/navigation` is not a page's). Node.js alone
 * cannot resolve these names (the package has no `exports`), so the web-standard parts of this
 * adapter (route handlers, `authenticated()`) also run outside Next.js, e.g. in tests.
 */
let headersModule: Promise<typeof import('next/headers.js')> | undefined;
let navigationModule: Promise<typeof import('next/navigation.js')> | undefined;
let serverModule: Promise<typeof import('next/server.js')> | undefined;
const nextHeaders = (): Promise<typeof import('next/headers.js')> =>
  (headersModule ??= import('next/headers' as string));
const nextNavigation = (): Promise<typeof import('next/navigation.js')> =>
  (navigationModule ??= import('next/navigation' as string));
const nextServer = (): Promise<typeof import('next/server.js')> => (serverModule ??= import('next/server' as string));

/** The cookies of the request being rendered, as `next/headers` gives them. */
export interface RequestCookieJar {
  getAll(): { name: string; value: string }[];
  /** Throws where cookies cannot be written (a Server Component). */
  set(cookie: CookieToSet): unknown;
}

/**
 * @internal What the adapter takes from Next.js's request context, replaceable so that the Server
 * Component and Server Action paths can be tested without a Next.js server.
 */
export interface NextContext {
  cookies(): Promise<RequestCookieJar>;
  /** `redirect()` of `next/navigation`: throws Next.js's redirect signal. */
  redirect(location: string): Promise<never>;
  /** `NextResponse.next()`: the proxy's "continue", with headers to add. */
  continueResponse(): Promise<Response>;
  /** The refresh memo; the process's by default. */
  memo?: RefreshMemo;
}

const nextContext: NextContext = {
  cookies: async () => (await nextHeaders()).cookies(),
  redirect: async (location) => (await nextNavigation()).redirect(location),
  continueResponse: async () => (await nextServer()).NextResponse.next(),
};

const tokenKeys = [StorageKey.IdToken, StorageKey.RefreshToken, StorageKey.AccessTokens] as const;

/** A loaded session with its client and what the refresh memo knows of it. */
interface RequestSession {
  /** The request's context, its client being {@link client}. */
  context: LogtoRequestContext;
  session: Session;
  client: LogtoClient;
  /** The refresh token the cookie holds: the refresh memo's key (cookie sessions only). */
  refreshToken: string | undefined;
  /** The token entries as the cookie holds them. */
  original: Map<string, string | undefined>;
}

/** A request of a Server Component or Server Action, described by its cookies only. */
class CookiesOnlyRequest implements AdapterRequest {
  readonly method = 'GET';
  readonly path = '/';
  readonly query = '';
  readonly cookies: string | undefined;
  readonly secure: boolean;

  constructor(cookies: string | undefined, secure: boolean) {
    this.cookies = cookies;
    this.secure = secure;
  }

  header(): string | undefined {
    return undefined;
  }
}

/** The error a Server Component or Server Action meets while the session store is down (not "signed out"). */
function storeUnavailable(): SessionStoreError {
  return new SessionStoreError(
    'session_store_unavailable',
    'The session store cannot be reached: the session could not be read or saved. Try again shortly.',
  );
}

/** The latest expiry among the cached access tokens of a session's JSON entry. */
function latestTokenExpiry(json: string | undefined): number | undefined {
  if (!json) return undefined;
  try {
    const map: unknown = JSON.parse(json);
    if (typeof map !== 'object' || map === null) return undefined;
    let latest: number | undefined;
    for (const entry of Object.values(map)) {
      const expiresAt = (entry as { expiresAt?: unknown } | null)?.expiresAt;
      if (typeof expiresAt === 'number' && (latest === undefined || expiresAt > latest)) latest = expiresAt;
    }
    return latest;
  } catch {
    return undefined;
  }
}

/**
 * Sets up Logto for a Next.js app (App Router).
 *
 * @example
 * ```ts
 * // lib/logto.ts
 * export const logto = createLogto({
 *   endpoint: 'http://localhost:3001',
 *   appId: 'sample-web-app',
 *   appSecret: 'sample-web-app-secret',
 *   baseUrl: 'http://localhost:3000',
 *   session: { secrets: [process.env.SESSION_SECRET!] },
 * });
 * // app/[logto]/route.ts
 * export const { GET, POST } = logto.handlers;
 * ```
 */
export function createLogto(config: LogtoNextConfig): LogtoNext {
  return createLogtoIn(config, nextContext);
}

/** @internal {@link createLogto} in a given request context (tests run it without Next.js). */
export function createLogtoIn(config: LogtoNextConfig, next: NextContext): LogtoNext {
  const { onCallbackError, ...coreConfig } = config;
  const secure = new URL(config.baseUrl).protocol === 'https:';
  // Behind a proxy that ends TLS, Next.js may see plain http: an https application's session
  // cookies are Secure whatever the request looked like (unless `session.secure` says otherwise).
  const session =
    secure && coreConfig.session.secure === undefined ? { ...coreConfig.session, secure } : coreConfig.session;
  const core = createLogtoCore({ ...coreConfig, session });
  const { paths, sessions } = core;
  const routePaths = new Set(Object.values(paths));
  const memo = next.memo ?? processRefreshMemo();
  const now = config.clientOptions?.now ?? Date.now;

  /**
   * Opens the request's session, with the memo's refreshed tokens on top (cookie sessions): the
   * loaded session, or the 503 answer while the session store is down.
   */
  async function load(request: AdapterRequest): Promise<RequestSession | PlainAnswer> {
    let opened = core.open(request);
    if (opened instanceof Promise) opened = await opened;
    if (opened.kind === 'unavailable') return opened.answer;
    const { context } = opened;
    const { session } = context;
    const original = new Map(tokenKeys.map((key) => [key, session.get(key)]));
    // With a server store, a refresh is kept in the store: the web core's client does it all.
    if (sessions.usesStore) {
      return { context, session, client: context.client, refreshToken: undefined, original };
    }
    const refreshToken = session.get(StorageKey.RefreshToken);
    const kept = refreshToken ? await memo.lookup(refreshToken) : undefined;
    if (kept) applyEntries(session, kept);
    const written = new Set<string>();
    const write = async (key: string) => {
      written.add(key);
      // Kept at once, before the refresh lock is released: a concurrent request of this user that
      // waited for the lock finds the new tokens instead of refreshing again. Where the cookie can
      // be written too (Route Handlers, Server Actions), the entry only spares others a refresh.
      if ((tokenKeys as readonly string[]).includes(key)) await remember(loaded);
    };
    const storage: Storage = {
      // The memo is read again on every access: a concurrent request of this user may have refreshed
      // while this one waited for the refresh lock, and its tokens are the ones to use.
      get: (key) => {
        if (refreshToken && !written.has(key) && memo.mayHold(refreshToken)) {
          return memo.lookup(refreshToken).then((latest) => (latest?.has(key) ? latest.get(key) : session.get(key)));
        }
        return session.get(key);
      },
      set: (key, value) => {
        session.set(key, value);
        return write(key);
      },
      delete: (key) => {
        session.delete(key);
        return write(key);
      },
    };
    const client = core.createClient(storage);
    const ownContext: LogtoRequestContext = { session, paths, request, client };
    const loaded: RequestSession = { context: ownContext, session, client, refreshToken, original };
    return loaded;
  }

  function applyEntries(session: Session, entries: TokenEntries): void {
    for (const [key, value] of entries) {
      if (value === undefined) session.delete(key);
      else session.set(key, value);
    }
  }

  /** Keeps what a refresh changed for the next requests that carry the same (unwritable) cookie. */
  async function remember({ session, refreshToken, original }: RequestSession): Promise<void> {
    if (!refreshToken) return;
    const entries = new Map(tokenKeys.map((key) => [key, session.get(key)]));
    if (tokenKeys.every((key) => entries.get(key) === original.get(key))) return;
    const rotated = entries.get(StorageKey.RefreshToken) !== original.get(StorageKey.RefreshToken);
    // A new (or refused) refresh token is needed as long as the cookie it replaces lives; new access
    // tokens only until they expire, after which one refresh with the cookie's token follows.
    const expiresAt = rotated
      ? now() + sessions.maxAge * 1000
      : (latestTokenExpiry(entries.get(StorageKey.AccessTokens)) ?? now() + 60_000);
    await memo.keep(refreshToken, entries, expiresAt);
  }

  /** The session of the request being rendered (Server Components, Server Actions), from `next/headers`. */
  async function loadFromHeaders(): Promise<RequestSession> {
    const jar = await next.cookies();
    const cookies = jar
      .getAll()
      .map((cookie: { name: string; value: string }) => `${cookie.name}=${cookie.value}`)
      .join('; ');
    const loaded = await load(new CookiesOnlyRequest(cookies || undefined, secure));
    if ('status' in loaded) throw storeUnavailable();
    return loaded;
  }

  /**
   * Saves the session through `next/headers`: in a Server Action or Route Handler as cookies; in a
   * Server Component (where `cookies().set` throws) into the store or the refresh memo.
   */
  async function keepThroughHeaders(loaded: RequestSession, mustWrite = false): Promise<void> {
    const commit = core.commit(loaded.context);
    const result = commit && (await commit);
    if (!result) return;
    if (result.kind === 'unavailable') throw storeUnavailable();
    if (result.setCookie.length === 0) return;
    const jar = await next.cookies();
    try {
      for (const header of result.setCookie) jar.set(parseSetCookie(header));
    } catch (error) {
      if (mustWrite) {
        throw new TypeError(
          'logto.signIn() and logto.signOut() are Server Actions: call them from a form action or a function marked "use server", not while rendering a Server Component.',
          { cause: error },
        );
      }
      await remember(loaded);
    }
  }

  /** Saves the session on a `Response` (Route Handlers, the proxy); a store failure answers 503. */
  async function keepOnResponse(loaded: RequestSession, response: Response): Promise<Response> {
    const commit = core.commit(loaded.context);
    const result = commit && (await commit);
    if (!result) return response;
    if (result.kind === 'unavailable') return toResponse(result.answer);
    if (result.setCookie.length === 0) return response;
    let target = response;
    try {
      for (const header of result.setCookie) target.headers.append('set-cookie', header);
    } catch {
      // Immutable headers (e.g. `Response.redirect`): the same response with headers of its own.
      target = new Response(response.body, response);
      for (const header of result.setCookie) target.headers.append('set-cookie', header);
    }
    return target;
  }

  async function serve(request: Request): Promise<Response> {
    const loaded = await load(describeFetchRequest(request));
    if ('status' in loaded) return toResponse(loaded);
    const route = core.route(loaded.context);
    if (!route) return new Response('Not Found', { status: 404 });
    const answer = await route;
    if (!answer) return new Response('Method Not Allowed', { status: 405, headers: { allow: 'GET, POST' } });
    // Signed out: what the memo kept for this cookie goes too.
    if (loaded.refreshToken && !loaded.session.get(StorageKey.RefreshToken)) await memo.forget(loaded.refreshToken);
    const response =
      answer.kind === 'callback_error' && onCallbackError
        ? privateResponse(await onCallbackError(answer.error, request))
        : toResponse(answer.answer);
    return keepOnResponse(loaded, response);
  }

  function authenticated<Context>(
    options: AuthenticatedOptions,
    handler: (request: Request, auth: AuthenticatedContext, context: Context) => Response | Promise<Response>,
  ): RouteHandler<Context> {
    return async (request, routeContext) => {
      const loaded = await load(describeFetchRequest(request));
      if ('status' in loaded) return toResponse(loaded);
      let decision = decideAuthenticated(loaded.context, options);
      if (decision instanceof Promise) decision = await decision;
      if (decision.kind === 'answer') return keepOnResponse(loaded, toResponse(decision.answer));
      const response = await handler(
        request,
        {
          user: decision.user,
          accessToken: decision.accessToken,
          organizationToken: decision.organizationToken,
          client: loaded.client,
        },
        routeContext,
      );
      return keepOnResponse(loaded, markPrivate(response));
    };
  }

  async function withClient<T>(use: (client: LogtoClient) => Promise<T>): Promise<T> {
    const loaded = await loadFromHeaders();
    try {
      return await use(loaded.client);
    } finally {
      // Kept also when `use` failed: a refresh token refused is a signed-out session to remember.
      await keepThroughHeaders(loaded);
    }
  }

  async function getSession(options: { fetchUserInfo?: boolean } = {}): Promise<LogtoSessionState> {
    const loaded = await loadFromHeaders();
    const { client } = loaded;
    if (!(await client.isAuthenticated())) return { isAuthenticated: false };
    let claims: IdTokenClaims;
    try {
      claims = await client.getIdTokenClaims();
    } catch {
      return { isAuthenticated: false };
    }
    if (!options.fetchUserInfo) return { isAuthenticated: true, claims };
    try {
      return { isAuthenticated: true, claims, userInfo: await client.fetchUserInfo() };
    } finally {
      await keepThroughHeaders(loaded);
    }
  }

  async function signIn(options: SignInActionOptions = {}): Promise<never> {
    const loaded = await loadFromHeaders();
    const location = await core.routes.signIn(loaded.session, {
      returnTo: options.returnTo,
      ...(options.firstScreen ? { firstScreen: options.firstScreen } : {}),
    });
    await keepThroughHeaders(loaded, true);
    return next.redirect(location);
  }

  async function signOut(): Promise<never> {
    const loaded = await loadFromHeaders();
    const location = await core.routes.signOut(loaded.session);
    if (loaded.refreshToken) await memo.forget(loaded.refreshToken);
    await keepThroughHeaders(loaded, true);
    return next.redirect(location);
  }

  function proxy(options: ProxyOptions): (request: Request) => Promise<Response | undefined> {
    const isProtected = routeMatcher(options.protect);
    return async (request) => {
      const described = describeFetchRequest(request);
      // The routes keep their own answers (a callback must reach its Route Handler untouched).
      if (routePaths.has(described.path)) return undefined;
      const loaded = await load(described);
      if ('status' in loaded) return toResponse(loaded);
      if (isProtected(described.path) && !loaded.session.get(StorageKey.IdToken)) {
        // Absolute: Next.js refuses a relative `Location` from middleware on the edge runtime.
        const location = new URL(
          signInRedirect(paths, { method: request.method, url: `${described.path}${described.query}` }),
          config.baseUrl,
        ).href;
        const response = new Response(null, { status: 302, headers: { location, ...privateCacheHeaders } });
        return keepOnResponse(loaded, response);
      }
      if (!sessions.needsCommit(loaded.session)) return undefined;
      return keepOnResponse(loaded, await next.continueResponse());
    };
  }

  return {
    paths,
    sessions,
    handlers: { GET: serve, POST: serve },
    authenticated,
    getSession,
    getAccessToken: (resource, options) => withClient((client) => client.getAccessToken(resource, options)),
    getOrganizationToken: (organizationId, options) =>
      withClient((client) => client.getOrganizationToken(organizationId, options)),
    withClient,
    signIn,
    signOut,
    proxy,
    signInUrl: (returnTo) => signInRedirect(paths, { method: 'GET', url: returnTo ?? '/' }),
  };
}
