import type { IdTokenClaims, UserInfoResponse } from './claims.ts';
import type { LogtoClient } from './client.ts';
import { LogtoError } from './errors.ts';
import { requestedScopes, UserScope } from './scopes.ts';

/**
 * What {@link LogtoClient.getContext} gathers. The names are `@logto/node`'s; `resources` is
 * logto-kit's addition. Differences, deliberately stricter: only a session that has ended reads as
 * signed out (an unreachable identity server throws, it does not sign the user out), and
 * `getOrganizationToken` without `UserScope.Organizations` configured is refused (`invalid_config`)
 * rather than answered with no tokens.
 */
export interface GetContextParameters {
  /** Fetch userinfo too (`userInfo`). */
  fetchUserInfo?: boolean;
  /** Get an access token for `resource` (`accessToken`, and `scopes` for a resource's JWT). */
  getAccessToken?: boolean;
  /** The resource of `accessToken` (without one: the opaque token, good for userinfo only). */
  resource?: string;
  /** The organization of `accessToken`. */
  organizationId?: string;
  /** Get an access token for each of these resources too (`accessTokens`, keyed by resource). */
  resources?: string[];
  /** Get an organization token for every organization in the ID token's `organizations` claim (`organizationTokens`). */
  getOrganizationToken?: boolean;
}

/** The user's context: what {@link GetContextParameters} asked for. */
export interface LogtoContext {
  /** False when the user is not signed in or the session ended while the tokens were obtained; nothing else is set then. */
  isAuthenticated: boolean;
  /** The ID token's claims. */
  claims?: IdTokenClaims;
  /** The userinfo response, with `fetchUserInfo`. */
  userInfo?: UserInfoResponse;
  /** The access token for `resource`, with `getAccessToken`. */
  accessToken?: string;
  /** The scopes of `accessToken`, when it is a JWT (a token for a resource or organization). */
  scopes?: string[];
  /** An access token per resource of `resources`. */
  accessTokens?: Record<string, string>;
  /** An organization token per organization id, with `getOrganizationToken`. */
  organizationTokens?: Record<string, string>;
}

/** The implementation of {@link LogtoClient.getContext}. */
export async function getContext(client: LogtoClient, parameters: GetContextParameters): Promise<LogtoContext> {
  if (parameters.getOrganizationToken && !requestedScopes(client.config.scopes).includes(UserScope.Organizations)) {
    throw new LogtoError(
      'invalid_config',
      'getContext({ getOrganizationToken: true }) needs UserScope.Organizations ("urn:logto:scope:organizations") in the client configuration.',
    );
  }
  if (!(await client.isAuthenticated())) return { isAuthenticated: false };
  try {
    return await gather(client, parameters);
  } catch (error) {
    if (error instanceof LogtoError && error.code === 'not_authenticated') return { isAuthenticated: false };
    throw error;
  }
}

async function gather(client: LogtoClient, parameters: GetContextParameters): Promise<LogtoContext> {
  const claims = await client.getIdTokenClaims();
  const context: LogtoContext = { isAuthenticated: true, claims };
  if (parameters.getAccessToken) {
    const { resource, organizationId } = parameters;
    context.accessToken = await client.getAccessToken(resource, { organizationId });
    if (resource !== undefined || organizationId !== undefined) {
      const scope = (await client.getAccessTokenClaims(resource, { organizationId })).scope;
      context.scopes = scope ? scope.split(' ') : [];
    }
  }
  if (parameters.resources) {
    const entries = await Promise.all(
      parameters.resources.map(async (resource) => [resource, await client.getAccessToken(resource)] as const),
    );
    context.accessTokens = Object.fromEntries(entries);
  }
  if (parameters.getOrganizationToken) {
    const organizations = claims.organizations ?? [];
    const entries = await Promise.all(
      organizations.map(async (id) => [id, await client.getOrganizationToken(id)] as const),
    );
    context.organizationTokens = Object.fromEntries(entries);
  }
  if (parameters.fetchUserInfo) context.userInfo = await client.fetchUserInfo();
  return context;
}
