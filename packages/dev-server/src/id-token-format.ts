import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { PrivateJwk } from './storage/store.ts';

/** Access-token values the provider does not keep on the token (JWT access tokens), for `at_hash`. */
const accessTokenValues = new WeakMap<object, string>();

/** Records the value an access token was issued as, so an ID token issued with it gets its `at_hash`. */
export function rememberAccessTokenValue(accessToken: object, value: string): void {
  accessTokenValues.set(accessToken, value);
}

interface IdTokenInstance {
  extra: Record<string, unknown>;
  ctx?: { oidc?: { entities?: { AccessToken?: { jti?: string; format?: string } } } };
  set(key: string, value: unknown): void;
}

type Issue = (this: IdTokenInstance, options?: { use?: string }) => Promise<string>;

/** Node's digest and signature encoding per JWS algorithm, for the algorithms the dev server signs with. */
const signers: Record<string, { digest: string; ecdsa: boolean }> = {
  ES256: { digest: 'sha256', ecdsa: true },
  ES384: { digest: 'sha384', ecdsa: true },
  ES512: { digest: 'sha512', ecdsa: true },
  RS256: { digest: 'sha256', ecdsa: false },
  RS384: { digest: 'sha384', ecdsa: false },
  RS512: { digest: 'sha512', ecdsa: false },
};

/**
 * Makes the provider's ID tokens look like Logto's: the header says `typ: "JWT"`, and the
 * payload carries `at_hash` for the access token issued alongside (oidc-provider 9 sets neither;
 * Logto's provider sets both). The token is signed again with the same key (same `kid`).
 */
export function formatIdTokensAsLogto(provider: Provider, signingKeys: readonly PrivateJwk[]): void {
  const keys = new Map<string, KeyObject>();
  for (const jwk of signingKeys) keys.set(jwk.kid, createPrivateKey({ key: jwk as never, format: 'jwk' }));
  const prototype = (provider as unknown as { IdToken: { prototype: { issue: Issue } } }).IdToken.prototype;
  const issue = prototype.issue;
  prototype.issue = async function issueAsLogto(options) {
    if (options?.use !== 'idtoken') return issue.call(this, options);
    const accessToken = this.ctx?.oidc?.entities?.AccessToken;
    if (accessToken && this.extra.at_hash === undefined) {
      const value = accessTokenValues.get(accessToken) ?? (accessToken.format === 'jwt' ? undefined : accessToken.jti);
      if (value) this.set('at_hash', value);
    }
    return withJwtType(await issue.call(this, options), keys);
  };
}

/** Re-signs a compact JWS with `typ: "JWT"` in its header; unchanged when its key or algorithm is not the server's. */
function withJwtType(token: string, keys: ReadonlyMap<string, KeyObject>): string {
  const [encodedHeader = '', payload = ''] = token.split('.');
  const header = JSON.parse(Buffer.from(encodedHeader, 'base64url').toString()) as Record<string, unknown>;
  const key = typeof header.kid === 'string' ? keys.get(header.kid) : undefined;
  const signer = typeof header.alg === 'string' ? signers[header.alg] : undefined;
  if (!key || !signer || header.typ !== undefined) return token;
  const typed = Buffer.from(JSON.stringify({ alg: header.alg, typ: 'JWT', kid: header.kid })).toString('base64url');
  const input = Buffer.from(`${typed}.${payload}`);
  const signature = sign(signer.digest, input, signer.ecdsa ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${typed}.${payload}.${signature.toString('base64url')}`;
}
