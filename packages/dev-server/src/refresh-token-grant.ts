import {
  type AccessToken,
  type Account,
  type Client,
  errors,
  type IssuedToken,
  type KoaContextWithOIDC,
  type OIDCProviderError,
  type ResourceServerInfo,
} from 'oidc-provider';
import { issueIdToken } from 'oidc-provider/lib/helpers/grant_common.js';
import revoke from 'oidc-provider/lib/helpers/revoke.js';
import { organizationResourceServerInfo } from './access-tokens.ts';
import type { UserDirectory } from './accounts.ts';
import type { DevServerConfig } from './config.ts';
import { rememberAccessTokenValue } from './id-token-format.ts';
import { withStatus } from './oidc-errors.ts';
import {
  organizationResourceScopes,
  organizationScopes,
  organizationsResource,
  organizationsScope,
  userResourceScopes,
} from './permissions.ts';
import { mayReuseRefreshToken, refreshTokenReuseWindowMs } from './refresh-grace.ts';

/** The parameters the `refresh_token` grant reads (`resource` may not repeat: one token, one audience). */
export const refreshTokenGrantParameters = ['refresh_token', 'scope', 'resource', 'organization_id'] as const;

export interface RefreshTokenGrantOptions {
  config: DevServerConfig;
  users: UserDirectory;
  /** oidc-provider's `findAccount`, for the ID token's claims. */
  findAccount(ctx: KoaContextWithOIDC, accountId: string): Promise<Account | undefined>;
  /** `features.resourceIndicators.getResourceServerInfo`, for the resource named by `resource`. */
  getResourceServerInfo(ctx: KoaContextWithOIDC, indicator: string, client: Client): ResourceServerInfo;
  /** Lifetime of organization tokens, in seconds (default 3600). */
  accessTokenTtl?: number;
  /** The clock of the reuse window (milliseconds since the epoch). */
  now?: () => number;
  /** How long a consumed refresh token stays usable; Logto's 3 seconds by default. */
  reuseWindowMs?: number;
  /**
   * Rotates the refresh token on every use for every client, as Logto does for public clients
   * only (confidential ones keep theirs until 70% of its lifetime). Default `false`: Logto's rule.
   */
  rotateRefreshTokenOnEveryUse?: boolean;
}

export interface RefreshTokenGrant {
  /** The grant handler, for `provider.registerGrantType('refresh_token', handler, refreshTokenGrantParameters)`. */
  handler(ctx: KoaContextWithOIDC): Promise<void>;
  /** oidc-provider's `extraTokenClaims`: adds `organization_id` to tokens issued for a resource within an organization. */
  extraTokenClaims(ctx: KoaContextWithOIDC, token: IssuedToken): Record<string, unknown> | undefined;
}

/**
 * `invalid_grant` as Logto answers it: the generic description ("grant request is invalid"); the
 * reason stays server-side (`detail`), so a client learns nothing about other clients' tokens.
 */
function invalidGrant(detail: string): OIDCProviderError {
  return new errors.InvalidGrant(detail);
}

/** The grant-type chain of a rotated refresh token: `authorization_code refresh_token`. */
function rotatedGrantType(gty: string | undefined): string {
  if (!gty) return 'refresh_token';
  return gty.endsWith('refresh_token') ? gty : `${gty} refresh_token`;
}

function single(value: string | string[] | undefined, name: string): string | undefined {
  if (Array.isArray(value)) {
    throw new errors.InvalidTarget(`only one ${name} value may be requested for one access token`);
  }
  return value || undefined;
}

/**
 * Logto's `refresh_token` grant, on oidc-provider's models: refresh-token rotation with a reuse
 * window (`refresh-grace.ts`), API resource tokens (`resource`), and organization tokens
 * (`organization_id`, Logto's extension):
 *
 * - `organization_id` without `resource`: a JWT for `urn:logto:organization:<id>` whose `scope` is
 *   the user's organization-role scopes there;
 * - `organization_id` with `resource`: a JWT for the resource with an `organization_id` claim and
 *   the resource scopes the user's organization roles grant;
 * - the refresh token must carry `urn:logto:scope:organizations` (else 403 `insufficient_scope`) and
 *   the user must be a member (else 403 `access_denied`).
 */
export function createRefreshTokenGrant(options: RefreshTokenGrantOptions): RefreshTokenGrant {
  const { config, users } = options;
  const now = options.now ?? Date.now;
  const reuseWindowMs = options.reuseWindowMs ?? refreshTokenReuseWindowMs;
  const organizationOf = new WeakMap<object, string>();

  async function handler(ctx: KoaContextWithOIDC): Promise<void> {
    const { oidc } = ctx;
    const { provider } = oidc;
    const params = oidc.params ?? {};
    const client = oidc.client;
    if (!client) throw new errors.InvalidRequest('client authentication is required');

    const value = single(params.refresh_token, 'refresh_token');
    if (!value) throw new errors.InvalidRequest('missing required parameter refresh_token');
    const resource = single(params.resource, 'resource');
    const organizationId = single(params.organization_id, 'organization_id');

    let refreshToken = await provider.RefreshToken.find(value, { ignoreExpiration: true });
    if (!refreshToken) throw invalidGrant('refresh token not found');
    if (refreshToken.clientId !== client.clientId) throw invalidGrant('client mismatch');
    if (refreshToken.isExpired) throw invalidGrant('refresh token is expired');

    const grantId = refreshToken.grantId;
    const grant = grantId ? await provider.Grant.find(grantId) : undefined;
    if (!grantId || !grant) throw invalidGrant('grant not found (it was revoked or has expired)');
    if (grant.clientId !== client.clientId) throw invalidGrant('client mismatch');
    if (grant.accountId !== refreshToken.accountId) throw invalidGrant('accountId mismatch');

    if (params.scope) {
      const missing = [...oidc.requestParamScopes].filter((scope) => !refreshToken?.scopes.has(scope));
      if (missing.length > 0) throw new errors.InvalidScope('refresh token missing requested scope', missing.join(' '));
    }
    const scopes = params.scope ? oidc.requestParamScopes : refreshToken.scopes;
    // A scope goes into an API or organization token only if it was requested at sign-in (and in
    // this request's `scope`, when it narrows).
    const requested = (scope: string) => refreshToken?.scopes.has(scope) === true && scopes.has(scope);

    const user = refreshToken.accountId ? await users.findById(refreshToken.accountId) : undefined;
    const account = user ? await options.findAccount(ctx, user.id) : undefined;
    if (!user || !account) throw invalidGrant('refresh token invalid (referenced account not found)');

    let organizationScopeList: string[] | undefined;
    if (organizationId) {
      if (!refreshToken.scopes.has(organizationsScope)) {
        throw withStatus(new errors.InsufficientScope('refresh token missing required scope', organizationsScope), 403);
      }
      const memberScopes = organizationScopes(config, user.username, organizationId);
      if (!memberScopes) throw withStatus(new errors.AccessDenied('user is not a member of the organization'), 403);
      if (resource) {
        // The user's own role scopes for the resource, plus those the organization's roles grant.
        organizationScopeList = [
          ...new Set([
            ...userResourceScopes(config, user.roles, resource),
            ...(organizationResourceScopes(config, user.username, organizationId, resource) ?? []),
          ]),
        ];
      } else {
        // Organization scopes reach an organization token only when the organizations resource
        // was part of the authorization request, as in Logto.
        organizationScopeList = refreshToken.resourceIndicators.has(organizationsResource) ? memberScopes : [];
      }
    }
    // Logto's generic description for an unknown resource and one not requested at sign-in alike.
    if (resource && !refreshToken.resourceIndicators.has(resource)) throw new errors.InvalidTarget();

    oidc.entity('RefreshToken', refreshToken);
    oidc.entity('Grant', grant);
    oidc.entity('Account', account);

    if (refreshToken.consumed && !mayReuseRefreshToken(refreshToken.consumed, now(), reuseWindowMs)) {
      await Promise.all([refreshToken.destroy(), revoke(ctx, grantId)]);
      throw invalidGrant('refresh token already used (the grant is now revoked: sign in again)');
    }

    // Logto's rotation: public clients get a new refresh token on every use; confidential ones get
    // the same one back until 70% of its lifetime has passed (unless told to rotate on every use).
    let refreshTokenValue = value;
    if (
      options.rotateRefreshTokenOnEveryUse ||
      client.clientAuthMethod === 'none' ||
      refreshToken.ttlPercentagePassed() >= 70
    ) {
      await refreshToken.consume();
      oidc.entity('RotatedRefreshToken', refreshToken);
      refreshToken = new provider.RefreshToken({
        accountId: refreshToken.accountId,
        acr: refreshToken.acr,
        amr: refreshToken.amr,
        authTime: refreshToken.authTime,
        claims: refreshToken.claims,
        client,
        expiresWithSession: refreshToken.expiresWithSession,
        iiat: refreshToken.iiat,
        grantId,
        gty: rotatedGrantType(refreshToken.gty),
        nonce: refreshToken.nonce,
        resource: refreshToken.resource,
        rotations: (refreshToken.rotations ?? 0) + 1,
        scope: refreshToken.scope,
        sessionUid: refreshToken.sessionUid,
        sid: refreshToken.sid,
      });
      oidc.entity('RefreshToken', refreshToken);
      refreshTokenValue = await refreshToken.save();
    }

    const at: AccessToken = new provider.AccessToken({
      accountId: account.accountId,
      client,
      expiresWithSession: refreshToken.expiresWithSession,
      grantId,
      gty: refreshToken.gty,
      sessionUid: refreshToken.sessionUid,
      sid: refreshToken.sid,
    });

    if (organizationId && organizationScopeList) {
      const granted = organizationScopeList.filter(requested);
      if (resource) {
        at.resourceServer = new provider.ResourceServer(resource, options.getResourceServerInfo(ctx, resource, client));
        at.scope = granted.filter((scope) => at.resourceServer?.scopes.has(scope)).join(' ');
        organizationOf.set(at, organizationId);
      } else {
        const info = organizationResourceServerInfo(organizationId, granted, options.accessTokenTtl);
        at.resourceServer = new provider.ResourceServer(info.audience ?? organizationId, info);
        at.scope = granted.join(' ');
      }
    } else if (resource) {
      const resourceServer = new provider.ResourceServer(
        resource,
        options.getResourceServerInfo(ctx, resource, client),
      );
      at.resourceServer = resourceServer;
      at.scope = grant.getResourceScopeFiltered(
        resource,
        [...scopes].filter((scope) => resourceServer.scopes.has(scope)),
      );
    } else {
      at.claims = refreshToken.claims;
      at.scope = grant.getOIDCScopeFiltered(scopes);
    }

    oidc.entity('AccessToken', at);
    const accessToken = await at.save();
    rememberAccessTokenValue(at, accessToken);
    const idToken = await issueIdToken(provider, ctx, refreshToken, at, grant, scopes);

    ctx.body = {
      access_token: accessToken,
      expires_in: at.expiration,
      ...(idToken ? { id_token: idToken } : {}),
      refresh_token: refreshTokenValue,
      scope: at.scope ?? '',
      token_type: at.tokenType,
    };
  }

  return {
    handler,
    extraTokenClaims(_ctx, token) {
      const organizationId = organizationOf.get(token);
      return organizationId ? { organization_id: organizationId } : undefined;
    },
  };
}
