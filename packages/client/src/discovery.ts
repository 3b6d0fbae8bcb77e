import { LogtoError } from './errors.ts';
import { defaultTimeoutMs, describeFetchError, fetchJsonObject } from './fetch-json.ts';
import { discoveryEntries as entries, type RemoteCacheKey } from './process-caches.ts';

/** The OpenID Provider Metadata (OpenID Connect Discovery 1.0 §3) fields logto-kit uses. */
export interface OidcDiscovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
  end_session_endpoint?: string;
  revocation_endpoint?: string;
  introspection_endpoint?: string;
  /** RFC 9207: the provider adds `iss` to authorization responses. */
  authorization_response_iss_parameter_supported?: boolean;
  id_token_signing_alg_values_supported?: string[];
  [k: string]: unknown;
}

/** Options shared by the process-wide remote caches (discovery and JWKS). */
export interface RemoteCacheOptions {
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
  /** The clock, in milliseconds since the epoch (default `Date.now`). */
  now?: () => number;
  /** How long a fetched document is reused, in milliseconds (default 10 minutes). */
  ttlMs?: number;
  /** Abort a fetch after this many milliseconds (default 5000). */
  timeoutMs?: number;
}

/** The default time a discovery document or key set is reused. */
export const defaultTtlMs = 10 * 60 * 1000;

/** While the provider is unreachable, how long a stale document is served before the next attempt. */
const staleRetryMs = 30_000;

/** A cached discovery document, or the fetch under way. */
export interface DiscoveryEntry {
  document?: OidcDiscovery;
  fetchedAt: number;
  pending?: Promise<OidcDiscovery>;
}

/**
 * The provider's discovery document, from a process-wide cache per issuer URL and options (the
 * same `fetch` and `now` functions, TTL and timeout; defaults filled in): concurrent callers
 * share one request (single-flight), a document is reused for `ttlMs` (default 10 minutes), a
 * failure is never cached, and the document's `issuer` must equal `issuer` exactly. When a refetch
 * fails for lack of the provider, the last good document is served (retried every 30 s).
 *
 * @throws {LogtoError} `discovery_failed` when it cannot be fetched or is malformed;
 *   `discovery_issuer_mismatch` when it names another issuer.
 *
 * @example
 * ```ts
 * const discovery = await getDiscovery(issuerFromEndpoint('http://localhost:3001'));
 * discovery.jwks_uri; // 'http://localhost:3001/oidc/jwks'
 * ```
 */
export function getDiscovery(issuer: string, options: RemoteCacheOptions = {}): Promise<OidcDiscovery> {
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? defaultTtlMs;
  // Not user-specific: every per-request client with the same options shares it.
  const key: RemoteCacheKey = { fetch: options.fetch, now, ttlMs, timeoutMs: options.timeoutMs ?? defaultTimeoutMs };
  const entry = entries.get(issuer, key);
  if (entry?.pending) return entry.pending;
  if (entry?.document && now() - entry.fetchedAt < ttlMs) return Promise.resolve(entry.document);

  const stale = entry?.document;
  const pending = fetchDiscovery(issuer, key).then(
    (document) => {
      entries.set(issuer, key, { document, fetchedAt: now() });
      return document;
    },
    (error: unknown) => {
      if (stale && error instanceof LogtoError && error.code === 'discovery_failed') {
        // Stale-if-error: keep serving the last good document, and retry after a short pause
        // rather than on every call while the provider is down.
        entries.set(issuer, key, { document: stale, fetchedAt: now() - ttlMs + staleRetryMs });
        return stale;
      }
      // Otherwise a failure is never cached: the next caller retries.
      if (entries.get(issuer, key)?.pending === pending) entries.delete(issuer, key);
      throw error;
    },
  );
  entries.set(issuer, key, { ...entry, fetchedAt: entry?.fetchedAt ?? 0, pending });
  return pending;
}

/**
 * The issuer of a Logto endpoint: `${endpoint without trailing slash}/oidc`.
 *
 * @example
 * ```ts
 * issuerFromEndpoint('https://tenant.logto.app/'); // 'https://tenant.logto.app/oidc'
 * ```
 */
export function issuerFromEndpoint(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/oidc`;
}

const requiredEndpoints = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const;
const optionalEndpoints = [
  'userinfo_endpoint',
  'end_session_endpoint',
  'revocation_endpoint',
  'introspection_endpoint',
] as const;

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

async function fetchDiscovery(issuer: string, options: RemoteCacheOptions): Promise<OidcDiscovery> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let body: Record<string, unknown>;
  try {
    body = await fetchJsonObject(url, options);
  } catch (cause) {
    throw new LogtoError(
      'discovery_failed',
      `Could not load the OpenID configuration from ${url}: ${describeFetchError(cause)}. Check the Logto endpoint in your configuration and that the identity server is reachable.`,
      { cause },
    );
  }
  // OpenID Connect Discovery 1.0 §4.3: the issuer MUST be identical to the one used to fetch it.
  if (body.issuer !== issuer) {
    throw new LogtoError(
      'discovery_issuer_mismatch',
      `The OpenID configuration at ${url} names the issuer ${JSON.stringify(body.issuer)}, expected exactly "${issuer}". Check the Logto endpoint in your configuration (scheme, host, port, no extra path).`,
    );
  }
  for (const field of requiredEndpoints) {
    if (typeof body[field] !== 'string' || body[field] === '') {
      throw new LogtoError('discovery_failed', `The OpenID configuration at ${url} has no "${field}".`);
    }
  }
  for (const field of [...requiredEndpoints, ...optionalEndpoints]) {
    const value = body[field];
    if (value !== undefined && !isHttpUrl(value)) {
      throw new LogtoError(
        'discovery_failed',
        `The OpenID configuration at ${url} has a "${field}" that is not an http(s) URL: ${JSON.stringify(value)}.`,
      );
    }
  }
  if (
    body.id_token_signing_alg_values_supported !== undefined &&
    !(
      Array.isArray(body.id_token_signing_alg_values_supported) &&
      body.id_token_signing_alg_values_supported.every((alg) => typeof alg === 'string')
    )
  ) {
    throw new LogtoError(
      'discovery_failed',
      `The OpenID configuration at ${url} has a malformed "id_token_signing_alg_values_supported".`,
    );
  }
  return body as OidcDiscovery;
}
