import { createHash, generateKeyPairSync } from 'node:crypto';
import type { DevStore, PrivateJwk, StoredKey } from './storage/store.ts';

/**
 * The RFC 7638 JWK thumbprint (SHA-256, base64url) of an EC, RSA or OKP key: the hash of its
 * required members in lexicographic order, serialized without whitespace.
 */
export function jwkThumbprint(jwk: PrivateJwk): string {
  const required: Record<string, string[]> = {
    EC: ['crv', 'kty', 'x', 'y'],
    RSA: ['e', 'kty', 'n'],
    OKP: ['crv', 'kty', 'x'],
  };
  const members = required[jwk.kty];
  if (!members) throw new TypeError(`unsupported key type ${jwk.kty}`);
  const canonical = `{${members.map((name) => `${JSON.stringify(name)}:${JSON.stringify(jwk[name])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

/** Generates an EC P-384 signing key for ES384, as a private JWK whose `kid` is its thumbprint. */
export function generateSigningKey(): PrivateJwk {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const exported = privateKey.export({ format: 'jwk' });
  const jwk: PrivateJwk = {
    kty: 'EC',
    crv: exported.crv,
    x: exported.x,
    y: exported.y,
    d: exported.d,
    alg: 'ES384',
    use: 'sig',
    kid: '',
  };
  jwk.kid = jwkThumbprint(jwk);
  return jwk;
}

/**
 * The store's signing keys, newest first (oidc-provider signs with the first usable key and
 * publishes them all). A first key is generated and stored when there is none.
 */
export async function loadSigningKeys(store: DevStore, now: () => number = Date.now): Promise<PrivateJwk[]> {
  const keys = await store.keys.listOrCreate(() => ({ jwk: generateSigningKey(), createdAt: now() }));
  return keys.map((key) => key.jwk);
}

/**
 * Adds a new signing key to the store. It becomes the signing key at the next start; the older
 * keys stay published so tokens they signed still verify.
 */
export async function addSigningKey(store: DevStore, now: () => number = Date.now): Promise<StoredKey> {
  const key: StoredKey = { jwk: generateSigningKey(), createdAt: now() };
  const [newest] = await store.keys.list();
  // Keep "newest first" strict even when the clock has not moved since the last key.
  if (newest && key.createdAt <= newest.createdAt) key.createdAt = newest.createdAt + 1;
  await store.keys.add(key);
  return key;
}
