import { base64url, decodeJwt } from 'jose';
import type { AccessTokenClaims, IdTokenClaims, UserInfoResponse } from './claims.ts';
import { getDiscovery, issuerFromEndpoint, type OidcDiscovery } from './discovery.ts';
import { LogtoError } from './errors.ts';
import { defaultTimeoutMs, describeFetchError, isJsonObject } from './fetch-json.ts';
import { verifyIdToken } from './id-token.ts';
import { JwksCache } from './jwks-cache.ts';
import { codeChallengeS256, type RandomBytes, randomToken, webCryptoRandom } from './pkce.ts';
import { defaultRefreshLock, type RefreshLock } from './refresh-lock.ts';
import { requestedResources, requestedScopes, UserScope } from './scopes.ts';
import { MemoryStorage, type Storage, StorageKey } from './storage.ts';
import { type ClientCredentials, requestToken, revokeToken, type TokenResponse } from './token-endpoint.ts';

/** A `prompt` value of the authorization request. */
export type Prompt = 'consent' | 'login' | 'none' | 'select_account';

/** The configuration of a {@link LogtoClient}: the values from the app's page in Logto Console. */
export interface LogtoConfig {
  /** The Logto endpoint, e.g. `https://your-tenant.logto.app` or `http://localhost:3001`; the issuer is `<endpoint>/oidc`. */
  endpoint: string;
  /** The application id. */
  appId: string;
  /** The application secret (a traditional web app is a confidential client). */
  appSecret?: string;
  /** Extra scopes, e.g. `UserScope.Email` or API scopes like `shopping:read`. `openid offline_access profile` are always added. */
  scopes?: string[];
  /** API resource indicators to request access tokens for. */
  resources?: string[];
  /** The `prompt` of sign-in requests (default `consent`, which Logto needs to issue a refresh token). */
  prompt?: Prompt | Prompt[];
  /** Add the reserved scopes `offline_access` and `profile` (default true; `openid` is always requested). */
  includeReservedScopes?: boolean;
  /** Allowed clock skew when checking ID tokens, in seconds (default 60). */
  clockToleranceSeconds?: number;
}

/** Injected dependencies of a {@link LogtoClient}. */
export interface LogtoClientOptions {
  /** Where tokens and pending sign-ins live, typically the user's session (default: a private {@link MemoryStorage}). */
  storage?: Storage;
  /** The `fetch` to reach the identity server (default: the global one). */
  fetch?: typeof fetch;
  /** The clock, in milliseconds since the epoch (default `Date.now`). */
  now?: () => number;
  /** Serializes refreshes across clients sharing a refresh token (default: a process-wide in-memory lock). */
  lock?: RefreshLock;
  /** Secure random bytes for `state`, `nonce` and the PKCE verifier (default: Web Crypto). */
  random?: RandomBytes;
  /** Bound on each request to the identity server, in milliseconds (default 5000). */
  timeoutMs?: number;
}

/** The `first_screen` values Logto understands. */
export type FirstScreen =
  | 'sign_in'
  | 'register'
  | 'reset_password'
  | 'identifier:sign_in'
  | 'identifier:register'
  | 'single_sign_on';

/** Options of {@link LogtoClient.signIn}. */
export interface SignInOptions {
  /** Where Logto sends the user back: must be registered for the app, exactly. */
  redirectUri: string;
  /** `signUp` shows the registration screen first (older form of `firstScreen: 'register'`). */
  interactionMode?: 'signIn' | 'signUp';
  /** The first screen Logto shows. */
  firstScreen?: FirstScreen;
  /** Pre-fills the identifier (username, email or phone). */
  loginHint?: string;
  /** The identifier types offered on the first screen, e.g. `['email', 'username']`. */
  identifiers?: string[];
  /** Skip Logto's sign-in page and go straight to a social or SSO connector. */
  directSignIn?: { method: 'social' | 'sso'; target: string };
  /** Sign in in the context of an organization. */
  organizationId?: string;
  /** Preferred UI languages, e.g. `'de en'`. */
  uiLocales?: string;
  /** Additional authorization request parameters; they cannot override the protocol's own. */
  extraParams?: Record<string, string>;
  /** Where the app wants to send the user after the callback; returned by {@link LogtoClient.handleSignInCallback}. */
  postRedirectUri?: string;
}

/** What {@link LogtoClient.handleSignInCallback} learned. */
export interface SignInCallbackResult {
  /** The `postRedirectUri` given to `signIn`, if any. */
  postRedirectUri?: string;
}

interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  postRedirectUri?: string;
  expiresAt: number;
}

interface CachedAccessToken {
  token: string;
  scope?: string;
  expiresAt: number;
}

type AccessTokenCache = Record<string, CachedAccessToken>;

/** How long a pending sign-in stays valid. */
const signInLifetimeMs = 10 * 60 * 1000;
/** At most this many pending sign-ins are kept per storage (the oldest are dropped). */
const maxPendingSignIns = 20;
/** The lifetime assumed for an access token whose response has no `expires_in`. */
const defaultShortLifetimeSeconds = 60;

/** The shape of a `state` this client generates: base64url, 256 bits. */
const stateFormat = /^[A-Za-z0-9_-]{43}$/;

/** Parameters the client sets itself; `extraParams` may not override them. */
const protocolParams = new Set([
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'resource',
  'prompt',
]);

/** The safety margin before an access token's expiry: 60 s, or 10% of a short lifetime. */
function expiryMarginSeconds(lifetimeSeconds: number): number {
  return Math.min(60, lifetimeSeconds * 0.1);
}

function accessTokenKey(resource: string | undefined, organizationId: string | undefined): string {
  return `${resource ?? ''}#${organizationId ?? ''}`;
}

function parseJson<T>(value: string | null | undefined): T | undefined {
  if (!value) return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}

function notAuthenticated(detail: string, cause?: unknown): LogtoError {
  return new LogtoError('not_authenticated', `${detail} Sign the user in again.`, cause ? { cause } : {});
}

function validateConfig(config: LogtoConfig): void {
  const invalid = (message: string) => new LogtoError('invalid_config', message);
  let endpoint: URL;
  try {
    endpoint = new URL(config.endpoint);
  } catch {
    throw invalid(
      `The Logto endpoint ${JSON.stringify(config.endpoint)} is not an absolute URL. Use the endpoint shown in Logto Console, e.g. "https://your-tenant.logto.app".`,
    );
  }
  if (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') {
    throw invalid(`The Logto endpoint must be an http(s) URL, got ${JSON.stringify(config.endpoint)}.`);
  }
  if (typeof config.appId !== 'string' || config.appId === '') {
    throw invalid('The appId is missing. Copy the "App ID" from the application details page in Logto Console.');
  }
  if (typeof config.appSecret !== 'string' || config.appSecret === '') {
    throw invalid(
      'The appSecret is missing. Copy the "App secret" from the application details page in Logto Console (Applications → your app).',
    );
  }
  const tolerance = config.clockToleranceSeconds;
  if (tolerance !== undefined && (!Number.isFinite(tolerance) || tolerance < 0)) {
    throw invalid('clockToleranceSeconds must be a non-negative number of seconds.');
  }
}

/**
 * The Logto client for one user: builds the sign-in and sign-out URLs, handles the callback, and
 * keeps the user's tokens in its {@link Storage}. Create one per request over the user's session;
 * discovery, signing keys and the refresh lock are shared process-wide, nothing user-specific is.
 *
 * @example
 * ```ts
 * const client = new LogtoClient(
 *   { endpoint: 'http://localhost:3001', appId: 'sample-web-app', appSecret: 'sample-web-app-secret' },
 *   { storage: sessionStorage },
 * );
 * res.redirect(await client.signIn({ redirectUri: 'http://localhost:3000/callback' }));
 * // …then, on /callback:
 * await client.handleSignInCallback(`http://localhost:3000${req.originalUrl}`);
 * const claims = await client.getIdTokenClaims();
 * ```
 */
export class LogtoClient {
  /** The configuration this client was created with. */
  readonly config: Readonly<LogtoConfig>;
  /** The issuer, `<endpoint>/oidc`. */
  readonly issuer: string;
  readonly #storage: Storage;
  readonly #fetch: typeof fetch | undefined;
  readonly #now: () => number;
  readonly #lock: RefreshLock;
  readonly #random: RandomBytes;
  readonly #timeoutMs: number;
  readonly #credentials: ClientCredentials;

  constructor(config: LogtoConfig, options: LogtoClientOptions = {}) {
    validateConfig(config);
    this.config = Object.freeze({ ...config });
    this.issuer = issuerFromEndpoint(config.endpoint);
    this.#storage = options.storage ?? new MemoryStorage();
    this.#fetch = options.fetch;
    this.#now = options.now ?? Date.now;
    this.#lock = options.lock ?? defaultRefreshLock;
    this.#random = options.random ?? webCryptoRandom;
    this.#timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    this.#credentials = { clientId: config.appId, clientSecret: config.appSecret ?? '' };
  }

  /**
   * Starts a sign-in: remembers a pending sign-in (keyed by its `state`) in the storage and returns
   * the authorization URL to redirect the user to.
   *
   * @param options The redirect URI (a string, as in the guide) or {@link SignInOptions}.
   * @example
   * ```ts
   * res.redirect(await client.signIn({ redirectUri: 'http://localhost:3000/callback', interactionMode: 'signUp' }));
   * ```
   */
  async signIn(options: string | SignInOptions): Promise<string> {
    const signIn = typeof options === 'string' ? { redirectUri: options } : options;
    try {
      new URL(signIn.redirectUri);
    } catch {
      throw new LogtoError(
        'invalid_config',
        `The redirect URI ${JSON.stringify(signIn.redirectUri)} is not an absolute URL. Use the full callback URL registered in Logto Console, e.g. "http://localhost:3000/callback".`,
      );
    }
    for (const name of Object.keys(signIn.extraParams ?? {})) {
      if (protocolParams.has(name)) {
        throw new LogtoError('invalid_config', `extraParams cannot set "${name}": the client sets it itself.`);
      }
    }
    const discovery = await this.#discovery();
    const state = randomToken(this.#random);
    const nonce = randomToken(this.#random);
    const codeVerifier = randomToken(this.#random);
    const scopes = requestedScopes(this.config.scopes, this.config.includeReservedScopes ?? true);

    const url = new URL(discovery.authorization_endpoint);
    const params = url.searchParams;
    params.set('client_id', this.config.appId);
    params.set('redirect_uri', signIn.redirectUri);
    params.set('response_type', 'code');
    params.set('scope', scopes.join(' '));
    params.set('state', state);
    params.set('nonce', nonce);
    params.set('code_challenge', await codeChallengeS256(codeVerifier));
    params.set('code_challenge_method', 'S256');
    const prompt = this.config.prompt ?? 'consent';
    params.set('prompt', Array.isArray(prompt) ? prompt.join(' ') : prompt);
    for (const resource of requestedResources(this.config.resources, scopes)) params.append('resource', resource);
    if (signIn.firstScreen) params.set('first_screen', signIn.firstScreen);
    if (signIn.interactionMode) params.set('interaction_mode', signIn.interactionMode);
    if (signIn.loginHint) params.set('login_hint', signIn.loginHint);
    if (signIn.identifiers?.length) params.set('identifier', signIn.identifiers.join(' '));
    if (signIn.directSignIn) {
      params.set('direct_sign_in', `${signIn.directSignIn.method}:${signIn.directSignIn.target}`);
    }
    if (signIn.organizationId) params.set('organization_id', signIn.organizationId);
    if (signIn.uiLocales) params.set('ui_locales', signIn.uiLocales);
    for (const [name, value] of Object.entries(signIn.extraParams ?? {})) params.set(name, value);

    await this.#savePendingSignIn({
      state,
      nonce,
      codeVerifier,
      redirectUri: signIn.redirectUri,
      postRedirectUri: signIn.postRedirectUri,
      expiresAt: this.#now() + signInLifetimeMs,
    });
    return url.href;
  }

  /**
   * Completes a sign-in from the URL Logto redirected the user to: checks `state` (single use),
   * the provider's `error`, RFC 9207 `iss`, the redirect URI; exchanges the code; verifies the
   * ID token; stores the tokens.
   *
   * @param callbackUrl The full URL of the callback request, including its query.
   * @throws {LogtoError} `callback_state_mismatch`, `callback_redirect_uri_mismatch`,
   *   `callback_iss_mismatch`, `callback_provider_error`, `callback_missing_code`,
   *   `token_request_failed`, or an `id_token_*` code.
   */
  async handleSignInCallback(callbackUrl: string): Promise<SignInCallbackResult> {
    let url: URL;
    try {
      url = new URL(callbackUrl);
    } catch {
      throw new LogtoError(
        'callback_missing_code',
        `The callback URL ${JSON.stringify(callbackUrl)} is not an absolute URL: pass the full URL of the callback request.`,
      );
    }
    const params = url.searchParams;
    const state = params.get('state');
    // Only a value this client could have generated reaches the storage as part of a key.
    const pending = state && stateFormat.test(state) ? await this.#takePendingSignIn(state) : undefined;
    if (!pending) {
      throw new LogtoError(
        'callback_state_mismatch',
        'This callback matches no sign-in in progress (unknown, already used or expired "state"). Start the sign-in again.',
      );
    }
    const expected = new URL(pending.redirectUri);
    if (url.origin !== expected.origin || url.pathname !== expected.pathname) {
      throw new LogtoError(
        'callback_redirect_uri_mismatch',
        `The callback arrived at ${url.origin}${url.pathname}, but the sign-in was started with the redirect URI ${pending.redirectUri}. Pass the full callback URL, and use the same redirect URI in signIn().`,
      );
    }
    const discovery = await this.#discovery();
    // RFC 9207 §2.4: check `iss` before anything else of the response, including an error.
    const iss = params.get('iss');
    if ((discovery.authorization_response_iss_parameter_supported === true || iss !== null) && iss !== this.issuer) {
      throw new LogtoError(
        'callback_iss_mismatch',
        `The authorization response comes from the issuer ${JSON.stringify(iss)}, expected "${this.issuer}" (RFC 9207). The response may be a mix-up attack; start the sign-in again.`,
      );
    }
    const error = params.get('error');
    if (error !== null) {
      const description = params.get('error_description') ?? undefined;
      throw new LogtoError(
        'callback_provider_error',
        `The identity server refused the sign-in: ${error}${description ? ` (${description})` : ''}.`,
        { error, errorDescription: description },
      );
    }
    const code = params.get('code');
    if (!code) {
      throw new LogtoError(
        'callback_missing_code',
        'The callback URL has no authorization "code". Start the sign-in again.',
      );
    }

    const tokens = await requestToken(
      discovery.token_endpoint,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: pending.redirectUri,
        code_verifier: pending.codeVerifier,
      },
      this.#credentials,
      this.#endpointOptions(),
    );
    if (!tokens.id_token) {
      throw new LogtoError('token_request_failed', 'The token response has no id_token; is "openid" among the scopes?');
    }
    await verifyIdToken(tokens.id_token, {
      issuer: this.issuer,
      clientId: this.config.appId,
      jwks: this.#jwks(discovery),
      nonce: pending.nonce,
      now: this.#now,
      clockToleranceSeconds: this.#tolerance(),
    });

    await this.clearAllTokens();
    await this.#storage.set(StorageKey.IdToken, tokens.id_token);
    if (tokens.refresh_token) await this.#storage.set(StorageKey.RefreshToken, tokens.refresh_token);
    await this.#cacheAccessToken(accessTokenKey(undefined, undefined), tokens);
    return pending.postRedirectUri === undefined ? {} : { postRedirectUri: pending.postRedirectUri };
  }

  /**
   * Signs the user out: revokes the refresh token (best effort; a failure does not keep the user
   * signed in), clears the local tokens and returns Logto's end-session URL to redirect to.
   *
   * @param postLogoutRedirectUri Where Logto sends the user afterwards; must be registered for the app.
   */
  async signOut(postLogoutRedirectUri?: string): Promise<string> {
    const discovery = await this.#discovery();
    const idToken = await this.#storage.get(StorageKey.IdToken);
    const refreshToken = await this.#storage.get(StorageKey.RefreshToken);
    await this.clearAllTokens();
    if (refreshToken && discovery.revocation_endpoint) {
      try {
        await revokeToken(
          discovery.revocation_endpoint,
          refreshToken,
          'refresh_token',
          this.#credentials,
          this.#endpointOptions(),
        );
      } catch {
        // The local session is gone either way; the token dies with the provider's session.
      }
    }
    if (!discovery.end_session_endpoint) {
      if (postLogoutRedirectUri) return postLogoutRedirectUri;
      throw new LogtoError('discovery_failed', 'The identity server advertises no end_session_endpoint.');
    }
    const url = new URL(discovery.end_session_endpoint);
    url.searchParams.set('client_id', this.config.appId);
    if (postLogoutRedirectUri) url.searchParams.set('post_logout_redirect_uri', postLogoutRedirectUri);
    if (idToken) url.searchParams.set('id_token_hint', idToken);
    return url.href;
  }

  /** True when the storage holds an ID token (the user completed a sign-in and has not signed out). */
  async isAuthenticated(): Promise<boolean> {
    return Boolean(await this.#storage.get(StorageKey.IdToken));
  }

  /** The raw ID token, or null when signed out. */
  async getIdToken(): Promise<string | null> {
    return (await this.#storage.get(StorageKey.IdToken)) ?? null;
  }

  /**
   * The claims of the stored ID token (verified when it was stored).
   *
   * @throws {LogtoError} `not_authenticated` when signed out.
   */
  async getIdTokenClaims(): Promise<IdTokenClaims> {
    const idToken = await this.#storage.get(StorageKey.IdToken);
    if (!idToken) throw notAuthenticated('There is no ID token: the user is not signed in.');
    return decodeJwt(idToken) as IdTokenClaims;
  }

  /** The refresh token, or null when there is none. */
  async getRefreshToken(): Promise<string | null> {
    return (await this.#storage.get(StorageKey.RefreshToken)) ?? null;
  }

  /**
   * Fetches the user's claims from the userinfo endpoint, including the userinfo-only ones
   * (`custom_data`, `identities`, `organization_data`). Its `sub` must equal the ID token's.
   *
   * @throws {LogtoError} `not_authenticated`, `userinfo_failed` or `userinfo_sub_mismatch`.
   */
  async fetchUserInfo(): Promise<UserInfoResponse> {
    const claims = await this.getIdTokenClaims();
    const discovery = await this.#discovery();
    const endpoint = discovery.userinfo_endpoint;
    if (!endpoint) {
      throw new LogtoError('userinfo_failed', 'The identity server advertises no userinfo_endpoint.');
    }
    const accessToken = await this.getAccessToken();
    let response = await this.#requestUserInfo(endpoint, accessToken);
    if (response.status === 401) {
      // The cached token was revoked or expired early at the provider: refresh it once and retry.
      await response.body?.cancel();
      const fresh = await this.#getAccessToken(undefined, undefined, accessToken);
      response = await this.#requestUserInfo(endpoint, fresh);
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok || !isJsonObject(body)) {
      const error = isJsonObject(body) && typeof body.error === 'string' ? body.error : undefined;
      throw new LogtoError('userinfo_failed', `The userinfo endpoint answered HTTP ${response.status}.`, {
        status: response.status,
        error,
      });
    }
    // OpenID Connect Core 1.0 §5.3.2: the userinfo `sub` must be the ID token's.
    if (body.sub !== claims.sub) {
      throw new LogtoError(
        'userinfo_sub_mismatch',
        `The userinfo response is about the subject ${JSON.stringify(body.sub)}, not the signed-in user "${claims.sub}".`,
      );
    }
    return body as UserInfoResponse;
  }

  /**
   * An access token: for an API `resource`, a JWT whose `aud` is the resource; without one, the
   * opaque token from the code exchange (good for userinfo only). Cached until shortly before it
   * expires; otherwise obtained with the refresh token (one request at a time per refresh token).
   *
   * @throws {LogtoError} `not_authenticated` when signed out or the refresh token was refused
   *   (the session is cleared), `token_request_failed` otherwise.
   */
  async getAccessToken(resource?: string): Promise<string> {
    return this.#getAccessToken(resource, undefined);
  }

  /**
   * The claims of {@link getAccessToken}'s JWT, decoded (not verified: the API verifies it).
   *
   * @throws {LogtoError} `invalid_config` without a resource (that token is opaque).
   */
  async getAccessTokenClaims(resource?: string): Promise<AccessTokenClaims> {
    return decodeAccessToken(await this.getAccessToken(resource));
  }

  /**
   * An organization token: `aud` is `urn:logto:organization:<organizationId>`, `scope` the user's
   * organization-role scopes there. Requires `UserScope.Organizations` in the configured scopes.
   *
   * @throws {LogtoError} `organization_access_denied` when the user is not a member;
   *   `invalid_config` when the organizations scope is not configured.
   */
  async getOrganizationToken(organizationId: string): Promise<string> {
    if (!requestedScopes(this.config.scopes).includes(UserScope.Organizations)) {
      throw new LogtoError(
        'invalid_config',
        'Organization tokens need the scope UserScope.Organizations ("urn:logto:scope:organizations") in the client configuration; add it and sign in again.',
      );
    }
    return this.#getAccessToken(undefined, organizationId);
  }

  /** The decoded claims of {@link getOrganizationToken}'s token. */
  async getOrganizationTokenClaims(organizationId: string): Promise<AccessTokenClaims> {
    return decodeAccessToken(await this.getOrganizationToken(organizationId));
  }

  /** Forgets the ID token, the refresh token and every cached access token (pending sign-ins stay). */
  async clearAllTokens(): Promise<void> {
    await this.#storage.delete(StorageKey.IdToken);
    await this.#storage.delete(StorageKey.RefreshToken);
    await this.#storage.delete(StorageKey.AccessTokens);
  }

  async #requestUserInfo(endpoint: string, accessToken: string): Promise<Response> {
    try {
      return await (this.#fetch ?? globalThis.fetch)(endpoint, {
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (cause) {
      throw new LogtoError('userinfo_failed', `The userinfo request failed: ${describeFetchError(cause)}.`, { cause });
    }
  }

  /**
   * The cached or refreshed token for (resource, organization). `rejected`: a token the resource
   * refused; it is not served from the cache again.
   */
  async #getAccessToken(
    resource: string | undefined,
    organizationId: string | undefined,
    rejected?: string,
  ): Promise<string> {
    const key = accessTokenKey(resource, organizationId);
    const cached = await this.#readCachedAccessToken(key);
    if (cached && cached !== rejected) return cached;

    for (;;) {
      const refreshToken = await this.#storage.get(StorageKey.RefreshToken);
      if (!refreshToken) {
        throw notAuthenticated(
          (await this.isAuthenticated())
            ? 'There is no refresh token to obtain an access token (was "offline_access" requested with prompt "consent"?).'
            : 'The user is not signed in.',
        );
      }
      const release = await this.#lock.acquire(await lockKey(refreshToken));
      try {
        // Another holder may have refreshed while this caller waited: re-read everything.
        const fresh = await this.#readCachedAccessToken(key);
        if (fresh && fresh !== rejected) return fresh;
        const current = await this.#storage.get(StorageKey.RefreshToken);
        if (current !== refreshToken) continue;
        return await this.#refresh(refreshToken, resource, organizationId, key);
      } finally {
        await release();
      }
    }
  }

  async #refresh(
    refreshToken: string,
    resource: string | undefined,
    organizationId: string | undefined,
    key: string,
  ): Promise<string> {
    const discovery = await this.#discovery();
    let tokens: TokenResponse;
    try {
      tokens = await requestToken(
        discovery.token_endpoint,
        { grant_type: 'refresh_token', refresh_token: refreshToken, resource, organization_id: organizationId },
        this.#credentials,
        this.#endpointOptions(),
      );
    } catch (error) {
      if (!(error instanceof LogtoError)) throw error;
      if (error.error === 'invalid_grant') {
        await this.clearAllTokens();
        throw new LogtoError(
          'not_authenticated',
          'The refresh token was refused (expired, revoked or already used); the session was cleared. Sign the user in again.',
          { error: error.error, errorDescription: error.errorDescription, status: error.status, cause: error },
        );
      }
      if (organizationId !== undefined && (error.error === 'access_denied' || error.error === 'insufficient_scope')) {
        throw new LogtoError(
          'organization_access_denied',
          error.error === 'insufficient_scope'
            ? `No token for organization "${organizationId}": the session lacks the organizations scope. Add UserScope.Organizations to the scopes and sign in again.`
            : `No token for organization "${organizationId}": the user is not a member of it.`,
          { error: error.error, errorDescription: error.errorDescription, status: error.status, cause: error },
        );
      }
      throw error;
    }

    if (tokens.id_token) {
      const previous = await this.getIdTokenClaims().catch(() => undefined);
      const claims = await verifyIdToken(tokens.id_token, {
        issuer: this.issuer,
        clientId: this.config.appId,
        jwks: this.#jwks(discovery),
        now: this.#now,
        clockToleranceSeconds: this.#tolerance(),
      });
      // OpenID Connect Core 1.0 §12.2: a refreshed ID token must be about the same user from the same issuer.
      if (previous && (claims.iss !== previous.iss || claims.sub !== previous.sub)) {
        await this.clearAllTokens();
        throw new LogtoError(
          'id_token_sub_changed',
          'The refreshed ID token is about another user or issuer than the session; the session was cleared. Sign the user in again.',
        );
      }
      await this.#storage.set(StorageKey.IdToken, tokens.id_token);
    }
    if (tokens.refresh_token) await this.#storage.set(StorageKey.RefreshToken, tokens.refresh_token);
    await this.#cacheAccessToken(key, tokens);
    return tokens.access_token;
  }

  async #readCachedAccessToken(key: string): Promise<string | undefined> {
    const cache = parseJson<AccessTokenCache>(await this.#storage.get(StorageKey.AccessTokens));
    const entry = cache?.[key];
    return entry && this.#now() < entry.expiresAt ? entry.token : undefined;
  }

  async #cacheAccessToken(key: string, tokens: TokenResponse): Promise<void> {
    const lifetime = tokens.expires_in ?? defaultShortLifetimeSeconds;
    const now = this.#now();
    const cache = parseJson<AccessTokenCache>(await this.#storage.get(StorageKey.AccessTokens)) ?? {};
    // Drop expired entries so the storage (often a cookie) does not grow without bound.
    for (const [name, entry] of Object.entries(cache)) if (entry.expiresAt <= now) delete cache[name];
    cache[key] = {
      token: tokens.access_token,
      scope: tokens.scope,
      expiresAt: now + (lifetime - expiryMarginSeconds(lifetime)) * 1000,
    };
    await this.#storage.set(StorageKey.AccessTokens, JSON.stringify(cache));
  }

  async #savePendingSignIn(signIn: PendingSignIn): Promise<void> {
    const now = this.#now();
    const index =
      parseJson<{ state: string; expiresAt: number }[]>(await this.#storage.get(StorageKey.SignInIndex)) ?? [];
    const live = index.filter((entry) => entry.expiresAt > now);
    const dropped = index.filter((entry) => entry.expiresAt <= now);
    live.push({ state: signIn.state, expiresAt: signIn.expiresAt });
    while (live.length > maxPendingSignIns) {
      const oldest = live.shift();
      if (oldest) dropped.push(oldest);
    }
    for (const entry of dropped) await this.#storage.delete(StorageKey.SignInPrefix + entry.state);
    await this.#storage.set(StorageKey.SignInPrefix + signIn.state, JSON.stringify(signIn));
    await this.#storage.set(StorageKey.SignInIndex, JSON.stringify(live));
  }

  /** Reads and deletes (single use) the pending sign-in of `state`; undefined when unknown or expired. */
  async #takePendingSignIn(state: string): Promise<PendingSignIn | undefined> {
    const key = StorageKey.SignInPrefix + state;
    const signIn = parseJson<PendingSignIn>(await this.#storage.get(key));
    await this.#storage.delete(key);
    const index = parseJson<{ state: string; expiresAt: number }[]>(await this.#storage.get(StorageKey.SignInIndex));
    if (index?.some((entry) => entry.state === state)) {
      await this.#storage.set(StorageKey.SignInIndex, JSON.stringify(index.filter((entry) => entry.state !== state)));
    }
    if (!signIn || signIn.state !== state || this.#now() >= signIn.expiresAt) return undefined;
    return signIn;
  }

  #discovery(): Promise<OidcDiscovery> {
    return getDiscovery(this.issuer, { fetch: this.#fetch, now: this.#now, timeoutMs: this.#timeoutMs });
  }

  #jwks(discovery: OidcDiscovery): JwksCache {
    return JwksCache.shared(discovery.jwks_uri, { fetch: this.#fetch, now: this.#now, timeoutMs: this.#timeoutMs });
  }

  #endpointOptions(): { fetch?: typeof fetch; timeoutMs: number } {
    return this.#fetch ? { fetch: this.#fetch, timeoutMs: this.#timeoutMs } : { timeoutMs: this.#timeoutMs };
  }

  #tolerance(): number {
    return this.config.clockToleranceSeconds ?? 60;
  }
}

/** A lock key for a refresh token: its SHA-256, so the token itself never reaches a lock backend. */
async function lockKey(refreshToken: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(refreshToken));
  return `logto-refresh:${base64url.encode(new Uint8Array(digest))}`;
}

function decodeAccessToken(token: string): AccessTokenClaims {
  try {
    return decodeJwt(token) as AccessTokenClaims;
  } catch (cause) {
    throw new LogtoError(
      'invalid_config',
      'This access token is opaque (not a JWT): ask for the claims of a token for an API resource, e.g. getAccessTokenClaims("https://shopping.your-app.com/api").',
      { cause },
    );
  }
}
