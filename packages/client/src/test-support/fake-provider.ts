import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { LogtoClient } from '../client.ts';
import { json } from './fake-fetch.ts';

let counter = 0;

export type TokenHandler = (params: URLSearchParams, request: Request) => Response | Promise<Response>;

/**
 * An in-memory OpenID provider behind a fake `fetch`: discovery, JWKS (one key, ES384 unless told), token,
 * userinfo and revocation endpoints. Tests change its behaviour through its fields.
 */
export async function createFakeProvider(alg = 'ES384') {
  counter += 1;
  const endpoint = `https://tenant-${counter}-${Math.random().toString(36).slice(2)}.example.com`;
  const issuer = `${endpoint}/oidc`;
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg, use: 'sig' };

  const provider = {
    endpoint,
    issuer,
    appId: 'app-1',
    appSecret: 'secret-1',
    privateKey,
    keys: [publicJwk] as Record<string, unknown>[],
    /** Answer JWKS requests with HTTP 503. */
    jwksDown: false,
    time: 1_800_000_000_000,
    discoveryExtras: {} as Record<string, unknown>,
    /** Claims merged into every issued ID token (undefined values remove a claim). */
    idTokenClaims: {} as Record<string, unknown>,
    /** Replaces the issued ID token entirely when set. */
    idTokenOverride: undefined as string | undefined,
    /** The nonce of the sign-in in progress (the test copies it from the authorization URL). */
    nonce: undefined as string | undefined,
    sub: 'user-1',
    userinfo: undefined as Record<string, unknown> | undefined,
    /** The only access token the userinfo endpoint accepts. */
    userinfoToken: 'opaque-access-token',
    refreshCount: 0,
    currentRefreshToken: 'rt-0',
    accessTokenLifetime: 3600 as number | undefined,
    /** Issue an ID token in refresh responses too. */
    idTokenOnRefresh: false,
    tokenRequests: [] as URLSearchParams[],
    revocations: [] as URLSearchParams[],
    /** Answer revocation requests with HTTP 500. */
    failRevocation: false,
    authorizations: [] as (string | null)[],
    /** Custom token endpoint behaviour; the default implements the code and refresh grants. */
    tokenHandler: undefined as TokenHandler | undefined,
    now: () => provider.time,
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      switch (url.pathname) {
        case '/oidc/.well-known/openid-configuration':
          return json({
            issuer,
            authorization_endpoint: `${issuer}/auth`,
            token_endpoint: `${issuer}/token`,
            jwks_uri: `${issuer}/jwks`,
            userinfo_endpoint: `${issuer}/me`,
            end_session_endpoint: `${issuer}/session/end`,
            revocation_endpoint: `${issuer}/token/revocation`,
            ...provider.discoveryExtras,
          });
        case '/oidc/jwks':
          return provider.jwksDown ? new Response('down', { status: 503 }) : json({ keys: provider.keys });
        case '/oidc/token': {
          const params = new URLSearchParams(await request.text());
          provider.tokenRequests.push(params);
          provider.authorizations.push(request.headers.get('authorization'));
          if (provider.tokenHandler) return provider.tokenHandler(params, request);
          return provider.defaultToken(params);
        }
        case '/oidc/token/revocation':
          provider.revocations.push(new URLSearchParams(await request.text()));
          return new Response(null, { status: provider.failRevocation ? 500 : 200 });
        case '/oidc/me':
          if (request.headers.get('authorization') !== `Bearer ${provider.userinfoToken}`) {
            return json({ code: 'oidc.invalid_token', message: 'Invalid token.', error: 'invalid_token' }, 401);
          }
          return json(provider.userinfo ?? { sub: provider.sub, custom_data: { plan: 'pro' } });
        default:
          return new Response('not found', { status: 404 });
      }
    }) as typeof fetch,

    async signIdToken(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
      const seconds = Math.floor(provider.time / 1000);
      const payload: Record<string, unknown> = {
        iss: issuer,
        aud: provider.appId,
        sub: provider.sub,
        iat: seconds,
        exp: seconds + 3600,
        nonce: provider.nonce,
        name: 'Demo User',
        ...provider.idTokenClaims,
        ...claims,
      };
      for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
      return new SignJWT(payload).setProtectedHeader({ alg, kid: 'key-1', ...header }).sign(privateKey);
    },

    async signAccessToken(claims: Record<string, unknown>): Promise<string> {
      const seconds = Math.floor(provider.time / 1000);
      return new SignJWT({ iss: issuer, sub: provider.sub, iat: seconds, exp: seconds + 3600, ...claims })
        .setProtectedHeader({ alg, kid: 'key-1', typ: 'at+jwt' })
        .sign(privateKey);
    },

    async defaultToken(params: URLSearchParams): Promise<Response> {
      const grant = params.get('grant_type');
      if (grant === 'authorization_code') {
        provider.currentRefreshToken = 'rt-1';
        return json({
          access_token: 'opaque-access-token',
          token_type: 'Bearer',
          expires_in: provider.accessTokenLifetime,
          refresh_token: provider.currentRefreshToken,
          id_token: provider.idTokenOverride ?? (await provider.signIdToken()),
          scope: 'openid offline_access profile',
        });
      }
      if (grant === 'refresh_token') {
        if (params.get('refresh_token') !== provider.currentRefreshToken) {
          return json({ error: 'invalid_grant', error_description: 'grant request is invalid' }, 400);
        }
        provider.refreshCount += 1;
        provider.currentRefreshToken = `rt-${provider.refreshCount + 1}`;
        const resource = params.get('resource');
        const organizationId = params.get('organization_id');
        const aud = resource ?? (organizationId ? `urn:logto:organization:${organizationId}` : undefined);
        return json({
          access_token: aud
            ? await provider.signAccessToken({ aud, scope: params.get('scope') ?? '', n: provider.refreshCount })
            : `opaque-${provider.refreshCount}`,
          token_type: 'bearer',
          expires_in: provider.accessTokenLifetime,
          refresh_token: provider.currentRefreshToken,
          ...(provider.idTokenOnRefresh ? { id_token: await provider.signIdToken({ nonce: undefined }) } : {}),
        });
      }
      return json({ error: 'unsupported_grant_type' }, 400);
    },
  };
  return provider;
}

export type FakeProvider = Awaited<ReturnType<typeof createFakeProvider>>;

/** Starts a sign-in with `client`, hands its nonce to the provider, and returns the callback URL with a code. */
export async function startSignIn(
  client: LogtoClient,
  provider: FakeProvider,
  redirectUri = 'https://app.example.com/callback',
): Promise<{ authorizationUrl: URL; callbackUrl: string; state: string }> {
  const authorizationUrl = new URL(await client.signIn({ redirectUri }));
  const state = authorizationUrl.searchParams.get('state') ?? '';
  provider.nonce = authorizationUrl.searchParams.get('nonce') ?? undefined;
  return { authorizationUrl, state, callbackUrl: `${redirectUri}?code=code-1&state=${encodeURIComponent(state)}` };
}
