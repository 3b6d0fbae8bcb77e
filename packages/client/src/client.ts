import { base64url, decodeJwt } from 'jose';
import { accessTokenKey, cacheAccessToken, readCachedAccessToken } from './access-token-cache.ts';
import { buildAuthorizationUrl, checkExtraParams, type SignInOptions } from './authorization-url.ts';
import type { AccessTokenClaims, IdTokenClaims, UserInfoResponse } from './claims.ts';
import { type LogtoConfig, validateConfig } from './config.ts';
import { type GetContextParameters, getContext, type LogtoContext } from './context.ts';
import { getDiscovery, issuerFromEndpoint, type OidcDiscovery } from './discovery.ts';
import { LogtoError } from './errors.ts';
import { defaultTimeoutMs, describeFetchError, isJsonObject } from './fetch-json.ts';
import { verifyIdToken } from './id-token.ts';
import { JwksCache } from './jwks-cache.ts';
import { peekPendingSignIn, savePendingSignIn, signInLifetimeMs, takePendingSignIn } from './pending-sign-ins.ts';
import { codeChallengeS256, type RandomBytes, randomToken, webCryptoRandom } from './pkce.ts';
import { checkedConfigs } from './process-caches.ts';
import { providerDetailsOf, providerErrorDetails } from './provider-error.ts';
import { defaultRefreshLock, type RefreshLock } from './refresh-lock.ts';
import { requestedResources, requestedScopes, UserScope } from './scopes.ts';
import { MemoryStorage, type Storage, StorageKey } from './storage.ts';
import { type ClientCredentials, requestToken, revokeToken, type TokenResponse } from './token-endpoint.ts';
import { normalizeTokenScopes } from './token-scopes.ts';

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

/** Options of {@link LogtoClient.getAccessToken} beyond the resource. */
export interface AccessTokenOptions {
  /** The organization the token is for (with a resource: an `organization_id` claim). */
  organizationId?: string;
  /**
   * Narrow the token to these scopes (the refresh grant's `scope`); each must have been granted at
   * sign-in. Tokens are cached per set of scopes. Default: every scope granted for the resource.
   */
  scopes?: string[];
}

/** What {@link LogtoClient.handleSignInCallback} learned. */
export interface SignInCallbackResult {
  /** The `postRedirectUri` given to `signIn`, if any. */
  postRedirectUri?: string;
}

function notAuthenticated(detail: string, cause?: unknown): LogtoError {
  return new LogtoError('not_authenticated', `${detail} Sign the user in again.`, cause ? { cause } : {});
}

/** A configuration once checked, with what the check derived from it. */
export interface CheckedConfig {
  publicConfig: Readonly<Omit<LogtoConfig, 'appSecret'>>;
  issuer: string;
}

function checkConfig(config: LogtoConfig): CheckedConfig {
  validateConfig(config);
  const { appSecret: _secret, ...publicConfig } = config;
  const checked = { publicConfig: Object.freeze(publicConfig), issuer: issuerFromEndpoint(config.endpoint) };
  if (isFrozenConfig(config)) checkedConfigs.set(config, checked);
  return checked;
}

function isFrozenConfig(config: LogtoConfig): boolean {
  return (
    Object.values(config).every((value) => typeof value !== 'object' || value === null || Object.isFrozen(value)) &&
    Object.isFrozen(config)
  );
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
  /** The configuration this client was created with, without the secret (so logging the client leaks nothing). */
  readonly config: Readonly<Omit<LogtoConfig, 'appSecret'>>;
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
    const checked = checkedConfigs.get(config) ?? checkConfig(config);
    this.config = checked.publicConfig;
    this.issuer = checked.issuer;
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
    checkExtraParams(signIn.extraParams);
    const discovery = await this.#discovery();
    const state = randomToken(this.#random);
    const nonce = randomToken(this.#random);
    const codeVerifier = randomToken(this.#random);
    const scopes = requestedScopes(this.config.scopes, this.config.includeReservedScopes ?? true);
    const url = buildAuthorizationUrl({
      ...signIn,
      authorizationEndpoint: discovery.authorization_endpoint,
      clientId: this.config.appId,
      scopes,
      resources: requestedResources(this.config.resources, scopes),
      prompt: signIn.prompt ?? this.config.prompt ?? 'consent',
      state,
      nonce,
      codeChallenge: await codeChallengeS256(codeVerifier),
    });
    await savePendingSignIn(
      this.#storage,
      {
        state,
        nonce,
        codeVerifier,
        redirectUri: signIn.redirectUri,
        postRedirectUri: signIn.postRedirectUri,
        expiresAt: this.#now() + signInLifetimeMs,
      },
      this.#now(),
    );
    if (signIn.clearTokens === true) await this.clearAllTokens();
    return url;
  }

  /**
   * True when `url` is the callback of a sign-in in progress in this storage: its `state` names an
   * unexpired pending sign-in and it arrived at that sign-in's redirect URI. Consumes nothing, so
   * {@link handleSignInCallback} can follow.
   *
   * @param url The full URL of the current request.
   */
  async isSignInRedirected(url: string): Promise<boolean> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    const pending = await peekPendingSignIn(this.#storage, parsed.searchParams.get('state'), this.#now());
    if (!pending) return false;
    const expected = new URL(pending.redirectUri);
    return parsed.origin === expected.origin && parsed.pathname === expected.pathname;
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
    const pending = await takePendingSignIn(this.#storage, params.get('state'), this.#now());
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
    await cacheAccessToken(this.#storage, accessTokenKey(undefined, undefined), tokens, this.#now());
    return pending.postRedirectUri === undefined ? {} : { postRedirectUri: pending.postRedirectUri };
  }

  /**
   * Signs the user out: revokes the refresh token (best effort; a failure does not keep the user
   * signed in), clears the local tokens and returns Logto's end-session URL to redirect to.
   *
   * @param postLogoutRedirectUri Where Logto sends the user afterwards; must be registered for the app.
   */
  async signOut(postLogoutRedirectUri?: string): Promise<string> {
    const refreshToken = await this.#storage.get(StorageKey.RefreshToken);
    // Local sign-out first: it must succeed even while the identity server is unreachable.
    await this.clearAllTokens();
    let discovery: OidcDiscovery | undefined;
    try {
      discovery = await this.#discovery();
    } catch {
      discovery = undefined;
    }
    if (refreshToken && discovery?.revocation_endpoint) {
      try {
        await revokeToken(
          discovery.revocation_endpoint,
          refreshToken,
          'refresh_token',
          this.#credentials,
          this.#endpointOptions(),
        );
      } catch {
        // Best effort: the grant still ends with the provider's session on the end-session page.
      }
    }
    // Without discovery, Logto's end-session path (`<issuer>/session/end`) is known.
    const endSession = discovery ? discovery.end_session_endpoint : `${this.issuer}/session/end`;
    if (!endSession) {
      if (postLogoutRedirectUri) return postLogoutRedirectUri;
      throw new LogtoError('discovery_failed', 'The identity server advertises no end_session_endpoint.');
    }
    // No `id_token_hint`: the ID token would land in browser history and access logs. Logto (like
    // RP-Initiated Logout 1.0 with `client_id`) identifies the app and checks the target without it.
    const url = new URL(endSession);
    url.searchParams.set('client_id', this.config.appId);
    if (postLogoutRedirectUri) url.searchParams.set('post_logout_redirect_uri', postLogoutRedirectUri);
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
    try {
      return decodeJwt(idToken) as IdTokenClaims;
    } catch (cause) {
      throw notAuthenticated('The stored ID token is unreadable (the session storage was altered).', cause);
    }
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
      const fresh = await this.#getAccessToken(undefined, undefined, undefined, accessToken);
      response = await this.#requestUserInfo(endpoint, fresh);
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok || !isJsonObject(body)) {
      throw new LogtoError('userinfo_failed', `The userinfo endpoint answered HTTP ${response.status}.`, {
        status: response.status,
        ...(response.ok ? {} : providerErrorDetails(body)),
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
   * opaque token from the code exchange (good for userinfo only). With an `organizationId` too, the
   * resource token carries that organization (`organization_id` claim); with `scopes`, it is narrowed
   * to them. Cached until shortly before it expires; otherwise obtained with the refresh token (one
   * request at a time per refresh token).
   *
   * @param options The organization id (as in the official SDKs), or {@link AccessTokenOptions}.
   * @example
   * ```ts
   * const token = await client.getAccessToken('https://shopping.your-app.com/api', { scopes: ['shopping:read'] });
   * ```
   * @throws {LogtoError} `not_authenticated` when signed out or the refresh token was refused
   *   (the session is cleared), `organization_access_denied`, `invalid_config` for malformed
   *   scopes or scopes without a resource, `token_request_failed` otherwise (`invalid_scope` when a
   *   scope was not granted at sign-in).
   */
  async getAccessToken(resource?: string, options?: string | AccessTokenOptions): Promise<string> {
    const { organizationId, scopes } = typeof options === 'string' ? { organizationId: options } : (options ?? {});
    if (organizationId !== undefined) this.#requireOrganizationsScope();
    const narrowed = normalizeTokenScopes(scopes);
    if (narrowed && resource === undefined && organizationId === undefined) {
      throw new LogtoError(
        'invalid_config',
        'Scopes narrow a token for an API resource or an organization: name the resource, e.g. getAccessToken("https://shopping.your-app.com/api", { scopes }).',
      );
    }
    return this.#getAccessToken(resource, organizationId, narrowed);
  }

  /**
   * The claims of {@link getAccessToken}'s JWT, decoded (not verified: the API verifies it).
   *
   * @throws {LogtoError} `invalid_config` without a resource (that token is opaque).
   */
  async getAccessTokenClaims(resource?: string, options?: string | AccessTokenOptions): Promise<AccessTokenClaims> {
    return decodeAccessToken(await this.getAccessToken(resource, options));
  }

  /**
   * An organization token: `aud` is `urn:logto:organization:<organizationId>`, `scope` the user's
   * organization-role scopes there. Requires `UserScope.Organizations` in the configured scopes.
   *
   * @throws {LogtoError} `organization_access_denied` when the user is not a member;
   *   `invalid_config` when the organizations scope is not configured.
   */
  async getOrganizationToken(
    organizationId: string,
    options: Pick<AccessTokenOptions, 'scopes'> = {},
  ): Promise<string> {
    this.#requireOrganizationsScope();
    return this.#getAccessToken(undefined, organizationId, normalizeTokenScopes(options.scopes));
  }

  /** The decoded claims of {@link getOrganizationToken}'s token. */
  async getOrganizationTokenClaims(
    organizationId: string,
    options: Pick<AccessTokenOptions, 'scopes'> = {},
  ): Promise<AccessTokenClaims> {
    return decodeAccessToken(await this.getOrganizationToken(organizationId, options));
  }

  /**
   * Everything a request handler usually needs about the user, in one call: the ID token claims and,
   * on request, userinfo, access tokens for one or several resources and a token for every
   * organization of the user. See {@link GetContextParameters} for how it differs from
   * `@logto/node`'s `getContext`.
   *
   * @example
   * ```ts
   * const context = await client.getContext({ resources: ['https://shopping.your-app.com/api'], getOrganizationToken: true });
   * if (!context.isAuthenticated) return res.redirect('/sign-in');
   * context.accessTokens?.['https://shopping.your-app.com/api'];
   * ```
   * @throws {LogtoError} Any failure other than the session ending (e.g. the identity server is
   *   unreachable, `organization_access_denied`); a session that ends answers `{ isAuthenticated: false }`.
   */
  async getContext(parameters: GetContextParameters = {}): Promise<LogtoContext> {
    return getContext(this, parameters);
  }

  /** Forgets every cached access token (the ID and refresh tokens stay, so new ones can be obtained). */
  async clearAccessToken(): Promise<void> {
    await this.#storage.delete(StorageKey.AccessTokens);
  }

  /** Forgets the ID token, the refresh token and every cached access token (pending sign-ins stay). */
  async clearAllTokens(): Promise<void> {
    await this.#storage.delete(StorageKey.IdToken);
    await this.#storage.delete(StorageKey.RefreshToken);
    await this.#storage.delete(StorageKey.AccessTokens);
  }

  #requireOrganizationsScope(): void {
    if (!requestedScopes(this.config.scopes).includes(UserScope.Organizations)) {
      throw new LogtoError(
        'invalid_config',
        'Organization tokens need the scope UserScope.Organizations ("urn:logto:scope:organizations") in the client configuration; add it and sign in again.',
      );
    }
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
    scopes: string[] | undefined,
    rejected?: string,
  ): Promise<string> {
    const key = accessTokenKey(resource, organizationId, scopes);
    const cached = await readCachedAccessToken(this.#storage, key, this.#now());
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
        const fresh = await readCachedAccessToken(this.#storage, key, this.#now());
        if (fresh && fresh !== rejected) return fresh;
        const current = await this.#storage.get(StorageKey.RefreshToken);
        if (current !== refreshToken) continue;
        return await this.#refresh(refreshToken, { resource, organizationId, scopes }, key);
      } finally {
        await release();
      }
    }
  }

  async #refresh(
    refreshToken: string,
    { resource, organizationId, scopes }: { resource?: string; organizationId?: string; scopes?: string[] },
    key: string,
  ): Promise<string> {
    const discovery = await this.#discovery();
    let tokens: TokenResponse;
    try {
      tokens = await requestToken(
        discovery.token_endpoint,
        {
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          resource,
          organization_id: organizationId,
          scope: scopes?.join(' '),
        },
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
          { ...providerDetailsOf(error), cause: error },
        );
      }
      if (organizationId !== undefined && (error.error === 'access_denied' || error.error === 'insufficient_scope')) {
        throw new LogtoError(
          'organization_access_denied',
          error.error === 'insufficient_scope'
            ? `No token for organization "${organizationId}": the session lacks the organizations scope. Add UserScope.Organizations to the scopes and sign in again.`
            : `No token for organization "${organizationId}": the user is not a member of it.`,
          { ...providerDetailsOf(error), cause: error },
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
    await cacheAccessToken(this.#storage, key, tokens, this.#now());
    return tokens.access_token;
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
