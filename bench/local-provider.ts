// What the API benchmarks share: generated signing keys, access tokens signed with them, and a
// local identity provider (discovery and JWKS only) on port 0. No dev server.
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The API resource every benchmark token is for. */
export const audience = 'https://shopping.your-app.com/api';

/** The algorithms the benchmarks sign with. */
export type Alg = 'ES384' | 'ES256' | 'RS256';

/** The hash of each benchmark algorithm. */
export const hashOf = { ES384: 'sha384', ES256: 'sha256', RS256: 'sha256' } as const;

/** A generated signing key and its public JWK. */
export interface Key {
  readonly alg: Alg;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly jwk: Record<string, unknown>;
}

/** A new key pair for `alg` (RSA 2048, P-256 or P-384). */
export function generateKey(alg: Alg): Key {
  const pair =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: alg === 'ES256' ? 'P-256' : 'P-384' });
  const kid = `bench-${alg}`;
  return { alg, kid, ...pair, jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A Logto-shaped access token (`at+jwt`, one hour) for {@link audience}, signed with `key`. */
export function signToken(key: Key, issuer: string, jti: string): string {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: key.alg, typ: 'at+jwt', kid: key.kid })}.${b64({
    iss: issuer,
    sub: 'bench-user',
    aud: audience,
    exp: now + 3600,
    iat: now,
    jti,
    client_id: 'sample-web-app',
    scope: 'shopping:read',
  })}`;
  const signature = key.alg.startsWith('ES')
    ? sign(hashOf[key.alg], Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
    : sign(hashOf[key.alg], Buffer.from(input), key.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

/** A local identity provider: discovery and JWKS only. */
export async function startJwksServer(
  keys: readonly Key[],
): Promise<{ server: Server; issuer: string; jwksUri: string }> {
  let issuer = '';
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/oidc/jwks') return res.end(JSON.stringify({ keys: keys.map((key) => key.jwk) }));
    if (req.url === '/oidc/.well-known/openid-configuration') {
      return res.end(
        JSON.stringify({
          issuer,
          jwks_uri: `${issuer}/jwks`,
          authorization_endpoint: `${issuer}/auth`,
          token_endpoint: `${issuer}/token`,
        }),
      );
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oidc`;
  return { server, issuer, jwksUri: `${issuer}/jwks` };
}
