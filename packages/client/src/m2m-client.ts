import { base64url } from 'jose';
import { expiryMarginSeconds } from './access-token-cache.ts';
import { type LogtoConfig, validateConfig } from './config.ts';
import { getDiscovery, issuerFromEndpoint } from './discovery.ts';
import { LogtoError } from './errors.ts';
import { defaultTimeoutMs, isJsonObject } from './fetch-json.ts';
import { providerDetailsOf } from './provider-error.ts';
import type { RefreshLock } from './refresh-lock.ts';
import type { Storage } from './storage.ts';
import { type ClientCredentials, requestToken } from './token-endpoint.ts';
import { normalizeTokenScopes } from './token-scopes.ts';

/** The configuration of an {@link M2mClient}: a machine-to-machine app's values from Logto Console. */
export interface M2mConfig {
  /** The Logto endpoint, e.g. `https://your-tenant.logto.app`; the issuer is `<endpoint>/oidc`. */
  endpoint: string;
  /** The machine-to-machine application's id. */
  appId: string;
  /** The machine-to-machine application's secret. */
  appSecret: string;
}

/** Injected dependencies of an {@link M2mClient}. */
export interface M2mClientOptions {
  /** The `fetch` to reach the identity server (default: the global one). */
  fetch?: typeof fetch;
  /** The clock, in milliseconds since the epoch (default `Date.now`). */
  now?: () => number;
  /** Bound on each request to the identity server, in milliseconds (default 5000). */
  timeoutMs?: number;
  /**
   * A store shared by several instances (e.g. Redis behind the {@link Storage} interface), so that
   * they reuse each other's tokens. It holds bearer tokens: keep it as private as the app secret.
   * Default: none (each instance caches in memory).
   */
  store?: Storage;
  /**
   * With a `store`: serializes token requests across instances, so that one of them asks while the
   * others wait and then read its token from the store. Default: none (each instance asks once).
   */
  lock?: RefreshLock;
}

/** What a machine-to-machine token is for. Logto needs a `resource`, an `organizationId`, or both. */
export interface M2mTokenRequest {
  /** The API resource indicator, e.g. `https://shopping.your-app.com/api` (the token's `aud`). */
  resource?: string;
  /** The organization: alone, an organization token (`aud` `urn:logto:organization:<id>`). */
  organizationId?: string;
  /** The scopes to ask for; Logto grants those the app's roles have and drops the others. */
  scopes?: string[];
}

/** Options of {@link M2mClient.getAccessToken}. */
export interface M2mAccessTokenOptions {
  /** A token the API refused (e.g. answered 401): it is not served from a cache again. */
  rejected?: string;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** At most this many tokens are kept in memory per client (expired, then oldest ones go first). */
const maxCachedTokens = 1000;
/** The lifetime assumed for a token whose response has no `expires_in`. */
const assumedLifetimeSeconds = 60;

/**
 * Machine-to-machine tokens (OAuth 2.0 `client_credentials`) for a Logto M2M app: an API calling
 * another API, or Logto's Management API. Tokens are cached per (resource, organization, scopes)
 * until shortly before they expire, and any number of concurrent callers share one token request.
 * Create one per app and reuse it.
 *
 * @example
 * ```ts
 * const m2m = new M2mClient({ endpoint: 'http://localhost:3001', appId: 'sample-m2m', appSecret: 'sample-m2m-secret' });
 * const token = await m2m.getAccessToken({ resource: 'https://shopping.your-app.com/api', scopes: ['shopping:read'] });
 * await fetch('http://localhost:3002/api/products', { headers: { authorization: `Bearer ${token}` } });
 * ```
 */
export class M2mClient {
  /** The configuration without the secret. */
  readonly config: Readonly<Omit<M2mConfig, 'appSecret'>>;
  /** The issuer, `<endpoint>/oidc`. */
  readonly issuer: string;
  readonly #credentials: ClientCredentials;
  readonly #fetch: typeof fetch | undefined;
  readonly #now: () => number;
  readonly #timeoutMs: number;
  readonly #store: Storage | undefined;
  readonly #lock: RefreshLock | undefined;
  readonly #cache = new Map<string, CachedToken>();
  readonly #inFlight = new Map<string, Promise<string>>();

  /** @throws {LogtoError} `invalid_config` for a malformed endpoint or a missing id or secret. */
  constructor(config: M2mConfig, options: M2mClientOptions = {}) {
    validateConfig(config satisfies LogtoConfig);
    if (options.lock && !options.store) {
      throw new LogtoError(
        'invalid_config',
        'An M2mClient lock coordinates instances through a shared store: pass `store` too, or leave out `lock`.',
      );
    }
    const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new LogtoError('invalid_config', 'timeoutMs must be a positive number of milliseconds.');
    }
    this.config = Object.freeze({ endpoint: config.endpoint, appId: config.appId });
    this.issuer = issuerFromEndpoint(config.endpoint);
    this.#credentials = { clientId: config.appId, clientSecret: config.appSecret };
    this.#fetch = options.fetch;
    this.#now = options.now ?? Date.now;
    this.#timeoutMs = timeoutMs;
    this.#store = options.store;
    this.#lock = options.lock;
  }

  /**
   * An access token for `request`, from the cache while it is valid (until 60 s, or 10% of a short
   * lifetime, before it expires), otherwise from the token endpoint: one request however many
   * callers ask at once.
   *
   * @throws {LogtoError} `invalid_config` for a request without resource and organization, or with a
   *   malformed resource or scope; `organization_access_denied` when the app is not a member of the
   *   organization; `discovery_failed`; `token_request_failed` otherwise, with the provider's `error`
   *   (`invalid_client`: wrong id or secret; `invalid_target`: unknown resource) and `logtoCode`.
   */
  async getAccessToken(request: M2mTokenRequest, options: M2mAccessTokenOptions = {}): Promise<string> {
    const normalized = normalizeRequest(request);
    const key = JSON.stringify([
      normalized.resource ?? null,
      normalized.organizationId ?? null,
      normalized.scopes ?? null,
    ]);
    const { rejected } = options;
    const cached = this.#cache.get(key);
    if (cached && this.#now() < cached.expiresAt && cached.token !== rejected) return cached.token;

    // A shared flight may yield the rejected token from the store: then one more, of this caller's own.
    for (let attempt = 0; ; attempt += 1) {
      let flight = this.#inFlight.get(key);
      if (!flight) {
        flight = this.#obtain(key, normalized, rejected).finally(() => this.#inFlight.delete(key));
        this.#inFlight.set(key, flight);
      }
      const token = await flight;
      if (token !== rejected || attempt > 0) return token;
    }
  }

  /** Forgets the tokens cached in memory (a shared `store` keeps its own until they expire). */
  clearCache(): void {
    this.#cache.clear();
  }

  async #obtain(key: string, request: NormalizedRequest, rejected: string | undefined): Promise<string> {
    const store = this.#store;
    if (!store) return this.#remember(key, await this.#request(request));
    const storeKey = await sharedKey(this.issuer, this.config.appId, key);
    const shared = await this.#readStore(store, storeKey, rejected);
    if (shared) return this.#remember(key, shared);
    const release = this.#lock ? await this.#lock.acquire(`logto-m2m:${storeKey}`) : undefined;
    try {
      // Another instance may have obtained a token while this one waited for the lock.
      const fresh = release ? await this.#readStore(store, storeKey, rejected) : undefined;
      if (fresh) return this.#remember(key, fresh);
      const obtained = await this.#request(request);
      await store.set(`logto.m2m.${storeKey}`, JSON.stringify(obtained));
      return this.#remember(key, obtained);
    } finally {
      await release?.();
    }
  }

  async #readStore(store: Storage, storeKey: string, rejected: string | undefined): Promise<CachedToken | undefined> {
    const value = await store.get(`logto.m2m.${storeKey}`);
    let entry: unknown;
    try {
      entry = value ? JSON.parse(value) : undefined;
    } catch {
      return undefined;
    }
    if (!isJsonObject(entry) || typeof entry.token !== 'string' || typeof entry.expiresAt !== 'number') {
      return undefined;
    }
    if (this.#now() >= entry.expiresAt || entry.token === rejected) return undefined;
    return { token: entry.token, expiresAt: entry.expiresAt };
  }

  #remember(key: string, entry: CachedToken): string {
    this.#cache.delete(key);
    this.#cache.set(key, entry);
    if (this.#cache.size > maxCachedTokens) {
      const now = this.#now();
      for (const [name, cached] of this.#cache) if (cached.expiresAt <= now) this.#cache.delete(name);
      for (const name of this.#cache.keys()) {
        if (this.#cache.size <= maxCachedTokens) break;
        this.#cache.delete(name);
      }
    }
    return entry.token;
  }

  async #request(request: NormalizedRequest): Promise<CachedToken> {
    const discovery = await getDiscovery(this.issuer, {
      fetch: this.#fetch,
      now: this.#now,
      timeoutMs: this.#timeoutMs,
    });
    const requestedAt = this.#now();
    try {
      const tokens = await requestToken(
        discovery.token_endpoint,
        {
          grant_type: 'client_credentials',
          resource: request.resource,
          organization_id: request.organizationId,
          scope: request.scopes?.join(' '),
        },
        this.#credentials,
        this.#fetch ? { fetch: this.#fetch, timeoutMs: this.#timeoutMs } : { timeoutMs: this.#timeoutMs },
      );
      const lifetime = tokens.expires_in ?? assumedLifetimeSeconds;
      return {
        token: tokens.access_token,
        expiresAt: requestedAt + (lifetime - expiryMarginSeconds(lifetime)) * 1000,
      };
    } catch (error) {
      throw error instanceof LogtoError ? explain(error, request, this.config.appId) : error;
    }
  }
}

interface NormalizedRequest {
  resource?: string;
  organizationId?: string;
  scopes?: string[];
}

function normalizeRequest(request: M2mTokenRequest): NormalizedRequest {
  const { resource, organizationId, scopes } = request ?? {};
  if (resource === undefined && organizationId === undefined) {
    throw new LogtoError(
      'invalid_config',
      'A machine-to-machine token is for an API resource or an organization: give `resource` (e.g. "https://shopping.your-app.com/api"), `organizationId`, or both.',
    );
  }
  if (resource !== undefined && !isResourceIndicator(resource)) {
    throw new LogtoError(
      'invalid_config',
      `${JSON.stringify(resource)} is not a resource indicator: use the API identifier from Logto Console, an absolute URI without a fragment (RFC 8707).`,
    );
  }
  if (organizationId !== undefined && (typeof organizationId !== 'string' || organizationId === '')) {
    throw new LogtoError('invalid_config', 'organizationId must be a non-empty string.');
  }
  const normalized: NormalizedRequest = {};
  if (resource !== undefined) normalized.resource = resource;
  if (organizationId !== undefined) normalized.organizationId = organizationId;
  const normalizedScopes = normalizeTokenScopes(scopes);
  if (normalizedScopes) normalized.scopes = normalizedScopes;
  return normalized;
}

/** RFC 8707 §2: an absolute URI without a fragment. */
function isResourceIndicator(value: unknown): boolean {
  if (typeof value !== 'string' || value.includes('#')) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * The key of a token in a shared store: a SHA-256 of (issuer, app, resource, organization, scopes),
 * so that apps sharing a store never read each other's tokens and keys have one length.
 */
async function sharedKey(issuer: string, appId: string, key: string): Promise<string> {
  const identity = JSON.stringify([issuer, appId, key]);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(identity));
  return base64url.encode(new Uint8Array(digest));
}

/** A refused `client_credentials` request, with what to do about it. */
function explain(error: LogtoError, request: NormalizedRequest, appId: string): LogtoError {
  const details = { ...providerDetailsOf(error), cause: error };
  switch (error.error) {
    case 'invalid_client':
      return new LogtoError(
        'token_request_failed',
        `Logto refused the credentials of the app "${appId}" (invalid_client): check its id and secret, and that it is a machine-to-machine app.`,
        details,
      );
    case 'invalid_target':
      return new LogtoError(
        'token_request_failed',
        `Logto knows no API resource ${JSON.stringify(request.resource ?? '')} (invalid_target): use the API identifier from Logto Console → API resources.`,
        details,
      );
    case 'access_denied':
      if (request.organizationId === undefined) return error;
      return new LogtoError(
        'organization_access_denied',
        `The app "${appId}" is not a member of the organization "${request.organizationId}": add it to the organization in Logto Console.`,
        details,
      );
    default:
      return error;
  }
}
