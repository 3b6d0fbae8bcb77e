import type { User } from './accounts.ts';
import { type DevServerConfig, profileClaimNames } from './config.ts';
import { organizationMemberships, organizationsScope } from './permissions.ts';

/** Logto's scopes and the claims each one releases (oidc-provider's `claims` option). */
export const scopeClaims: Record<string, string[]> = {
  openid: ['sub'],
  profile: ['name', 'username', 'picture', 'created_at', 'updated_at', ...profileClaimNames],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  address: ['address'],
  custom_data: ['custom_data'],
  identities: ['identities', 'sso_identities'],
  roles: ['roles'],
  [organizationsScope]: ['organizations', 'organization_data'],
  'urn:logto:scope:organization_roles': ['organization_roles'],
};

/** Claims Logto releases only at the userinfo endpoint, never in ID tokens. */
export const userinfoOnlyClaims: ReadonlySet<string> = new Set([
  'custom_data',
  'identities',
  'sso_identities',
  'organization_data',
]);

/**
 * Every claim of a user, for oidc-provider to filter by the granted scopes. `name`, `picture`,
 * `username`, `email` and `phone_number` are null when unset (Logto never omits them);
 * `created_at` / `updated_at` are in milliseconds. Userinfo-only claims are left out of ID tokens.
 */
export function userClaims(user: User, config: DevServerConfig, use: 'id_token' | 'userinfo'): Record<string, unknown> {
  const memberships = organizationMemberships(config, user.username);
  const claims: Record<string, unknown> = {
    sub: user.id,
    name: user.name,
    username: user.username,
    picture: user.picture,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
    email: user.email,
    email_verified: user.emailVerified,
    phone_number: user.phone,
    phone_number_verified: user.phoneVerified,
    roles: [...user.roles],
    organizations: memberships.map(({ organization }) => organization.id),
    organization_roles: memberships.flatMap(({ organization, roles }) =>
      roles.map((role) => `${organization.id}:${role}`),
    ),
    custom_data: user.customData,
    identities: {},
    sso_identities: [],
    organization_data: memberships.map(({ organization }) => ({
      id: organization.id,
      name: organization.name,
      description: organization.description ?? null,
    })),
  };
  for (const name of profileClaimNames) {
    const value = user.profile[name];
    if (value !== undefined) claims[name] = value;
  }
  if (user.address) claims.address = { ...user.address };
  if (use === 'id_token') {
    for (const name of userinfoOnlyClaims) delete claims[name];
  }
  return claims;
}
