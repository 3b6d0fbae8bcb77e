/** The claims of a Logto access token (SPEC §3): registered JWT claims plus Logto's own. */
export interface AccessTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | readonly string[];
  readonly exp: number;
  readonly iat?: number;
  readonly nbf?: number;
  readonly jti?: string;
  /** The application the token was issued to. */
  readonly client_id?: string;
  /** Granted scopes, space-separated (present, possibly empty, in Logto tokens). */
  readonly scope?: string;
  /** For a resource token requested within an organization. */
  readonly organization_id?: string;
  readonly [claim: string]: unknown;
}

/** Who called, from a verified access token. Frozen: the same object may serve several requests. */
export interface AuthResult {
  /** The subject: the user's id, or the application's id for machine-to-machine tokens. */
  readonly sub: string;
  /** The `client_id` claim: the application that obtained the token. */
  readonly clientId: string | undefined;
  /** The granted scopes, parsed from the `scope` claim. */
  readonly scopes: readonly string[];
  /**
   * The organization the token is for: the `<id>` of an `urn:logto:organization:<id>` audience, or
   * the `organization_id` claim of a resource token.
   */
  readonly organizationId: string | undefined;
  /** The `aud` claim, always as an array. */
  readonly audience: readonly string[];
  /** Every claim of the token. */
  readonly claims: AccessTokenClaims;
}

/** The audience prefix of Logto organization tokens. */
export const organizationAudiencePrefix = 'urn:logto:organization:';

/** The audience of an organization token for `organizationId`: `urn:logto:organization:<id>`. */
export function organizationAudience(organizationId: string): string {
  return `${organizationAudiencePrefix}${organizationId}`;
}
