// What each runtime's thin layer provides to the shared verification code, so that the parsing,
// header, claim and key-selection rules are written once. The package's `imports` map picks the
// layer: `#signature` and `#scratch` name the Web Crypto modules by default and the node:crypto /
// Buffer modules under the `node` condition, where they are faster.

import type { Jwk } from '@logto-kit/client';
import type { AccessTokenAlgorithm } from './algorithms.ts';

/**
 * Preparing keys and checking signatures. Either answer may be synchronous (node:crypto) or a
 * promise (Web Crypto); the shared code stays synchronous while every answer is.
 */
export interface SignatureLayer<Key extends PreparedKey> {
  /**
   * The key of a JWK prepared for `alg` (the JWK must fit `alg`: see `jwkFitsAlgorithm`), or
   * `undefined` when it is not a usable public key (malformed, or an RSA modulus under 2048 bits).
   * The expensive part (converting or importing the JWK) is done once per JWK object.
   */
  verificationKey(alg: AccessTokenAlgorithm, jwk: Jwk): Key | undefined | Promise<Key | undefined>;
  /**
   * Whether `signature` is the JWS signature of `signingInput` under `key`. Both byte arrays may be
   * views of a buffer that is reused as soon as this returns: a layer that answers later copies them.
   */
  verifySignature(key: Key, signingInput: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;
}

/** A key prepared for one algorithm. */
export interface PreparedKey {
  readonly alg: AccessTokenAlgorithm;
}

/**
 * One reused byte buffer, and the text codecs that write into and read from it: base64url (RFC 4648
 * §5) decoding, UTF-8 decoding, and Latin-1 encoding.
 */
export interface ScratchBuffer {
  /** The buffer. */
  readonly bytes: Uint8Array;
  /**
   * Decodes base64url `segment` into the buffer at `offset` and returns the number of bytes written.
   * A decoder may be lenient: the caller refuses a segment whose count differs from
   * `segment.length * 3 >> 2`, or that has `+`, `/`, a length of 4n + 1, or bits past the last byte.
   */
  decodeBase64url(segment: string, offset: number): number;
  /** The UTF-8 text of the bytes from `start` to `end` (invalid sequences become U+FFFD). */
  text(start: number, end: number): string;
  /** Writes the first `length` characters of `text` (all below U+0100) as Latin-1 at 0; returns `length`. */
  writeLatin1(text: string, length: number): number;
}
