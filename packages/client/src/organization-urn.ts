import { LogtoError } from './errors.ts';

/** The prefix of an organization's URN, the `aud` of its organization tokens: `urn:logto:organization:`. */
export const organizationUrnPrefix = 'urn:logto:organization:';

/**
 * The URN of an organization, the `aud` of its organization tokens.
 *
 * @example
 * ```ts
 * buildOrganizationUrn('org-acme'); // 'urn:logto:organization:org-acme'
 * ```
 * @throws {LogtoError} `invalid_config` for an empty organization id.
 */
export function buildOrganizationUrn(organizationId: string): string {
  if (typeof organizationId !== 'string' || organizationId === '') {
    throw new LogtoError('invalid_config', 'An organization id must be a non-empty string.');
  }
  return `${organizationUrnPrefix}${organizationId}`;
}

/**
 * The organization id of an organization URN, e.g. of an organization token's `aud`.
 *
 * @example
 * ```ts
 * getOrganizationIdFromUrn('urn:logto:organization:org-acme'); // 'org-acme'
 * ```
 * @throws {LogtoError} `invalid_config` when `urn` is not an organization URN or names no organization.
 */
export function getOrganizationIdFromUrn(urn: string): string {
  if (typeof urn !== 'string' || !urn.startsWith(organizationUrnPrefix) || urn === organizationUrnPrefix) {
    throw new LogtoError(
      'invalid_config',
      `${JSON.stringify(urn)} is not an organization URN ("${organizationUrnPrefix}<organization id>").`,
    );
  }
  return urn.slice(organizationUrnPrefix.length);
}
