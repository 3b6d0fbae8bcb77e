/**
 * The dev server's configuration: the applications, API resources, roles, organizations and
 * users it serves. A JSON file of this shape is passed with `--config`; without one the server
 * serves the demo world (see `demo-world.ts`).
 */

/** An application registered with the identity server. */
export interface ApplicationConfig {
  /** The client id (`client_id`). */
  id: string;
  /** Display name, shown on the sign-in page. */
  name?: string;
  /**
   * `traditional`: a confidential web app (authorization code + refresh tokens);
   * `spa`: a single-page app, a public client (no secret, PKCE, refresh tokens rotated on every use);
   * `machine_to_machine`: `client_credentials` only.
   */
  type: 'traditional' | 'spa' | 'machine_to_machine';
  /** The client secret, for `client_secret_basic` / `client_secret_post`. Required except for `spa`, which has none. */
  secret?: string;
  /** Registered redirect URIs (exact match). Traditional and single-page apps only. */
  redirectUris?: string[];
  /** Registered post-logout redirect URIs (exact match). Traditional and single-page apps only. */
  postLogoutRedirectUris?: string[];
  /** Names of roles (of type `machine_to_machine`) granted to a machine-to-machine app. */
  roles?: string[];
  /**
   * OpenID Connect Back-Channel Logout: the URL the server posts a logout token to when a user of
   * this app signs out (Logto's "Backchannel logout URI"). Traditional apps only.
   */
  backchannelLogoutUri?: string;
  /** Whether logout tokens (and ID tokens) carry the session id `sid` (Logto's "Is session required"). */
  backchannelLogoutSessionRequired?: boolean;
}

/** An API resource, identified by its indicator (RFC 8707), with the scopes it defines. */
export interface ResourceConfig {
  /** The resource indicator, an absolute URI, used as the access token's `aud`. */
  indicator: string;
  name?: string;
  scopes: string[];
  /** Access token lifetime in seconds (default 3600). */
  accessTokenTtl?: number;
}

/** A role grants API resource scopes to users or machine-to-machine apps. */
export interface RoleConfig {
  name: string;
  /** `user` (default) or `machine_to_machine`. */
  type?: 'user' | 'machine_to_machine';
  description?: string;
  /** Granted scopes per resource indicator. */
  scopes: Record<string, string[]>;
}

/** An organization role grants organization scopes to members holding it. */
export interface OrganizationRoleConfig {
  name: string;
  description?: string;
  scopes: string[];
  /**
   * API resource scopes the role grants, per resource indicator: they go into access tokens
   * requested with both `resource` and `organization_id`.
   */
  resourceScopes?: Record<string, string[]>;
}

export interface OrganizationMemberConfig {
  /** The member's username. */
  username: string;
  /** Organization role names. */
  roles: string[];
}

export interface OrganizationConfig {
  id: string;
  name: string;
  description?: string | null;
  members: OrganizationMemberConfig[];
}

export interface AddressConfig {
  formatted?: string;
  street_address?: string;
  locality?: string;
  region?: string;
  postal_code?: string;
  country?: string;
}

/** The standard OIDC profile claims a user may have in {@link UserConfig.profile}. */
export const profileClaimNames = [
  'family_name',
  'given_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'website',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
] as const;

/** A seeded user. Profile fields follow Logto's user profile. */
export interface UserConfig {
  /** The user id (`sub`); generated from the username when absent. */
  id?: string;
  username: string;
  password: string;
  name?: string | null;
  picture?: string | null;
  email?: string | null;
  emailVerified?: boolean;
  phone?: string | null;
  phoneVerified?: boolean;
  /** Standard OIDC profile claims ({@link profileClaimNames}): `given_name`, `family_name`, `locale`, … */
  profile?: Record<string, string>;
  address?: AddressConfig;
  customData?: Record<string, unknown>;
  /** User role names. */
  roles?: string[];
}

/** The whole dev server configuration (the shape of the `--config` JSON file). */
export interface DevServerConfig {
  applications: ApplicationConfig[];
  resources: ResourceConfig[];
  roles: RoleConfig[];
  organizationRoles: OrganizationRoleConfig[];
  organizations: OrganizationConfig[];
  users: UserConfig[];
}
