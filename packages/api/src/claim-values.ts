// The `scope` and `aud` claims of a verified token as the frozen lists of an `AuthResult`. One
// provider issues a handful of distinct values (one per application and API resource), so each
// distinct value is parsed and frozen once and its list shared by every token that carries it,
// rather than split and frozen again for each new token. Bounded: emptied when full, so many
// distinct values cannot grow it.
import { organizationAudiencePrefix } from './auth-result.ts';
import { audiences, maxRememberedClaimValues, scopeLists } from './process-caches.ts';

/** An `aud` claim as a list, and the organization it names (see {@link audienceOf}). */
export interface Audience {
  readonly audience: readonly string[];
  /** The `<id>` of an `urn:logto:organization:<id>` audience, if any. */
  readonly organizationId: string | undefined;
}

/** The scopes of a space-separated `scope` claim (RFC 6749 §3.3), extra spaces ignored; frozen. */
export function scopesOf(scope: string): readonly string[] {
  let scopes = scopeLists.get(scope);
  if (scopes === undefined) {
    scopes = Object.freeze(scope.split(' ').filter(isNonEmptyString));
    remember(scopeLists, scope, scopes);
  }
  return scopes;
}

/**
 * The audience of an `aud` claim (a string or an array of strings, RFC 7519 §4.1.3), or `undefined`
 * when it is missing, empty or holds anything but non-empty strings. The list is frozen; an array
 * claim is frozen in place.
 */
export function audienceOf(aud: unknown): Audience | undefined {
  if (typeof aud === 'string') {
    let known = audiences.get(aud);
    if (known === undefined) {
      if (aud === '') return undefined;
      known = Object.freeze({ audience: Object.freeze([aud]), organizationId: organizationOf([aud]) });
      remember(audiences, aud, known);
    }
    return known;
  }
  if (!Array.isArray(aud) || aud.length === 0 || !aud.every(isNonEmptyString)) return undefined;
  return { audience: Object.freeze(aud), organizationId: organizationOf(aud) };
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function organizationOf(audience: readonly string[]): string | undefined {
  for (const value of audience) {
    if (value.startsWith(organizationAudiencePrefix)) return value.slice(organizationAudiencePrefix.length);
  }
  return undefined;
}

function remember<T>(memo: Map<string, T>, key: string, value: T): void {
  if (memo.size >= maxRememberedClaimValues) memo.clear();
  memo.set(key, value);
}
