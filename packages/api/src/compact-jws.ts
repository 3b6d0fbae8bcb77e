// Strict parsing of a JWS in compact serialization (RFC 7515 §7.1), before any key is looked up.
// Everything here is cheap; it runs before the expensive signature check so that garbage is
// refused early. It also runs once per new token, next to a signature check of some 20 µs (RS256),
// so it allocates nothing it does not return: one scratch buffer takes the decoded header, payload
// and signature and the signing input, and only the payload's text is a new string. The buffer and
// its codecs are the runtime's (`#scratch`: Node's Buffer under the `node` condition, else
// Uint8Array and TextDecoder); the rules are here.
import { createScratchBuffer } from '#scratch';

/** The largest token accepted, in characters. Real Logto access tokens are well under 2 KB. */
export const MAX_TOKEN_LENGTH = 8192;

/**
 * A compact JWS split into its parts. The header stays encoded (one provider's tokens share a few
 * headers, so callers may check each once: see {@link decodeHeader}); the payload is decoded to its
 * text but not parsed (that waits for the signature: see {@link parsePayload}).
 */
export interface CompactJws {
  /** The whole token; `BASE64URL(header)` is `token.slice(0, headerEnd)`. */
  readonly token: string;
  /** Where the header segment ends (the first dot). */
  readonly headerEnd: number;
  /** Where the signing input `BASE64URL(header) "." BASE64URL(payload)` ends (the second dot). */
  readonly signingInputEnd: number;
  /** The decoded payload, as text (UTF-8), not yet parsed. */
  readonly payload: string;
  /**
   * The decoded signature, a view of the scratch buffer: valid only until the next
   * {@link parseCompactJws}, so check it straight away (or parse the token again after an `await`).
   */
  readonly signature: Uint8Array;
}

/** Why a token could not be parsed; the message is safe to show (it never contains the token). */
export class MalformedJwsError extends Error {
  override readonly name = 'MalformedJwsError';
}

// The signing input (ASCII, at most MAX_TOKEN_LENGTH bytes) and the decoded header or payload go at
// the start, the decoded signature (at most 3/4 of MAX_TOKEN_LENGTH bytes) after them. Filled and
// read synchronously, so one buffer serves every verifier.
const signatureStart = MAX_TOKEN_LENGTH;
const scratch = createScratchBuffer(signatureStart + (MAX_TOKEN_LENGTH * 3) / 4);

// A provider's tokens have one or two signature lengths and a few signing-input lengths, so the
// last view of each kind is usually the one needed again, and no view is made per token.
let signatureView = scratch.bytes.subarray(signatureStart, signatureStart);
let signingInputView = scratch.bytes.subarray(0, 0);

/**
 * Splits a compact JWS and decodes its payload and signature. Refuses (with {@link MalformedJwsError}):
 * tokens over {@link MAX_TOKEN_LENGTH}, anything but three non-empty parts, and base64url that is not
 * canonical (padding, foreign characters, non-zero trailing bits).
 */
export function parseCompactJws(token: string): CompactJws {
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new MalformedJwsError(`The access token is longer than ${MAX_TOKEN_LENGTH} characters.`);
  }
  const headerEnd = token.indexOf('.');
  const signingInputEnd = headerEnd === -1 ? -1 : token.indexOf('.', headerEnd + 1);
  if (signingInputEnd === -1 || token.indexOf('.', signingInputEnd + 1) !== -1) {
    throw new MalformedJwsError('The access token is not a JWT (expected three dot-separated parts).');
  }
  const payloadLength = decodeIntoScratch(token, headerEnd + 1, signingInputEnd, 'payload');
  const payload = scratch.text(0, payloadLength);
  const segment = token.slice(signingInputEnd + 1);
  const signatureLength = scratch.decodeBase64url(segment, signatureStart);
  assertCanonical(segment, signatureLength, 'signature');
  if (signatureView.length !== signatureLength) {
    signatureView = scratch.bytes.subarray(signatureStart, signatureStart + signatureLength);
  }
  return { token, headerEnd, signingInputEnd, payload, signature: signatureView };
}

/**
 * The bytes that were signed, `BASE64URL(header) "." BASE64URL(payload)` (ASCII, as checked by
 * {@link parseCompactJws}), as a view of the scratch buffer: valid only until the next call into
 * this module, so hand it straight to the signature check.
 */
export function signingInputOf(jws: CompactJws): Uint8Array {
  const length = scratch.writeLatin1(jws.token, jws.signingInputEnd);
  if (signingInputView.length !== length) signingInputView = scratch.bytes.subarray(0, length);
  return signingInputView;
}

/** Decodes and parses the header; it must be canonical base64url of a JSON object. */
export function decodeHeader(headerSegment: string): Readonly<Record<string, unknown>> {
  const length = decodeIntoScratch(headerSegment, 0, headerSegment.length, 'header');
  return parseJsonObject(scratch.text(0, length), 'header');
}

/** Parses the decoded payload; it must be a JSON object (RFC 7519 §7.2 step 10). */
export function parsePayload(jws: CompactJws): Readonly<Record<string, unknown>> {
  return parseJsonObject(jws.payload, 'payload');
}

function parseJsonObject(text: string, part: 'header' | 'payload'): Readonly<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MalformedJwsError(`The access token's ${part} is not valid JSON.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedJwsError(`The access token's ${part} is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}

// RFC 7515 §2: base64url without padding, and one canonical spelling per token. A runtime's decoder
// may be lenient (Node's skips unknown characters, stops at `=`, accepts `+` and `/`, ignores
// trailing bits), so a segment is accepted only when it decodes to exactly as many bytes as its
// length implies (nothing skipped), uses only the base64url alphabet, and leaves no bits set past
// the last byte.
function decodeIntoScratch(token: string, start: number, end: number, part: 'header' | 'payload'): number {
  const segment = token.slice(start, end);
  const length = scratch.decodeBase64url(segment, 0);
  assertCanonical(segment, length, part);
  return length;
}

function assertCanonical(segment: string, decodedLength: number, part: 'header' | 'payload' | 'signature'): void {
  const remainder = segment.length & 3;
  if (
    segment.length === 0 ||
    remainder === 1 ||
    decodedLength !== (segment.length * 3) >> 2 ||
    segment.includes('+') ||
    segment.includes('/') ||
    (remainder !== 0 && (alphabetIndex(segment.charCodeAt(segment.length - 1)) & (remainder === 2 ? 0x0f : 0x03)) !== 0)
  ) {
    throw new MalformedJwsError(`The access token's ${part} is not canonical base64url.`);
  }
}

/** The 6-bit value of a base64url character (the caller has checked that it is one). */
function alphabetIndex(code: number): number {
  if (code >= 97) return code - 71; // a-z → 26..51
  if (code >= 65) return code === 95 ? 63 : code - 65; // A-Z → 0..25, _ → 63
  if (code >= 48) return code + 4; // 0-9 → 52..61
  return 62; // -
}
