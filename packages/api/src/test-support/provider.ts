// Test fixtures: locally generated signing keys, a token signer that can build any header (also
// attack tokens), and a scripted identity provider (discovery + JWKS) behind an injected fetch.
import { constants, createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { Jwk } from '@logto-kit/client';
import type { AccessTokenAlgorithm } from '../algorithms.ts';

export interface SigningKey {
  readonly alg: AccessTokenAlgorithm;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly jwk: Jwk;
}

let keyCounter = 0;

export function generateSigningKey(alg: AccessTokenAlgorithm, kid = `key-${++keyCounter}`): SigningKey {
  const pair =
    alg === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : alg.startsWith('ES')
        ? generateKeyPairSync('ec', { namedCurve: alg === 'ES256' ? 'P-256' : alg === 'ES384' ? 'P-384' : 'P-521' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } as Jwk;
  return { alg, kid, privateKey: pair.privateKey, publicKey: pair.publicKey, jwk };
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs `header.payload` with `key` using the algorithm `key` was made for (whatever `header.alg` says). */
export function signJws(header: Record<string, unknown>, payload: unknown, key: SigningKey): string {
  const input = `${b64(header)}.${typeof payload === 'string' ? payload : b64(payload)}`;
  const hash = { ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' }[key.alg as string];
  let signature: Buffer;
  if (key.alg === 'EdDSA') signature = sign(null, Buffer.from(input), key.privateKey);
  else if (hash) signature = sign(hash, Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  else if (key.alg.startsWith('PS')) {
    const bits = key.alg.slice(2);
    signature = sign(`sha${bits}`, Buffer.from(input), {
      key: key.privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: Number(bits) / 8,
    });
  } else signature = sign(`sha${key.alg.slice(2)}`, Buffer.from(input), key.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

/** An HS256 "signature" whose secret is the given bytes (the classic key-confusion attack). */
export function signHs256(header: Record<string, unknown>, payload: unknown, secret: Buffer): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export const shopping = 'https://shopping.your-app.com/api';

/** The claims of a Logto access token for the shopping API, issued at `nowSeconds`. */
export function claimsFor(issuer: string, nowSeconds: number, overrides: Record<string, unknown> = {}) {
  return {
    iss: issuer,
    sub: 'user-1',
    aud: shopping,
    exp: nowSeconds + 3600,
    iat: nowSeconds,
    jti: 'jti-1',
    client_id: 'sample-web-app',
    scope: 'shopping:read',
    ...overrides,
  };
}

/** A correctly signed Logto access token; `header` and `claims` override the defaults. */
export function accessToken(
  key: SigningKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  return signJws({ alg: key.alg, typ: 'at+jwt', kid: key.kid, ...header }, claims, key);
}

let issuerCounter = 0;

/**
 * A scripted Logto: discovery and JWKS for a unique endpoint (process-wide caches never leak between
 * tests), with switchable keys and outage, counting requests.
 */
export function fakeProvider(initialKeys: readonly SigningKey[]) {
  const endpoint = `https://tenant-${++issuerCounter}-${Math.random().toString(36).slice(2)}.example.com`;
  const issuer = `${endpoint}/oidc`;
  const jwksUri = `${issuer}/jwks`;
  const state = { keys: [...initialKeys], down: false, jwksRequests: 0, discoveryRequests: 0 };
  let release: Promise<void> = Promise.resolve();
  const fetchImpl = async (input: RequestInfo | URL): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url === `${issuer}/.well-known/openid-configuration`) state.discoveryRequests += 1;
    if (url === jwksUri) state.jwksRequests += 1;
    await release;
    if (state.down) throw new TypeError('fetch failed');
    if (url === `${issuer}/.well-known/openid-configuration`) {
      return Response.json({
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: jwksUri,
      });
    }
    if (url === jwksUri) return Response.json({ keys: state.keys.map((key) => key.jwk) });
    return new Response('not found', { status: 404 });
  };
  return {
    endpoint,
    issuer,
    jwksUri,
    state,
    fetch: fetchImpl as typeof fetch,
    /** Holds every response until the returned function is called. */
    hold(): () => void {
      let open!: () => void;
      release = new Promise((resolve) => {
        open = resolve;
      });
      return open;
    },
  };
}

/** A settable clock in milliseconds. */
export function clock(startMs = Date.UTC(2026, 0, 1)) {
  let time = startMs;
  return {
    now: () => time,
    seconds: () => Math.floor(time / 1000),
    advance(ms: number) {
      time += ms;
    },
  };
}
