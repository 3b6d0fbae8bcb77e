import { type IdTokenClaims, type LogtoClient, LogtoError } from '@logto-kit/client';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type LogtoUser, requestContext } from './express-request.ts';
import { sendSessionUnavailable } from './session-unavailable.ts';
import { isSessionStoreError } from './stores/session-store-error.ts';

/**
 * Decoded claims of recent ID tokens, keyed by the whole token: a signed-in user sends the same
 * token on every request. The token was verified when it was stored; this only skips decoding it
 * again. Each caller gets its own copy.
 */
const decodedClaims = new Map<string, IdTokenClaims>();
const decodedClaimsLimit = 1000;

async function idTokenClaims(client: LogtoClient): Promise<IdTokenClaims> {
  const idToken = await client.getIdToken();
  const known = idToken ? decodedClaims.get(idToken) : undefined;
  if (known) return { ...known };
  const claims = await client.getIdTokenClaims();
  if (idToken) {
    if (decodedClaims.size >= decodedClaimsLimit) decodedClaims.delete(decodedClaims.keys().next().value!);
    decodedClaims.set(idToken, claims);
  }
  return { ...claims };
}

/** Options of {@link authenticated}, as the guide's decorator. */
export interface AuthenticatedOptions {
  /** Redirect a signed-out user to sign-in (and back here afterwards) instead of answering 401 JSON. */
  shouldRedirect?: boolean;
  /** Set `req.user` from the userinfo endpoint (includes `custom_data`) instead of the ID token. */
  fetchUserInfo?: boolean;
  /** Also obtain an access token for this API resource, as `req.accessToken`. */
  resource?: string;
  /** Also obtain an organization token for this organization, as `req.organizationToken`. */
  organizationId?: string;
}

/**
 * Protects a route, as the guide's `@authenticated` decorator: a signed-out user gets 401
 * `{"error":"Not authenticated"}`, or with `shouldRedirect` a redirect to sign-in that returns
 * here. A signed-in user's claims are on `req.user`. Needs the Logto middleware before it.
 */
export function authenticated(options: AuthenticatedOptions = {}): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const client = req.logto;
    const context = requestContext(req);
    if (!client || !context) {
      next(new Error('authenticated() needs the Logto middleware first: app.use(createLogto({ ... })).'));
      return;
    }
    const deny = () => {
      if (options.shouldRedirect) {
        const isRead = req.method === 'GET' || req.method === 'HEAD';
        const target = isRead
          ? `${context.paths.signIn}?returnTo=${encodeURIComponent(req.originalUrl)}`
          : context.paths.signIn;
        res.redirect(302, target);
      } else {
        res.status(401).json({ error: 'Not authenticated' });
      }
    };
    try {
      // Signed out: both calls throw `not_authenticated`, answered by `deny()` below.
      const user = options.fetchUserInfo ? await client.fetchUserInfo() : await idTokenClaims(client);
      // Written without relying on the type of `req.user`: other libraries (e.g. @logto/node) declare it differently.
      (req as unknown as { user: LogtoUser }).user = user;
      if (options.resource) req.accessToken = await client.getAccessToken(options.resource);
      if (options.organizationId) req.organizationToken = await client.getOrganizationToken(options.organizationId);
      next();
    } catch (error) {
      if (error instanceof LogtoError && error.code === 'not_authenticated') deny();
      // The shared store or refresh lock is down: an outage, not a sign-out.
      else if (isSessionStoreError(error) && !res.headersSent) sendSessionUnavailable(req, res);
      else next(error);
    }
  };
}
