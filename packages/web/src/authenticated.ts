/**
 * What `authenticated()` decides for a request, independent of any web framework: the signed-in
 * user (and the tokens asked for) with the headers to add, or the answer to send instead.
 * Adapters only apply it.
 */
import { type IdTokenClaims, LogtoError, StorageKey, type UserInfoResponse } from '@logto-kit/client';
import { decodeJwt } from 'jose';
import {
  notAuthenticatedAnswer,
  type PlainAnswer,
  privateCacheHeaders,
  redirectAnswer,
  sessionUnavailableAnswer,
} from './answers.ts';
import { decodedIdTokens } from './caches.ts';
import type { LogtoPaths } from './logto-paths.ts';
import type { LogtoRequestContext } from './request-context.ts';
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

/** The request as {@link signInRedirect} needs it. */
export interface AuthenticatedRequest {
  method: string;
  /** The path and query the user asked for (`/orders?id=1`), to come back to after sign-in. */
  url: string;
}

/**
 * The outcome of {@link decideAuthenticated}: a signed-in user, to let through with `headers` set
 * on the response (the handler may add to `Vary`; see `varyByCookie`), or the answer to send
 * instead — a redirect to sign-in (signed out, `shouldRedirect`), 401 (signed out) or 503 (the
 * session store or refresh lock is down: an outage, not a sign-out).
 */
export type AuthenticatedDecision =
  | {
      kind: 'user';
      /** The user's own copy: a handler may change it. */
      user: LogtoUser;
      accessToken?: string;
      organizationToken?: string;
      /** `privateCacheHeaders`: the response is personal. */
      headers: typeof privateCacheHeaders;
    }
  | { kind: 'answer'; answer: PlainAnswer };

/**
 * A deep copy of decoded JSON (claims hold arrays such as `roles` and `organizations`, and custom
 * objects), so that a handler that changes its `user` changes nothing for later requests.
 */
function copyOf<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyOf) as T;
  // Spread defines every claim as an own property, so assigning below replaces that property,
  // even for a claim named `__proto__` (it stays a claim, never the prototype).
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const name in copy) {
    const member = copy[name];
    if (typeof member === 'object' && member !== null) copy[name] = copyOf(member);
  }
  return copy as T;
}

/** The claims of a stored ID token (verified when it was stored), decoded once per token. */
function claimsOf(idToken: string): IdTokenClaims | undefined {
  const known = decodedIdTokens.get(idToken);
  if (known) return copyOf(known);
  let claims: IdTokenClaims;
  try {
    claims = decodeJwt(idToken) as IdTokenClaims;
  } catch {
    // Unreadable: the session storage was altered. Signed out, as `LogtoClient` would have it.
    return undefined;
  }
  decodedIdTokens.set(idToken, claims);
  return copyOf(claims);
}

/** Where a signed-out user is sent with `shouldRedirect`: sign-in, returning here after a GET or HEAD. */
export function signInRedirect(paths: LogtoPaths, request: AuthenticatedRequest): string {
  const isRead = request.method === 'GET' || request.method === 'HEAD';
  return isRead ? `${paths.signIn}?returnTo=${encodeURIComponent(request.url)}` : paths.signIn;
}

function signedOut(context: LogtoRequestContext, options: AuthenticatedOptions): AuthenticatedDecision {
  const { request } = context;
  if (!options.shouldRedirect) return { kind: 'answer', answer: notAuthenticatedAnswer() };
  const location = signInRedirect(context.paths, { method: request.method, url: `${request.path}${request.query}` });
  return { kind: 'answer', answer: redirectAnswer(location) };
}

function failed(context: LogtoRequestContext, options: AuthenticatedOptions, error: unknown): AuthenticatedDecision {
  if (error instanceof LogtoError && error.code === 'not_authenticated') return signedOut(context, options);
  if (isSessionStoreError(error)) {
    return { kind: 'answer', answer: sessionUnavailableAnswer(context.request.header('accept')) };
  }
  throw error;
}

/**
 * Decides a protected request: the user's claims (and tokens) when signed in; otherwise a redirect
 * to sign-in or 401, or 503 when the session store is down. Any other failure is thrown (or
 * rejected). At once, without a promise, for a signed-in user when only the ID token's claims are
 * asked for (the usual request).
 */
export function decideAuthenticated(
  context: LogtoRequestContext,
  options: AuthenticatedOptions = {},
): AuthenticatedDecision | Promise<AuthenticatedDecision> {
  if (options.fetchUserInfo || options.resource || options.organizationId) {
    return decideWithClient(context, options).catch((error: unknown) => failed(context, options, error));
  }
  const idToken = context.session.get(StorageKey.IdToken);
  const user = idToken ? claimsOf(idToken) : undefined;
  if (!user) return signedOut(context, options);
  return { kind: 'user', user, headers: privateCacheHeaders };
}

async function decideWithClient(
  context: LogtoRequestContext,
  options: AuthenticatedOptions,
): Promise<AuthenticatedDecision> {
  const { client } = context;
  let user: LogtoUser;
  if (options.fetchUserInfo) {
    user = await client.fetchUserInfo();
  } else {
    const idToken = context.session.get(StorageKey.IdToken);
    const claims = idToken ? claimsOf(idToken) : undefined;
    if (!claims) return signedOut(context, options);
    user = claims;
  }
  const decision: AuthenticatedDecision = { kind: 'user', user, headers: privateCacheHeaders };
  if (options.resource) decision.accessToken = await client.getAccessToken(options.resource);
  if (options.organizationId) decision.organizationToken = await client.getOrganizationToken(options.organizationId);
  return decision;
}
