import { type AuthResult, organizationAudience } from './auth-result.ts';
import { ApiAuthError } from './errors.ts';

/**
 * What a route requires of a verified token. Checked on every request, also when the token itself
 * comes from the verified-token cache.
 */
export interface AccessRequirements {
  /**
   * The API resource indicator the token must be for (its `aud` must contain it). Defaults to the
   * verifier's `audience`.
   */
  readonly audience?: string;
  /** Scopes the token must all carry (403 `insufficient_scope` otherwise). */
  readonly scopes?: readonly string[];
  /** Scopes of which the token must carry at least one (403 `insufficient_scope` otherwise). */
  readonly anyScopes?: readonly string[];
  /**
   * The organization the request acts on (e.g. the `:id` of `/organizations/:id/…`). Accepted: an
   * organization token for it (`aud` contains `urn:logto:organization:<id>`), or, when an audience
   * is expected, a token for that audience whose `organization_id` claim is this id.
   */
  readonly organizationId?: string;
}

/**
 * Checks a verified token against a route's requirements: audience and organization first (401
 * `invalid_token`: the token is not meant for this resource), then scopes (403 `insufficient_scope`).
 *
 * @param defaultAudience - The verifier's `audience`, used when `requirements.audience` is absent.
 * @throws {ApiAuthError}
 * @throws {TypeError} when neither an audience nor an organization is required: accepting a token
 *   for any audience would accept tokens issued for other APIs.
 */
export function checkRequirements(
  result: AuthResult,
  requirements: AccessRequirements,
  defaultAudience: string | undefined,
): void {
  const audience = requirements.audience ?? defaultAudience;
  const { organizationId } = requirements;
  if (organizationId !== undefined) {
    const isOrganizationToken = result.audience.includes(organizationAudience(organizationId));
    const isResourceTokenForOrganization =
      audience !== undefined && result.audience.includes(audience) && result.claims.organization_id === organizationId;
    if (!isOrganizationToken && !isResourceTokenForOrganization) {
      throw new ApiAuthError('invalid_token', 'The access token is not for this organization.');
    }
  } else if (audience === undefined) {
    throw new TypeError(
      'No audience to check the access token against: set `audience` (the API resource indicator) or `organizationId`.',
    );
  } else if (!result.audience.includes(audience)) {
    throw new ApiAuthError('invalid_token', `The access token is not for this API (expected audience ${audience}).`);
  }

  const { scopes, anyScopes } = requirements;
  if (scopes !== undefined && !includesAll(result.scopes, scopes)) {
    throw insufficientScope(scopes, `The access token lacks a required scope: ${scopes.join(' ')}.`);
  }
  if (anyScopes !== undefined && anyScopes.length > 0 && !includesAny(result.scopes, anyScopes)) {
    throw insufficientScope(anyScopes, `The access token needs one of these scopes: ${anyScopes.join(' ')}.`);
  }
}

function includesAll(granted: readonly string[], required: readonly string[]): boolean {
  for (const scope of required) if (!granted.includes(scope)) return false;
  return true;
}

function includesAny(granted: readonly string[], wanted: readonly string[]): boolean {
  for (const scope of wanted) if (granted.includes(scope)) return true;
  return false;
}

function insufficientScope(requiredScopes: readonly string[], message: string): ApiAuthError {
  return new ApiAuthError('insufficient_scope', message, { requiredScopes });
}

/**
 * Throws a `TypeError` when a route could never check an audience (see {@link checkRequirements}),
 * so that a misconfigured route fails when it is declared rather than on its first request.
 */
export function assertAudienceConfigured(requirements: AccessRequirements, defaultAudience: string | undefined): void {
  if (
    requirements.audience === undefined &&
    defaultAudience === undefined &&
    requirements.organizationId === undefined
  ) {
    throw new TypeError(
      'No audience to check the access token against: set `audience` (the API resource indicator) or `organizationId`.',
    );
  }
}
