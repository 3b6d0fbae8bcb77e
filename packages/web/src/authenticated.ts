/**
 * What `authenticated()` decides for a request, independent of any web framework: the signed-in
 * user (and the tokens asked for), or how to refuse a signed-out one. Adapters only send it.
 */
import { type IdTokenClaims, type LogtoClient, LogtoError, type UserInfoResponse } from '@logto-kit/client';
import type { LogtoPaths } from './logto-core.ts';
import { isSessionStoreError } from './stores/session-store-error.ts';

/** The signed-in user: ID token claims, or the userinfo response with `fetchUserInfo`. */
export type LogtoUser = IdTokenClaims | UserInfoResponse;

/** Options of `authenticated()`, as the guide's decorator; the same in every adapter. */
export interface AuthenticatedOptions {
  /** Redirect a signed-out user to sign-in (and back here afterwards) instead of answering 401 JSON. */
  shouldRedirect?: boolean;
  /** Take the user from the userinfo endpoint (includes `custom_data`) instead of the ID token. */
  fetchUserInfo?: boolean;
  /** Also obtain an access token for this API resource. */
  resource?: string;
  /** Also obtain an organization token for this organization. */
  organizationId?: string;
}

/** The request as {@link decideAuthenticated} needs it. */
export interface AuthenticatedRequest {
  method: string;
  /** The path and query the user asked for (`/orders?id=1`), to come back to after sign-in. */
  url: string;
}

/** The outcome of {@link decideAuthenticated}. */
export type AuthenticatedDecision =
  | { kind: 'user'; user: LogtoUser; accessToken?: string; organizationToken?: string }
  /** Signed out, with `shouldRedirect`: answer 302 to `location`. */
  | { kind: 'redirect'; location: string }
  /** Signed out: answer 401 with `{"error":"Not authenticated"}`. */
  | { kind: 'unauthorized' }
  /** The session store or refresh lock is down: answer 503, an outage and not a sign-out. */
  | { kind: 'unavailable'; error: unknown };

/**
 * Decoded claims of recent ID tokens, keyed by the whole token: a signed-in user sends the same
 * token on every request. The token was verified when it was stored; this only skips decoding it
 * again. Each caller gets its own deep copy.
 */
const decodedClaims = new Map<string, IdTokenClaims>();
const decodedClaimsLimit = 1000;

async function idTokenClaims(client: LogtoClient): Promise<IdTokenClaims> {
  const idToken = await client.getIdToken();
  const known = idToken ? decodedClaims.get(idToken) : undefined;
  if (known) return copyOf(known);
  const claims = await client.getIdTokenClaims();
  if (idToken) {
    if (decodedClaims.size >= decodedClaimsLimit) decodedClaims.delete(decodedClaims.keys().next().value!);
    decodedClaims.set(idToken, claims);
  }
  return copyOf(claims);
}

/**
 * A deep copy of decoded JSON (claims hold arrays such as `roles` and `organizations`, and custom
 * objects), so that a handler that changes its `user` changes nothing for later requests. Several
 * times cheaper than `structuredClone`, which matters on every signed-in request.
 */
function copyOf<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyOf) as T;
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const name in copy) {
    const member = copy[name];
    // Defined, not assigned: a claim named `__proto__` stays a claim.
    if (typeof member === 'object' && member !== null) {
      Object.defineProperty(copy, name, {
        value: copyOf(member),
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
  }
  return copy as T;
}

/** Where a signed-out user is sent with `shouldRedirect`: sign-in, returning here after a GET or HEAD. */
export function signInRedirect(paths: LogtoPaths, request: AuthenticatedRequest): string {
  const isRead = request.method === 'GET' || request.method === 'HEAD';
  return isRead ? `${paths.signIn}?returnTo=${encodeURIComponent(request.url)}` : paths.signIn;
}

/**
 * Decides a protected request: the user's claims (and tokens) when signed in; otherwise a redirect
 * to sign-in or 401, or 503 when the session store is down. Any other failure is thrown.
 */
export async function decideAuthenticated(
  client: LogtoClient,
  options: AuthenticatedOptions,
  request: AuthenticatedRequest,
  paths: LogtoPaths,
): Promise<AuthenticatedDecision> {
  try {
    // Signed out: both calls throw `not_authenticated`.
    const user = options.fetchUserInfo ? await client.fetchUserInfo() : await idTokenClaims(client);
    const decision: AuthenticatedDecision = { kind: 'user', user };
    if (options.resource) decision.accessToken = await client.getAccessToken(options.resource);
    if (options.organizationId) decision.organizationToken = await client.getOrganizationToken(options.organizationId);
    return decision;
  } catch (error) {
    if (error instanceof LogtoError && error.code === 'not_authenticated') {
      return options.shouldRedirect
        ? { kind: 'redirect', location: signInRedirect(paths, request) }
        : { kind: 'unauthorized' };
    }
    if (isSessionStoreError(error)) return { kind: 'unavailable', error };
    throw error;
  }
}
