import type { InteractionDetails, InteractionProvider } from './interaction-provider.ts';

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * Grants everything a `consent` prompt asks for and returns the grant's id. The dev server's
 * applications are all first-party, so consent is given without asking, as Logto does for them.
 */
export async function grantRequestedConsent(
  provider: InteractionProvider,
  details: InteractionDetails,
): Promise<string> {
  const accountId = details.session?.accountId;
  const clientId = details.params.client_id;
  const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  const grant =
    existing ??
    new provider.Grant({
      ...(accountId ? { accountId } : {}),
      ...(typeof clientId === 'string' ? { clientId } : {}),
    });

  const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details;
  const scopes = strings(missingOIDCScope);
  if (scopes.length > 0) grant.addOIDCScope(scopes.join(' '));
  const claims = strings(missingOIDCClaims);
  if (claims.length > 0) grant.addOIDCClaims(claims);
  if (missingResourceScopes && typeof missingResourceScopes === 'object') {
    for (const [indicator, resourceScopes] of Object.entries(missingResourceScopes)) {
      const list = strings(resourceScopes);
      if (list.length > 0) grant.addResourceScope(indicator, list.join(' '));
    }
  }
  return grant.save();
}
