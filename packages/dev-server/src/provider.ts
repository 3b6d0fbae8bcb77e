import { randomBytes } from 'node:crypto';
import type Koa from 'koa';
import Provider, { type Client, interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import {
  customizeJwtAccessToken,
  defaultAccessTokenTtl,
  resourceIndicatorsFeature,
  signingAlgorithm,
} from './access-tokens.ts';
import type { UserDirectory } from './accounts.ts';
import { backchannelLogoutFeature, backchannelLogoutFetch, backchannelLogoutMetadata } from './backchannel-logout.ts';
import { scopeClaims, userClaims } from './claims.ts';
import type { ApplicationConfig, DevServerConfig } from './config.ts';
import { createAutoConsent } from './consent.ts';
import type { Lifetimes } from './lifetimes.ts';
import { type ErrorOutput, renderErrorPage } from './pages/error.ts';
import { renderLogoutConfirm, renderLogoutSuccess } from './pages/logout.ts';
import { createRefreshTokenGrant, refreshTokenGrantParameters } from './refresh-token-grant.ts';
import { revocationAllowedPolicy } from './revocation-policy.ts';
import { createAdapterClass } from './storage/adapter.ts';
import type { DevStore, PrivateJwk } from './storage/store.ts';

export type { Lifetimes } from './lifetimes.ts';

/** Logto's lifetimes. */
export const defaultLifetimes: Readonly<Lifetimes> = {
  accessToken: defaultAccessTokenTtl,
  idToken: 3600,
  authorizationCode: 60,
  refreshToken: 14 * 24 * 3600,
  session: 14 * 24 * 3600,
  interaction: 3600,
};

/** The Logto parameters the authorization endpoint accepts besides the standard ones; the sign-in pages read them. */
export const logtoAuthorizationParameters = [
  'first_screen',
  'interaction_mode',
  'identifier',
  'direct_sign_in',
  'organization_id',
] as const;

export interface ProviderOptions {
  /** `http://localhost:<port>/oidc`. */
  issuer: string;
  config: DevServerConfig;
  store: DevStore;
  users: UserDirectory;
  /** Private signing JWKs, newest (the one that signs) first. */
  signingKeys: PrivateJwk[];
  /** The clock of the store's expiry and of the refresh-token reuse window. */
  now?: () => number;
  /** How long a consumed refresh token stays usable (default 3000 ms). */
  refreshTokenReuseWindowMs?: number;
  /** `false`: a refresh answers the same refresh token (see `DevServerOptions`). Default `true`. */
  rotateRefreshToken?: boolean;
  /** Lifetimes to change from Logto's (`defaultLifetimes`). */
  lifetimes?: Partial<Lifetimes>;
  /** Keys that sign the provider's cookies, newest first; random per process by default. */
  cookieKeys?: string[];
}

function clientMetadata(application: ApplicationConfig): Record<string, unknown> {
  const common = {
    client_id: application.id,
    client_secret: application.secret,
    client_name: application.name ?? application.id,
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: signingAlgorithm,
  };
  if (application.type === 'machine_to_machine') {
    return { ...common, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] };
  }
  return {
    ...common,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: application.redirectUris ?? [],
    post_logout_redirect_uris: application.postLogoutRedirectUris ?? [],
    ...backchannelLogoutMetadata(application),
  };
}

/**
 * Logto's JSON error bodies carry `code` (`oidc.<error>`) and `message` besides the OAuth
 * `error` and `error_description`; SDKs written for Logto may read either.
 */
async function addLogtoErrorFields(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  await next();
  const body: unknown = ctx.body;
  if (ctx.status < 400 || typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const { error, error_description: description } = body as Record<string, unknown>;
  if (typeof error !== 'string' || 'code' in body) return;
  ctx.body = { ...body, code: `oidc.${error}`, message: typeof description === 'string' ? description : error };
}

/**
 * Configures oidc-provider as a Logto-compatible OpenID provider (SPEC §3): Logto's endpoints,
 * claims and scopes, resource indicators with JWT access tokens, organization tokens, refresh-token
 * rotation with a reuse window, auto-consent for the configured (first-party) applications, and
 * sign-in through `/interaction/<uid>`. The returned provider is meant to be mounted at `/oidc`.
 */
export function createProvider(options: ProviderOptions): Provider {
  const { config, users } = options;
  const now = options.now ?? Date.now;
  const lifetimes: Lifetimes = { ...defaultLifetimes, ...options.lifetimes };
  const resourceIndicators = resourceIndicatorsFeature(config, lifetimes.accessToken);

  async function findAccount(_ctx: KoaContextWithOIDC, accountId: string) {
    const user = await users.findById(accountId);
    if (!user) return undefined;
    return {
      accountId: user.id,
      claims: async (use: string) => userClaims(user, config, use === 'id_token' ? 'id_token' : 'userinfo'),
    };
  }

  const refreshTokenGrant = createRefreshTokenGrant({
    config,
    users,
    findAccount,
    getResourceServerInfo: resourceIndicators.getResourceServerInfo,
    accessTokenTtl: lifetimes.accessToken,
    now,
    ...(options.refreshTokenReuseWindowMs === undefined ? {} : { reuseWindowMs: options.refreshTokenReuseWindowMs }),
    ...(options.rotateRefreshToken === undefined ? {} : { rotateRefreshToken: options.rotateRefreshToken }),
  });

  // Every configured application is first-party: consent is given by `loadExistingGrant`, so an
  // explicit `prompt=consent` (Logto's default, needed for refresh tokens) must not open a consent screen.
  const policy = interactionPolicy.base();
  policy.get('consent')?.checks.remove('consent_prompt');

  const provider = new Provider(options.issuer, {
    adapter: createAdapterClass(options.store.oidc, now),
    clients: config.applications.map(clientMetadata),
    clientDefaults: { id_token_signed_response_alg: signingAlgorithm },
    clientBasedCORS: (ctx: KoaContextWithOIDC, origin: string, client: Client & { redirectUris?: string[] }) =>
      origin !== 'null' &&
      ctx.oidc.route === 'userinfo' &&
      (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin),
    jwks: { keys: options.signingKeys },
    fetch: backchannelLogoutFetch,
    cookies: { keys: options.cookieKeys ?? [randomBytes(32).toString('base64url')] },
    findAccount,
    loadExistingGrant: createAutoConsent(config, users),
    interactions: {
      policy,
      url: (_ctx: KoaContextWithOIDC, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    routes: {
      authorization: '/auth',
      token: '/token',
      jwks: '/jwks',
      userinfo: '/me',
      end_session: '/session/end',
      revocation: '/token/revocation',
      introspection: '/token/introspection',
    },
    scopes: ['openid', 'offline_access', ...Object.keys(scopeClaims).filter((scope) => scope !== 'openid')],
    claims: scopeClaims,
    conformIdTokenClaims: false,
    extraParams: [...logtoAuthorizationParameters],
    extraTokenClaims: refreshTokenGrant.extraTokenClaims,
    formats: { customizers: { jwt: customizeJwtAccessToken } },
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    pkce: { required: () => true },
    enabledJWA: { idTokenSigningAlgValues: [signingAlgorithm] },
    rotateRefreshToken: true,
    ttl: {
      AccessToken: (_ctx: KoaContextWithOIDC, token: { resourceServer?: { accessTokenTTL?: number } }) =>
        token.resourceServer?.accessTokenTTL ?? lifetimes.accessToken,
      ClientCredentials: (_ctx: KoaContextWithOIDC, token: { resourceServer?: { accessTokenTTL?: number } }) =>
        token.resourceServer?.accessTokenTTL ?? lifetimes.accessToken,
      AuthorizationCode: lifetimes.authorizationCode,
      IdToken: lifetimes.idToken,
      RefreshToken: lifetimes.refreshToken,
      Grant: lifetimes.refreshToken,
      Session: lifetimes.session,
      Interaction: lifetimes.interaction,
    },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators,
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // Refresh tokens are the application's own secret; access tokens may be introspected by
        // any authenticated client, as an API (resource server) does.
        allowedPolicy: (_ctx: KoaContextWithOIDC, client: Client, token: { kind: string; clientId?: string }) =>
          token.kind !== 'RefreshToken' || token.clientId === client.clientId,
      },
      revocation: { enabled: true, allowedPolicy: revocationAllowedPolicy },
      backchannelLogout: backchannelLogoutFeature,
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx: KoaContextWithOIDC, form: string) {
          ctx.type = 'html';
          ctx.body = renderLogoutConfirm(ctx, form);
        },
        postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
          ctx.type = 'html';
          ctx.body = renderLogoutSuccess(ctx);
        },
      },
    },
    renderError(ctx: KoaContextWithOIDC, out: ErrorOutput, error: Error) {
      ctx.type = 'html';
      ctx.body = renderErrorPage(ctx, out, error);
    },
  });

  provider.registerGrantType('refresh_token', refreshTokenGrant.handler, refreshTokenGrantParameters);
  provider.use(addLogtoErrorFields);
  return provider;
}
