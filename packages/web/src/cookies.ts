/**
 * Cookie header parsing and `Set-Cookie` serialization (RFC 6265), framework-free so every
 * adapter shares one implementation.
 */

/** Attributes of a `Set-Cookie` header. */
export interface CookieAttributes {
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: 'Lax' | 'Strict' | 'None';
  path?: string;
  domain?: string;
  /** Seconds; `0` deletes the cookie. */
  maxAge?: number;
}

/** Parses a `Cookie` request header into a name → value map (first occurrence wins). */
export function parseCookieHeader(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    const name = part.slice(0, separator).trim();
    if (!name || cookies.has(name)) continue;
    let value = part.slice(separator + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    cookies.set(name, value);
  }
  return cookies;
}

// RFC 6265 §4.1.1: cookie-name is a token, cookie-value excludes CTLs, whitespace, `"`, `,`, `;`, `\`.
const cookieName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const cookieValue = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;

/** Serializes one `Set-Cookie` header value. Throws on a name or value that a browser would mangle. */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes = {}): string {
  if (!cookieName.test(name)) throw new TypeError(`Invalid cookie name: ${name}`);
  if (!cookieValue.test(value)) throw new TypeError(`Invalid value for cookie ${name}`);
  let header = `${name}=${value}`;
  if (attributes.maxAge !== undefined) {
    header += `; Max-Age=${Math.max(0, Math.floor(attributes.maxAge))}`;
    if (attributes.maxAge <= 0) header += '; Expires=Thu, 01 Jan 1970 00:00:00 GMT';
  }
  if (attributes.domain) header += `; Domain=${attributes.domain}`;
  header += `; Path=${attributes.path ?? '/'}`;
  if (attributes.httpOnly) header += '; HttpOnly';
  if (attributes.secure) header += '; Secure';
  if (attributes.sameSite) header += `; SameSite=${attributes.sameSite}`;
  return header;
}
