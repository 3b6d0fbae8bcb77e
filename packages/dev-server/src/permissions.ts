import type { DevServerConfig, OrganizationConfig } from './config.ts';

/** The reserved resource whose scopes are the organization scopes (Logto's `ReservedResource.Organization`). */
export const organizationsResource = 'urn:logto:resource:organizations';

/** The scope that lets a refresh token be exchanged for organization tokens. */
export const organizationsScope = 'urn:logto:scope:organizations';

/** The audience of an organization token. */
export function organizationAudience(organizationId: string): string {
  return `urn:logto:organization:${organizationId}`;
}

/** The API resource scopes granted to a user by their roles, for one resource indicator. */
export function userResourceScopes(config: DevServerConfig, roleNames: readonly string[], indicator: string): string[] {
  if (indicator === organizationsResource) return [];
  const granted = new Set<string>();
  for (const role of config.roles) {
    if ((role.type ?? 'user') !== 'user' || !roleNames.includes(role.name)) continue;
    for (const scope of role.scopes[indicator] ?? []) granted.add(scope);
  }
  return [...granted];
}

/** The API resource scopes a machine-to-machine application's roles grant, for one resource indicator. */
export function applicationResourceScopes(config: DevServerConfig, applicationId: string, indicator: string): string[] {
  const application = config.applications.find((app) => app.id === applicationId);
  const roleNames = application?.roles ?? [];
  const granted = new Set<string>();
  for (const role of config.roles) {
    if (role.type !== 'machine_to_machine' || !roleNames.includes(role.name)) continue;
    for (const scope of role.scopes[indicator] ?? []) granted.add(scope);
  }
  return [...granted];
}

/** The organizations a user belongs to, with their organization role names there. */
export function organizationMemberships(
  config: DevServerConfig,
  username: string,
): { organization: OrganizationConfig; roles: string[] }[] {
  return config.organizations.flatMap((organization) => {
    const member = organization.members.find((candidate) => candidate.username === username);
    return member ? [{ organization, roles: member.roles }] : [];
  });
}

/**
 * The organization scopes a user's organization roles grant in one organization, or undefined
 * when the user is not a member.
 */
export function organizationScopes(
  config: DevServerConfig,
  username: string,
  organizationId: string,
): string[] | undefined {
  const membership = organizationMemberships(config, username).find((m) => m.organization.id === organizationId);
  if (!membership) return undefined;
  const granted = new Set<string>();
  for (const role of config.organizationRoles) {
    if (membership.roles.includes(role.name)) for (const scope of role.scopes) granted.add(scope);
  }
  return [...granted];
}

/**
 * The API resource scopes a user's organization roles grant in one organization
 * (`organizationRoles[].resourceScopes`), or undefined when the user is not a member.
 */
export function organizationResourceScopes(
  config: DevServerConfig,
  username: string,
  organizationId: string,
  indicator: string,
): string[] | undefined {
  const membership = organizationMemberships(config, username).find((m) => m.organization.id === organizationId);
  if (!membership) return undefined;
  const granted = new Set<string>();
  for (const role of config.organizationRoles) {
    if (!membership.roles.includes(role.name)) continue;
    for (const scope of role.resourceScopes?.[indicator] ?? []) granted.add(scope);
  }
  return [...granted];
}

/** Every organization scope defined by the organization roles: the scopes of `urn:logto:resource:organizations`. */
export function allOrganizationScopes(config: DevServerConfig): string[] {
  return [...new Set(config.organizationRoles.flatMap((role) => role.scopes))];
}

/** The organization scopes a user holds in any of their organizations. */
export function userOrganizationScopes(config: DevServerConfig, username: string): string[] {
  const granted = new Set<string>();
  for (const { organization } of organizationMemberships(config, username)) {
    for (const scope of organizationScopes(config, username, organization.id) ?? []) granted.add(scope);
  }
  return [...granted];
}

/** The API resource scopes a user's organization roles grant in any of their organizations, for one resource. */
export function userOrganizationResourceScopes(config: DevServerConfig, username: string, indicator: string): string[] {
  const granted = new Set<string>();
  for (const { organization } of organizationMemberships(config, username)) {
    for (const scope of organizationResourceScopes(config, username, organization.id, indicator) ?? [])
      granted.add(scope);
  }
  return [...granted];
}
