interface StoredCookie {
  name: string;
  value: string;
  host: string;
  path: string;
  expiresAt: number | undefined;
}

/**
 * A minimal browser cookie jar for driving the dev server's pages with `fetch`: keeps cookies per
 * host and path, honours `Path`, `Max-Age` and `Expires`, and sends the matching ones back. Pass
 * the same jar to several calls to keep the browser session between them.
 */
export class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>();
  readonly #now: () => number;

  /** @param now - the clock used for expiry, in milliseconds since the epoch. */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Stores the cookies a response to `url` sets (its `Set-Cookie` headers). */
  store(url: string | URL, headers: Headers): void {
    const target = new URL(url);
    for (const line of setCookieLines(headers)) this.#storeOne(target, line);
  }

  /** The `Cookie` header value for a request to `url` (empty when no cookie matches). */
  header(url: string | URL): string {
    const target = new URL(url);
    const now = this.#now();
    const matching = [...this.#cookies.values()]
      .filter((cookie) => cookie.host === target.hostname && pathMatches(cookie.path, target.pathname))
      .filter((cookie) => cookie.expiresAt === undefined || cookie.expiresAt > now)
      // RFC 6265 §5.4: longer paths first.
      .sort((a, b) => b.path.length - a.path.length);
    return matching.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
  }

  /** The names of the cookies currently held for `url`. */
  names(url: string | URL): string[] {
    return this.header(url)
      .split('; ')
      .filter(Boolean)
      .map((pair) => pair.slice(0, pair.indexOf('=')));
  }

  #storeOne(target: URL, line: string): void {
    const [pair = '', ...attributes] = line.split(';');
    const separator = pair.indexOf('=');
    if (separator <= 0) return;
    const name = pair.slice(0, separator).trim();
    const value = pair.slice(separator + 1).trim();
    let path = defaultPath(target.pathname);
    let expiresAt: number | undefined;
    let maxAgeSeen = false;
    for (const attribute of attributes) {
      const [rawKey = '', ...rest] = attribute.split('=');
      const key = rawKey.trim().toLowerCase();
      const attributeValue = rest.join('=').trim();
      if (key === 'path' && attributeValue.startsWith('/')) path = attributeValue;
      else if (key === 'max-age') {
        maxAgeSeen = true;
        expiresAt = this.#now() + Number(attributeValue) * 1000;
      } else if (key === 'expires' && !maxAgeSeen) {
        const time = Date.parse(attributeValue);
        if (!Number.isNaN(time)) expiresAt = time;
      }
    }
    const key = `${target.hostname}\u0000${path}\u0000${name}`;
    if (expiresAt !== undefined && expiresAt <= this.#now()) this.#cookies.delete(key);
    else this.#cookies.set(key, { name, value, host: target.hostname, path, expiresAt });
  }
}

function setCookieLines(headers: Headers): string[] {
  if (typeof headers.getSetCookie === 'function') return headers.getSetCookie();
  const joined = headers.get('set-cookie');
  // Without getSetCookie the values arrive comma-joined; split before each `name=`.
  return joined ? joined.split(/,(?=\s*[^;,=\s]+=)/) : [];
}

function defaultPath(pathname: string): string {
  const last = pathname.lastIndexOf('/');
  return last <= 0 ? '/' : pathname.slice(0, last);
}

function pathMatches(cookiePath: string, requestPath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}
