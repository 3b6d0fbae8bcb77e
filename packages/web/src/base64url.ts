/** Base64url (RFC 4648 §5, unpadded) for bytes, with web-standard APIs only. */

/** Encodes bytes as unpadded base64url. */
export function encodeBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (let offset = 0; offset < bytes.length; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const alphabet = /^[A-Za-z0-9_-]*$/;
// The last character of a 2- or 3-character tail carries 4 or 2 unused low bits, which must be zero.
const lastOfTwo = /[AQgw]$/;
const lastOfThree = /[AEIMQUYcgkosw048]$/;

/**
 * Decodes canonical unpadded base64url (RFC 4648 §5, §3.5): `undefined` for anything else, such as
 * padding, the standard alphabet, an impossible length or non-zero unused bits in the last
 * character. So each byte string has exactly one accepted text, and no altered text decodes.
 */
export function decodeBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!alphabet.test(text)) return undefined;
  const tail = text.length % 4;
  if (tail === 1 || (tail === 2 && !lastOfTwo.test(text)) || (tail === 3 && !lastOfThree.test(text))) {
    return undefined;
  }
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** `length` random bytes as base64url: session ids, lock tokens. */
export function randomBase64url(length: number): string {
  return encodeBase64url(crypto.getRandomValues(new Uint8Array(length)));
}
