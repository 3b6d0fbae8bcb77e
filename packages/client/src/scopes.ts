/**
 * Scopes Logto always requests: `openid` (an ID token), `offline_access` (a refresh token) and
 * `profile` (name, username, picture, …).
 */
export const ReservedScope = {
  OpenId: 'openid',
  OfflineAccess: 'offline_access',
  Profile: 'profile',
} as const;
/** One of {@link ReservedScope}'s values. */
export type ReservedScope = (typeof ReservedScope)[keyof typeof ReservedScope];

/**
 * Scopes for user information. Each adds claims to the ID token or to the userinfo response
 * (`fetchUserInfo()`), see the README's scope table.
 *
 * @example
 * ```ts
 * new LogtoClient({ endpoint, appId, appSecret, scopes: [UserScope.Email, UserScope.Organizations] });
 * ```
 */
export const UserScope = {
  /** `sub` (always requested). */
  OpenId: 'openid',
  /** `name`, `username`, `picture`, `created_at`, `updated_at`, … (always requested). */
  Profile: 'profile',
  /** A refresh token (always requested). */
  OfflineAccess: 'offline_access',
  /** `email`, `email_verified`. */
  Email: 'email',
  /** `phone_number`, `phone_number_verified`. */
  Phone: 'phone',
  /** `address`. */
  Address: 'address',
  /** `custom_data` (userinfo only). */
  CustomData: 'custom_data',
  /** `identities`, `sso_identities` (userinfo only). */
  Identities: 'identities',
  /** `roles`: the user's role names. */
  Roles: 'roles',
  /** `organizations` (ids) and `organization_data` (userinfo only); enables organization tokens. */
  Organizations: 'urn:logto:scope:organizations',
  /** `organization_roles`: `"<organizationId>:<roleName>"` strings. */
  OrganizationRoles: 'urn:logto:scope:organization_roles',
} as const;
/** One of {@link UserScope}'s values. */
export type UserScope = (typeof UserScope)[keyof typeof UserScope];

/** Alias of {@link UserScope}, the name the Python guide uses. */
export const UserInfoScope = UserScope;
/** Alias of {@link UserScope}. */
export type UserInfoScope = UserScope;

/** Resource indicators Logto reserves. */
export const ReservedResource = {
  /** Requested automatically with {@link UserScope.Organizations}: organization tokens are issued for it. */
  Organization: 'urn:logto:resource:organizations',
} as const;
/** One of {@link ReservedResource}'s values. */
export type ReservedResource = (typeof ReservedResource)[keyof typeof ReservedResource];

/** The `scope` list of a sign-in: the reserved scopes (unless opted out) then the configured ones, without duplicates. */
export function requestedScopes(scopes: readonly string[] = [], includeReservedScopes = true): string[] {
  const reserved = includeReservedScopes
    ? [ReservedScope.OpenId, ReservedScope.OfflineAccess, ReservedScope.Profile]
    : [ReservedScope.OpenId];
  return [...new Set([...reserved, ...scopes])];
}

/** The `resource` list of a sign-in: the configured resources, plus the organizations resource when its scope is requested. */
export function requestedResources(resources: readonly string[] = [], scopes: readonly string[] = []): string[] {
  const all = [...resources];
  if (scopes.includes(UserScope.Organizations)) all.push(ReservedResource.Organization);
  return [...new Set(all)];
}
