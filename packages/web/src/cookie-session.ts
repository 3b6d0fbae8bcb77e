/**
 * Encrypted cookie values: AES-256-GCM with a key derived (HKDF-SHA-256) from each secret, the
 * cookie name bound as additional authenticated data, an expiry inside the ciphertext, and
 * splitting across several cookies when the value is too large for one.
 *
 * Several secrets allow rotation: the first seals, every one of them unseals. Each sealed value
 * names its key by a short id so unsealing does not try every key.
 */
import { decodeBase64url, encodeBase64url } from './base64url.ts';

/** Why a cookie value could not be opened. */
export type UnsealFailure = 'malformed' | 'unknown_key' | 'tampered' | 'expired';

/** The outcome of {@link CookieSealer.unseal}. */
export type UnsealResult<T> = { ok: true; value: T; expiresAt: number } | { ok: false; reason: UnsealFailure };

/** Options of {@link CookieSealer}. */
export interface CookieSealerOptions {
  /**
   * Secrets, newest first: the first one seals, all of them unseal. Each must be at least 32
   * characters of high-entropy text (e.g. `openssl rand -base64 32`).
   */
  secrets: readonly string[];
  /** Current time in milliseconds; injectable for tests. Defaults to `Date.now`. */
  now?: () => number;
}

interface DerivedKey {
  id: string;
  key: CryptoKey;
}

const version = 'v1';
const ivLength = 12;
const tagLength = 16;
/** Characters of a key id: 48 bits in base64url. */
const keyIdLength = 8;
/** The shortest accepted secret, in characters. */
export const minimumSecretLength = 32;

const utf8 = new TextEncoder();
const salt = utf8.encode('logto-kit cookie session');

async function deriveKey(secret: string): Promise<DerivedKey> {
  const ikm = await crypto.subtle.importKey('raw', utf8.encode(secret), 'HKDF', false, ['deriveBits', 'deriveKey']);
  const hkdf = (info: string) => ({ name: 'HKDF', hash: 'SHA-256', salt, info: utf8.encode(info) });
  // A CryptoKey, made once: importing raw bytes on every cipher would cost each request.
  const key = await crypto.subtle.deriveKey(hkdf('aes-256-gcm key'), ikm, { name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ]);
  const id = encodeBase64url(new Uint8Array(await crypto.subtle.deriveBits(hkdf('key id'), ikm, 48)));
  return { id, key };
}

/**
 * Seals and unseals JSON values for cookies (Web Crypto, so it runs on Node, Bun, Deno and edge
 * runtimes). One instance per set of secrets; keys are derived once.
 */
export class CookieSealer {
  readonly #keys: Promise<DerivedKey[]>;
  readonly #now: () => number;

  constructor(options: CookieSealerOptions) {
    if (options.secrets.length === 0) throw new TypeError('At least one session secret is required.');
    for (const secret of options.secrets) {
      if (typeof secret !== 'string' || secret.length < minimumSecretLength) {
        throw new TypeError(
          `Each session secret must be at least ${minimumSecretLength} characters; generate one with \`openssl rand -base64 32\`.`,
        );
      }
    }
    this.#keys = Promise.all(options.secrets.map(deriveKey));
    this.#now = options.now ?? Date.now;
  }

  /**
   * Encrypts `value` for the cookie called `name`, valid until `expiresAt` (milliseconds since
   * the epoch). The result only uses characters allowed in a cookie value.
   */
  async seal(name: string, value: unknown, expiresAt: number): Promise<string> {
    const current = (await this.#keys)[0]!;
    const iv = crypto.getRandomValues(new Uint8Array(ivLength));
    const plaintext = utf8.encode(JSON.stringify({ exp: expiresAt, v: value }));
    const ciphertext = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: utf8.encode(name), tagLength: tagLength * 8 },
      current.key,
      plaintext,
    );
    const sealed = new Uint8Array(ivLength + ciphertext.byteLength);
    sealed.set(iv);
    sealed.set(new Uint8Array(ciphertext), ivLength);
    return `${version}.${current.id}.${encodeBase64url(sealed)}`;
  }

  /** The length of what {@link seal} gives for `value` and `expiresAt`, without encrypting. */
  sealedLength(value: unknown, expiresAt: number): number {
    const bytes = ivLength + utf8.encode(JSON.stringify({ exp: expiresAt, v: value })).length + tagLength;
    return version.length + 1 + keyIdLength + 1 + Math.ceil((bytes * 4) / 3);
  }

  /** Decrypts a value sealed for the cookie called `name`; never rejects. */
  async unseal<T = unknown>(name: string, sealed: string): Promise<UnsealResult<T>> {
    const parts = sealed.split('.');
    if (parts.length !== 3 || parts[0] !== version) return { ok: false, reason: 'malformed' };
    const key = (await this.#keys).find((candidate) => candidate.id === parts[1]);
    if (!key) return { ok: false, reason: 'unknown_key' };
    const bytes = decodeBase64url(parts[2]!);
    if (!bytes || bytes.length < ivLength + tagLength + 1) return { ok: false, reason: 'malformed' };

    let plaintext: string;
    try {
      const decrypted = await crypto.subtle.decrypt(
        {
          name: 'AES-GCM',
          iv: bytes.subarray(0, ivLength),
          additionalData: utf8.encode(name),
          tagLength: tagLength * 8,
        },
        key.key,
        bytes.subarray(ivLength),
      );
      plaintext = new TextDecoder('utf-8', { fatal: true }).decode(decrypted);
    } catch {
      return { ok: false, reason: 'tampered' };
    }

    let payload: unknown;
    try {
      payload = JSON.parse(plaintext);
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (typeof payload !== 'object' || payload === null || !('exp' in payload) || typeof payload.exp !== 'number') {
      return { ok: false, reason: 'malformed' };
    }
    if (payload.exp <= this.#now()) return { ok: false, reason: 'expired' };
    return { ok: true, value: (payload as unknown as { v: T }).v, expiresAt: payload.exp };
  }
}

/**
 * The largest value stored in one cookie. Browsers allow about 4096 bytes per cookie, name and
 * attributes included; this leaves room for both.
 */
export const maxCookieChunkLength = 3800;

/** The name of chunk `index` of cookie `name`: `name`, `name.1`, `name.2`, … */
export function chunkName(name: string, index: number): string {
  return index === 0 ? name : `${name}.${index}`;
}

/** Splits a cookie value into `[name, value]` pairs of at most `maxLength` characters each. */
export function splitCookieValue(
  name: string,
  value: string,
  maxLength: number = maxCookieChunkLength,
): Array<[string, string]> {
  const chunks: Array<[string, string]> = [];
  for (let offset = 0, index = 0; offset < value.length || index === 0; offset += maxLength, index += 1) {
    chunks.push([chunkName(name, index), value.slice(offset, offset + maxLength)]);
  }
  return chunks;
}

/**
 * Joins the chunks of cookie `name` found in `cookies` (`name`, then `name.1`, … while present)
 * and lists every cookie that belongs to it, so a writer can clear chunks it no longer needs.
 */
export function joinCookieValue(
  name: string,
  cookies: ReadonlyMap<string, string>,
): { value: string | undefined; present: string[] } {
  const present: string[] = [];
  const chunkPrefix = `${name}.`;
  for (const cookie of cookies.keys()) {
    if (
      cookie === name ||
      (cookie.startsWith(chunkPrefix) && /^[1-9][0-9]{0,2}$/.test(cookie.slice(chunkPrefix.length)))
    ) {
      present.push(cookie);
    }
  }
  const first = cookies.get(name);
  if (first === undefined) return { value: undefined, present };
  let value = first;
  for (let index = 1; ; index += 1) {
    const next = cookies.get(chunkName(name, index));
    if (next === undefined) break;
    value += next;
  }
  return { value, present };
}
