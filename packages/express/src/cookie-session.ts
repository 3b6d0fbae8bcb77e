/**
 * Encrypted cookie values: AES-256-GCM with a key derived (HKDF-SHA-256) from each secret, the
 * cookie name bound as additional authenticated data, an expiry inside the ciphertext, and
 * splitting across several cookies when the value is too large for one.
 *
 * Several secrets allow rotation: the first seals, every one of them unseals. Each sealed value
 * names its key by a short id so unsealing does not try every key.
 */
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, type KeyObject, randomBytes } from 'node:crypto';

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
  key: KeyObject;
}

const version = 'v1';
const ivLength = 12;
const tagLength = 16;
/** The shortest accepted secret, in characters. */
export const minimumSecretLength = 32;

function deriveKey(secret: string): DerivedKey {
  const ikm = Buffer.from(secret, 'utf8');
  const salt = Buffer.from('logto-kit cookie session', 'utf8');
  // A KeyObject, made once: passing raw bytes would import the key again on every cipher.
  const key = createSecretKey(Buffer.from(hkdfSync('sha256', ikm, salt, 'aes-256-gcm key', 32)));
  const id = Buffer.from(hkdfSync('sha256', ikm, salt, 'key id', 6)).toString('base64url');
  return { id, key };
}

/** Seals and unseals JSON values for cookies. One instance per set of secrets; keys are derived once. */
export class CookieSealer {
  readonly #keys: DerivedKey[];
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
    this.#keys = options.secrets.map(deriveKey);
    this.#now = options.now ?? Date.now;
  }

  /**
   * Encrypts `value` for the cookie called `name`, valid until `expiresAt` (milliseconds since
   * the epoch). The result only uses characters allowed in a cookie value.
   */
  seal(name: string, value: unknown, expiresAt: number): string {
    const current = this.#keys[0]!;
    const iv = randomBytes(ivLength);
    const cipher = createCipheriv('aes-256-gcm', current.key, iv, { authTagLength: tagLength });
    cipher.setAAD(Buffer.from(name, 'utf8'));
    const plaintext = Buffer.from(JSON.stringify({ exp: expiresAt, v: value }), 'utf8');
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const sealed = Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64url');
    return `${version}.${current.id}.${sealed}`;
  }

  /** Decrypts a value sealed for the cookie called `name`; never throws. */
  unseal<T = unknown>(name: string, sealed: string): UnsealResult<T> {
    const parts = sealed.split('.');
    if (parts.length !== 3 || parts[0] !== version) return { ok: false, reason: 'malformed' };
    const key = this.#keys.find((candidate) => candidate.id === parts[1]);
    if (!key) return { ok: false, reason: 'unknown_key' };
    const body = parts[2]!;
    if (!/^[A-Za-z0-9_-]+$/.test(body)) return { ok: false, reason: 'malformed' };
    const bytes = Buffer.from(body, 'base64url');
    if (bytes.length < ivLength + tagLength + 1) return { ok: false, reason: 'malformed' };

    let plaintext: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, bytes.subarray(0, ivLength), {
        authTagLength: tagLength,
      });
      decipher.setAAD(Buffer.from(name, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - tagLength));
      plaintext = Buffer.concat([
        decipher.update(bytes.subarray(ivLength, bytes.length - tagLength)),
        decipher.final(),
      ]).toString('utf8');
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
