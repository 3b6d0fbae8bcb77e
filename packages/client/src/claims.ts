/** The OpenID Connect `address` claim (OpenID Connect Core 1.0 §5.1.1). */
export interface AddressClaim {
  formatted?: string;
  street_address?: string;
  locality?: string;
  region?: string;
  postal_code?: string;
  country?: string;
}

/**
 * Claims of a Logto ID token. Which optional claims are present depends on the requested scopes
 * (see `UserScope`); `name`, `picture`, `username`, `email` and `phone_number` are `null` when unset.
 */
export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nonce?: string;
  azp?: string;
  at_hash?: string;
  /** Scope `profile`. */
  name?: string | null;
  username?: string | null;
  picture?: string | null;
  /** Milliseconds since the epoch (not seconds). */
  created_at?: number;
  /** Milliseconds since the epoch (not seconds). */
  updated_at?: number;
  family_name?: string;
  given_name?: string;
  middle_name?: string;
  nickname?: string;
  preferred_username?: string;
  profile?: string;
  website?: string;
  gender?: string;
  birthdate?: string;
  zoneinfo?: string;
  locale?: string;
  /** Scope `email`. */
  email?: string | null;
  email_verified?: boolean;
  /** Scope `phone`. */
  phone_number?: string | null;
  phone_number_verified?: boolean;
  /** Scope `address`. */
  address?: AddressClaim;
  /** Scope `roles`: role names. */
  roles?: string[];
  /** Scope `urn:logto:scope:organizations`: organization ids. */
  organizations?: string[];
  /** Scope `urn:logto:scope:organization_roles`: `"<organizationId>:<roleName>"`. */
  organization_roles?: string[];
  [claim: string]: unknown;
}

/** One entry of the userinfo `organization_data` claim. */
export interface OrganizationData {
  id: string;
  name: string;
  description: string | null;
}

/**
 * The userinfo response (`fetchUserInfo()`): the ID token's user claims plus the claims that are
 * userinfo-only (`custom_data`, `identities`, `sso_identities`, `organization_data`).
 */
export interface UserInfoResponse {
  sub: string;
  name?: string | null;
  username?: string | null;
  picture?: string | null;
  created_at?: number;
  updated_at?: number;
  email?: string | null;
  email_verified?: boolean;
  phone_number?: string | null;
  phone_number_verified?: boolean;
  address?: AddressClaim;
  roles?: string[];
  organizations?: string[];
  organization_roles?: string[];
  /** Scope `custom_data`. */
  custom_data?: Record<string, unknown>;
  /** Scope `identities`. */
  identities?: Record<string, unknown>;
  sso_identities?: unknown[];
  /** Scope `urn:logto:scope:organizations`. */
  organization_data?: OrganizationData[];
  [claim: string]: unknown;
}

/** Claims of a Logto access token (a JWT with `typ: at+jwt`) for an API resource or an organization. */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  /** The resource indicator, or `urn:logto:organization:<id>` for an organization token. */
  aud: string | string[];
  exp: number;
  iat: number;
  jti?: string;
  client_id?: string;
  /** Granted scopes, space-separated (present, possibly empty). */
  scope?: string;
  /** Present when the token was requested for a resource within an organization. */
  organization_id?: string;
  [claim: string]: unknown;
}
