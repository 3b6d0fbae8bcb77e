/**
 * A session's cookies: finding them in the `Cookie` header, opening the sealed value (the session
 * data, or with a store the session id), and sealing what to send back as `Set-Cookie` headers
 * (chunked, with the configured attributes, stale chunks cleared).
 */
import { BoundedCache } from './caches.ts';
import { type CookieSealer, joinCookieValue, splitCookieValue, type UnsealFailure } from './cookie-session.ts';
import { type CookieAttributes, parseCookieHeader, serializeCookie } from './cookies.ts';
import { type LoadedData, loadedData } from './session.ts';
import { fittingSession } from './session-budget.ts';
import { holdsOnlyPendingSignIns } from './session-contents.ts';
import type { SessionData } from './session-store.ts';

/** A session cookie found in a `Cookie` header: its joined chunks and every cookie name it uses. */
export interface SessionCookieInHeader {
  value: string | undefined;
  present: string[];
}

/** A session cookie's opened contents. */
export type OpenedCookie =
  | { kind: 'data'; data: LoadedData; expiresAt: number }
  | { kind: 'id'; sid: string; expiresAt: number };

/** What {@link SessionCookies} needs to know. */
export interface SessionCookiesOptions {
  name: string;
  sealer: CookieSealer;
  /** With a store the cookie holds an id, or pending sign-ins only. */
  usesStore: boolean;
  secure: boolean | 'auto';
  path: string;
  domain: string | undefined;
  now: () => number;
  /** Told why a cookie was refused. */
  refused: (reason: UnsealFailure) => void;
}

const memoSize = 1000;
const tailKeyLength = 24;

function isSessionData(value: unknown): value is SessionData {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((entry) => typeof entry === 'string');
}

/** The cookies of one application's sessions. */
export class SessionCookies {
  readonly name: string;
  readonly #options: SessionCookiesOptions;
  /**
   * Recently opened cookie values (the exact sealed text) and their contents: a returning user
   * sends the same cookie on every request, and decrypting it once is enough. Per application:
   * what a value opens to depends on its secrets.
   */
  readonly #opened = new BoundedCache<string, OpenedCookie>(memoSize);
  /**
   * The session cookie in recent `Cookie` headers: a returning user sends the same header every
   * time. Keyed by the header's end (the sealed value's random authentication tag, usually), so
   * a long header is compared, not hashed, on every request.
   */
  readonly #found = new BoundedCache<string, { header: string; found: SessionCookieInHeader }>(memoSize);
  readonly #secureRequestAttributes: CookieAttributes;
  readonly #plainRequestAttributes: CookieAttributes;

  constructor(options: SessionCookiesOptions) {
    this.name = options.name;
    this.#options = options;
    this.#secureRequestAttributes = this.#cookieAttributes(true);
    this.#plainRequestAttributes = this.#cookieAttributes(false);
  }

  /** The session cookie in a `Cookie` header: its joined value and the names of its chunks. */
  find(header: string | undefined): SessionCookieInHeader {
    if (!header) return { value: undefined, present: [] };
    const key = header.length > tailKeyLength ? header.slice(-tailKeyLength) : header;
    const known = this.#found.get(key);
    if (known?.header === header) return known.found;
    const found = joinCookieValue(this.name, parseCookieHeader(header));
    Object.freeze(found.present);
    this.#found.set(key, { header, found });
    return found;
  }

  /**
   * The cookie's contents: the session data, or with a store the session id; `undefined` when
   * refused. At once for a value opened before.
   */
  open(sealed: string): OpenedCookie | undefined | Promise<OpenedCookie | undefined> {
    const known = this.#opened.get(sealed);
    if (known && known.expiresAt > this.#options.now()) return known;
    return this.#unseal(sealed);
  }

  async #unseal(sealed: string): Promise<OpenedCookie | undefined> {
    const result = await this.#options.sealer.unseal<unknown>(this.name, sealed);
    if (!result.ok) {
      this.#options.refused(result.reason);
      return undefined;
    }
    const payload = result.value;
    let opened: OpenedCookie;
    if (!this.#options.usesStore) {
      if (!isSessionData(payload)) return this.#refuse();
      opened = { kind: 'data', data: loadedData(payload), expiresAt: result.expiresAt };
    } else if (typeof payload === 'object' && payload !== null && 'sid' in payload && typeof payload.sid === 'string') {
      opened = { kind: 'id', sid: payload.sid, expiresAt: result.expiresAt };
    } else if (
      typeof payload === 'object' &&
      payload !== null &&
      'anonymous' in payload &&
      isSessionData(payload.anonymous) &&
      holdsOnlyPendingSignIns(payload.anonymous)
    ) {
      opened = { kind: 'data', data: loadedData(payload.anonymous), expiresAt: result.expiresAt };
    } else {
      return this.#refuse();
    }
    this.#opened.set(sealed, opened);
    return opened;
  }

  #refuse(): undefined {
    this.#options.refused('malformed');
    return undefined;
  }

  /**
   * The `Set-Cookie` headers that carry `payload` sealed until `now + lifetime`, clearing chunks
   * of the request's cookies (`present`) no longer used.
   */
  async write(payload: unknown, present: readonly string[], secure: boolean, now: number, lifetime: number) {
    const attributes = this.#attributes(secure);
    const sealed = await this.#options.sealer.seal(this.name, payload, now + lifetime * 1000);
    const chunks = splitCookieValue(this.name, sealed);
    const written = new Set(chunks.map(([name]) => name));
    const headers = chunks.map(([name, value]) => serializeCookie(name, value, { ...attributes, maxAge: lifetime }));
    return headers.concat(
      this.clear(
        present.filter((name) => !written.has(name)),
        secure,
      ),
    );
  }

  /** `Set-Cookie` headers that delete the cookies `names`. */
  clear(names: readonly string[], secure: boolean): string[] {
    const attributes = this.#attributes(secure);
    return names.map((name) => serializeCookie(name, '', { ...attributes, maxAge: 0 }));
  }

  /**
   * `data`, or a lighter version of it, that fits the cookie budget sealed until `expiresAt`; else
   * `undefined`. Measured as it is written: with a store, as `{ anonymous: data }`.
   */
  fitting(data: SessionData, expiresAt: number): SessionData | undefined {
    const written = (candidate: SessionData) => (this.#options.usesStore ? { anonymous: candidate } : candidate);
    return fittingSession(this.name, data, (candidate) =>
      this.#options.sealer.sealedLength(written(candidate), expiresAt),
    );
  }

  #attributes(secureRequest: boolean): CookieAttributes {
    return secureRequest ? this.#secureRequestAttributes : this.#plainRequestAttributes;
  }

  #cookieAttributes(secureRequest: boolean): CookieAttributes {
    const { secure, path, domain } = this.#options;
    return Object.freeze({
      httpOnly: true,
      sameSite: 'Lax',
      secure: secure === 'auto' ? secureRequest : secure,
      path,
      domain,
    });
  }
}
