import { base64url } from 'jose';

/** A source of cryptographically secure random bytes (default: Web Crypto `getRandomValues`). */
export type RandomBytes = (byteLength: number) => Uint8Array;

/** Web Crypto's random bytes. */
export const webCryptoRandom: RandomBytes = (byteLength) => crypto.getRandomValues(new Uint8Array(byteLength));

/** A base64url string of 32 random bytes (256 bits): for `state`, `nonce` and the PKCE verifier. */
export function randomToken(random: RandomBytes = webCryptoRandom): string {
  const bytes = random(32);
  if (bytes.length < 32) throw new Error('The random source returned fewer than 32 bytes.');
  return base64url.encode(bytes);
}

/** The RFC 7636 §4.2 `S256` code challenge of a verifier: base64url(SHA-256(ASCII(verifier))). */
export async function codeChallengeS256(codeVerifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(codeVerifier));
  return base64url.encode(new Uint8Array(digest));
}
