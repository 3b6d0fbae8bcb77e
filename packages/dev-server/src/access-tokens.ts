import { type Client, errors, type IssuedToken, type KoaContextWithOIDC, type ResourceServerInfo } from 'oidc-provider';
import type { DevServerConfig } from './config.ts';
import {
  allOrganizationScopes,
  applicationResourceScopes,
  organizationAudience,
  organizationsResource,
} from './permissions.ts';

/** Access token lifetime when the resource sets none: one hour, as in Logto. */
export const defaultAccessTokenTtl = 3600;

/** The signing algorithm of ID tokens and JWT access tokens. */
export const signingAlgorithm = 'ES384';

/** A JWT access-token audience: an API resource, or an organization. */
export function jwtResourceServerInfo(
  audience: string,
  scopes: readonly string[],
  ttl = defaultAccessTokenTtl,
): ResourceServerInfo {
  return {
    scope: scopes.join(' '),
    audience,
    accessTokenTTL: ttl,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: signingAlgorithm } },
  };
}

/** The resource server behind an organization token (`aud` = `urn:logto:organization:<id>`). */
export function organizationResourceServerInfo(
  organizationId: string,
  scopes: readonly string[],
  ttl = defaultAccessTokenTtl,
): ResourceServerInfo {
  return jwtResourceServerInfo(organizationAudience(organizationId), scopes, ttl);
}

/**
 * oidc-provider's `features.resourceIndicators` (RFC 8707) for the configured API resources:
 * tokens for a resource are JWTs whose `aud` is its indicator; an unknown indicator is
 * `invalid_target`. A machine-to-machine application may only receive the scopes its roles grant.
 * Tokens are only issued for a resource the request names: a code exchange without `resource`
 * yields the opaque userinfo token, as in Logto.
 *
 * @param accessTokenTtl - lifetime of tokens for resources that set no `accessTokenTtl`.
 */
export function resourceIndicatorsFeature(config: DevServerConfig, accessTokenTtl = defaultAccessTokenTtl) {
  return {
    enabled: true,
    defaultResource: () => undefined,
    useGrantedResource: () => false,
    getResourceServerInfo(_ctx: KoaContextWithOIDC, indicator: string, client: Client): ResourceServerInfo {
      const application = config.applications.find((app) => app.id === client.clientId);
      if (indicator === organizationsResource) {
        // Organization scopes come from organization roles. A machine-to-machine app holds none
        // (the configuration gives apps no organization roles), so it gets none of them; Logto
        // grants such an app every organization scope here.
        const scopes = application?.type === 'machine_to_machine' ? [] : allOrganizationScopes(config);
        return jwtResourceServerInfo(indicator, scopes, accessTokenTtl);
      }
      const resource = config.resources.find((candidate) => candidate.indicator === indicator);
      // Logto's generic description: it does not list the configured resources to whoever asks.
      if (!resource) throw new errors.InvalidTarget();
      const scopes =
        application?.type === 'machine_to_machine'
          ? applicationResourceScopes(config, application.id, indicator)
          : resource.scopes;
      return jwtResourceServerInfo(indicator, scopes, resource.accessTokenTtl ?? accessTokenTtl);
    },
  };
}

/**
 * Logto's `scope` claim: present in every JWT access token issued to a user, `""` when nothing was
 * granted; left out of machine-to-machine tokens that were granted nothing.
 */
export function customizeJwtAccessToken(
  _ctx: KoaContextWithOIDC,
  token: IssuedToken,
  jwt: { payload: Record<string, unknown> },
): void {
  if (token.kind === 'ClientCredentials' && !token.scope) delete jwt.payload.scope;
  else jwt.payload.scope = token.scope ?? '';
}
