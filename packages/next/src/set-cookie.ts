/**
 * A `Set-Cookie` header value of the web core as the options of Next.js's `cookies().set()`, the
 * only way a Server Action or a Route Handler using `next/headers` can send a cookie.
 */

/** The arguments of `cookies().set(options)`. */
export interface CookieToSet {
  name: string;
  value: string;
  maxAge?: number;
  expires?: Date;
  domain?: string;
  path?: string;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: 'lax' | 'strict' | 'none';
}

/** Parses one `Set-Cookie` value (as the web core writes them: `name=value; Attr=…; Flag`). */
export function parseSetCookie(header: string): CookieToSet {
  const [pair = '', ...attributes] = header.split(';');
  const separator = pair.indexOf('=');
  if (separator <= 0) throw new TypeError('A Set-Cookie value needs a name.');
  const cookie: CookieToSet = { name: pair.slice(0, separator).trim(), value: pair.slice(separator + 1).trim() };
  for (const attribute of attributes) {
    const [rawName = '', ...rest] = attribute.split('=');
    const name = rawName.trim().toLowerCase();
    const value = rest.join('=').trim();
    if (name === 'max-age') cookie.maxAge = Number(value);
    else if (name === 'expires') cookie.expires = new Date(value);
    else if (name === 'domain') cookie.domain = value;
    else if (name === 'path') cookie.path = value;
    else if (name === 'httponly') cookie.httpOnly = true;
    else if (name === 'secure') cookie.secure = true;
    else if (name === 'samesite') cookie.sameSite = value.toLowerCase() as CookieToSet['sameSite'];
  }
  return cookie;
}
