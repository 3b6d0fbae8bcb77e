import type { Grant, KoaContextWithOIDC } from 'oidc-provider';
import type { UserDirectory } from './accounts.ts';
import type { DevServerConfig } from './config.ts';
import {
  organizationsResource,
  userOrganizationResourceScopes,
  userOrganizationScopes,
  userResourceScopes,
} from './permissions.ts';

/**
 * Auto-consent for first-party applications (every configured application is one), as
 * oidc-provider's `loadExistingGrant`: the signed-in user's grant for the client is created or
 * extended with the requested OIDC scopes and, per requested resource, the requested scopes the
 * user's roles allow. The others are recorded as rejected, so no consent prompt is ever needed
 * and the tokens simply lack them.
 */
export function createAutoConsent(config: DevServerConfig, users: UserDirectory) {
  return async function loadExistingGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
    const { oidc } = ctx;
    const accountId = oidc.account?.accountId;
    const client = oidc.client;
    const user = accountId ? await users.findById(accountId) : undefined;
    if (!accountId || !client || !user) return undefined;

    const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(client.clientId);
    let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
    if (!grant || grant.accountId !== accountId || grant.clientId !== client.clientId) {
      grant = new oidc.provider.Grant({ accountId, clientId: client.clientId });
    }

    const oidcScopes = [...oidc.requestParamOIDCScopes];
    if (oidcScopes.length > 0) grant.addOIDCScope(oidcScopes.join(' '));

    for (const [indicator, resourceServer] of Object.entries(oidc.resourceServers)) {
      const allowed = new Set(
        indicator === organizationsResource
          ? userOrganizationScopes(config, user.username)
          : [
              ...userResourceScopes(config, user.roles, indicator),
              ...userOrganizationResourceScopes(config, user.username, indicator),
            ],
      );
      const requested = [...oidc.requestParamScopes].filter((scope) => resourceServer.scopes.has(scope));
      const granted = requested.filter((scope) => allowed.has(scope));
      const refused = requested.filter((scope) => !allowed.has(scope));
      if (granted.length > 0) grant.addResourceScope(indicator, granted.join(' '));
      if (refused.length > 0) grant.rejectResourceScope(indicator, refused.join(' '));
    }

    await grant.save();
    return grant;
  };
}
