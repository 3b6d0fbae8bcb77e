import { type Storage, StorageKey } from './storage.ts';
import { parseStoredJson } from './stored-json.ts';
import type { TokenResponse } from './token-endpoint.ts';

interface CachedAccessToken {
  token: string;
  scope?: string;
  expiresAt: number;
}

type AccessTokenMap = Record<string, CachedAccessToken>;

/** The lifetime assumed for an access token whose response has no `expires_in`. */
const assumedLifetimeSeconds = 60;

/** The safety margin before an access token's expiry: 60 s, or 10% of a short lifetime. */
export function expiryMarginSeconds(lifetimeSeconds: number): number {
  return Math.min(60, lifetimeSeconds * 0.1);
}

/**
 * The cache key of a token for a resource and/or organization (both absent: the opaque token),
 * narrowed to `scopes` (normalized: sorted, without duplicates) when given.
 */
export function accessTokenKey(
  resource: string | undefined,
  organizationId: string | undefined,
  scopes?: readonly string[],
): string {
  const key = `${resource ?? ''}#${organizationId ?? ''}`;
  return scopes ? `${key}#${scopes.join(' ')}` : key;
}

/** The cached token for `key`, unless it is past its expiry minus the safety margin. */
export async function readCachedAccessToken(storage: Storage, key: string, now: number): Promise<string | undefined> {
  const entry = parseStoredJson<AccessTokenMap>(await storage.get(StorageKey.AccessTokens))?.[key];
  return entry && now < entry.expiresAt ? entry.token : undefined;
}

/** Caches a token response's access token under `key`, dropping expired entries. */
export async function cacheAccessToken(
  storage: Storage,
  key: string,
  tokens: TokenResponse,
  now: number,
): Promise<void> {
  const lifetime = tokens.expires_in ?? assumedLifetimeSeconds;
  const map = parseStoredJson<AccessTokenMap>(await storage.get(StorageKey.AccessTokens)) ?? {};
  // Expired entries go, so the storage (often a cookie) does not grow without bound.
  for (const [name, entry] of Object.entries(map)) if (entry.expiresAt <= now) delete map[name];
  map[key] = {
    token: tokens.access_token,
    scope: tokens.scope,
    expiresAt: now + (lifetime - expiryMarginSeconds(lifetime)) * 1000,
  };
  await storage.set(StorageKey.AccessTokens, JSON.stringify(map));
}
