import { type Client, errors, type KoaContextWithOIDC, type ResourceServerInfo } from 'oidc-provider';
import { withStatus } from './oidc-errors.ts';

/** The parameters the `client_credentials` grant reads. */
export const clientCredentialsGrantParameters = ['scope', 'resource', 'organization_id'] as const;

export interface ClientCredentialsGrantOptions {
  /** `features.resourceIndicators.getResourceServerInfo`, for the resource named by `resource`. */
  getResourceServerInfo(ctx: KoaContextWithOIDC, indicator: string, client: Client): ResourceServerInfo;
}

/**
 * Logto's `client_credentials` grant for machine-to-machine apps:
 *
 * - `resource` is required (400 `invalid_target` without it), one value, a configured resource;
 * - the token's scopes are those requested in `scope` that the app's roles grant for it; when none
 *   are, the token and the response carry no `scope` at all;
 * - `organization_id` asks for a token of an organization the app is a member of; the dev server's
 *   configuration gives apps no organization memberships, so it is refused (403 `access_denied`).
 */
export function createClientCredentialsGrant(options: ClientCredentialsGrantOptions) {
  return async function clientCredentialsGrant(ctx: KoaContextWithOIDC): Promise<void> {
    const { client, params = {}, provider } = ctx.oidc;
    if (!client) throw new errors.InvalidClient('client must be available');

    if (params.organization_id) {
      throw withStatus(new errors.AccessDenied('app has not associated with the organization'), 403);
    }
    const resource = params.resource;
    if (Array.isArray(resource)) {
      throw new errors.InvalidTarget('only a single resource indicator value is supported for this grant type');
    }
    if (!resource) throw new errors.InvalidTarget('both `resource` and `organization_id` are not provided');

    const info = options.getResourceServerInfo(ctx, resource, client);
    const resourceServer = new provider.ResourceServer(resource, info);
    const requested = typeof params.scope === 'string' ? [...new Set(params.scope.split(' '))] : [];
    const granted = requested.filter((scope) => resourceServer.scopes.has(scope)).join(' ');

    const token = new provider.ClientCredentials({ client, ...(granted ? { scope: granted } : {}) });
    token.resourceServer = resourceServer;
    token.scope = granted || undefined;
    ctx.oidc.entity('ClientCredentials', token);
    const value = await token.save();
    ctx.body = {
      access_token: value,
      expires_in: token.expiration,
      token_type: token.tokenType,
      ...(granted ? { scope: granted } : {}),
    };
  };
}
