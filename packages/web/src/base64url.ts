/** Base64url (RFC 4648 §5, unpadded) for bytes, with web-standard APIs only. */

/** Encodes bytes as unpadded base64url. */
export function encodeBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (let offset = 0; offset < bytes.length; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes unpadded base64url; the caller has checked the alphabet (`[A-Za-z0-9_-]`). */
export function decodeBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** `length` random bytes as base64url: session ids, lock tokens. */
export function randomBase64url(length: number): string {
  return encodeBase64url(crypto.getRandomValues(new Uint8Array(length)));
}
