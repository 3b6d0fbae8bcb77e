// Strict parsing of a JWS in compact serialization (RFC 7515 §7.1), before any key is looked up.
// Everything here is cheap; it runs before the expensive signature check so that garbage is
// refused early.

/** The largest token accepted, in characters. Real Logto access tokens are well under 2 KB. */
export const MAX_TOKEN_LENGTH = 8192;

/**
 * A compact JWS split into its parts. The header stays encoded (see {@link decodeHeader}: one
 * provider's tokens share a few headers, so callers may decode each once); the payload is decoded but
 * not parsed (that waits for the signature).
 */
export interface CompactJws {
  /** `BASE64URL(header)`, not yet checked. */
  readonly headerSegment: string;
  /** `BASE64URL(header) "." BASE64URL(payload)`: the bytes that were signed. */
  readonly signingInput: Buffer;
  readonly payload: Buffer;
  readonly signature: Buffer;
}

/** Why a token could not be parsed; the message is safe to show (it never contains the token). */
export class MalformedJwsError extends Error {
  override readonly name = 'MalformedJwsError';
}

/**
 * Splits a compact JWS and decodes its payload and signature. Refuses (with {@link MalformedJwsError}):
 * tokens over {@link MAX_TOKEN_LENGTH}, anything but three non-empty parts, and base64url that is not
 * canonical (padding, foreign characters, non-zero trailing bits).
 */
export function parseCompactJws(token: string): CompactJws {
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new MalformedJwsError(`The access token is longer than ${MAX_TOKEN_LENGTH} characters.`);
  }
  const firstDot = token.indexOf('.');
  const secondDot = firstDot === -1 ? -1 : token.indexOf('.', firstDot + 1);
  if (secondDot === -1 || token.indexOf('.', secondDot + 1) !== -1) {
    throw new MalformedJwsError('The access token is not a JWT (expected three dot-separated parts).');
  }
  const payload = decodeSegment(token.slice(firstDot + 1, secondDot), 'payload');
  const signature = decodeSegment(token.slice(secondDot + 1), 'signature');
  return {
    headerSegment: token.slice(0, firstDot),
    signingInput: Buffer.from(token.slice(0, secondDot), 'latin1'),
    payload,
    signature,
  };
}

/** Decodes and parses the header; it must be canonical base64url of a JSON object. */
export function decodeHeader(headerSegment: string): Readonly<Record<string, unknown>> {
  return parseJsonObject(decodeSegment(headerSegment, 'header'), 'header');
}

/** Parses the decoded payload; it must be a JSON object (RFC 7519 §7.2 step 10). */
export function parseJsonObject(bytes: Buffer, part: 'header' | 'payload'): Readonly<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new MalformedJwsError(`The access token's ${part} is not valid JSON.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedJwsError(`The access token's ${part} is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}

// RFC 7515 §2: base64url without padding, and one canonical spelling per token. Node's decoder is
// lenient (it skips unknown characters, stops at `=`, accepts `+` and `/`, ignores trailing bits), so
// a segment is accepted only when it decodes to exactly as many bytes as its length implies (nothing
// skipped), uses only the base64url alphabet, and leaves no bits set past the last byte.
function decodeSegment(segment: string, part: 'header' | 'payload' | 'signature'): Buffer {
  const bytes = Buffer.from(segment, 'base64url');
  const remainder = segment.length % 4;
  if (
    segment.length === 0 ||
    remainder === 1 ||
    bytes.length !== (segment.length * 3) >> 2 ||
    segment.includes('+') ||
    segment.includes('/') ||
    (remainder !== 0 && (alphabetIndex(segment.charCodeAt(segment.length - 1)) & (remainder === 2 ? 0x0f : 0x03)) !== 0)
  ) {
    throw new MalformedJwsError(`The access token's ${part} is not canonical base64url.`);
  }
  return bytes;
}

/** The 6-bit value of a base64url character (the caller has checked that it is one). */
function alphabetIndex(code: number): number {
  if (code >= 97) return code - 71; // a-z → 26..51
  if (code >= 65) return code === 95 ? 63 : code - 65; // A-Z → 0..25, _ → 63
  if (code >= 48) return code + 4; // 0-9 → 52..61
  return 62; // -
}
