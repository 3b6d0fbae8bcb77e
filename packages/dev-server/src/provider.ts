import { randomBytes } from 'node:crypto';
import Provider, {
  type Adapter,
  type AdapterPayload,
  type Client,
  errors,
  interactionPolicy,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import {
  customizeJwtAccessToken,
  defaultAccessTokenTtl,
  resourceIndicatorsFeature,
  signingAlgorithm,
} from './access-tokens.ts';
import type { UserDirectory } from './accounts.ts';
import { backchannelLogoutFeature, backchannelLogoutFetch, backchannelLogoutMetadata } from './backchannel-logout.ts';
import { scopeClaims, userClaims } from './claims.ts';
import { clientCredentialsGrantParameters, createClientCredentialsGrant } from './client-credentials-grant.ts';
import type { ApplicationConfig, DevServerConfig } from './config.ts';
import { createAutoConsent } from './consent.ts';
import { formatIdTokensAsLogto } from './id-token-format.ts';
import { interactionUrl } from './interaction-url.ts';
import type { Lifetimes } from './lifetimes.ts';
import { addLogtoErrorFields } from './logto-error-body.ts';
import { acceptJsonTokenRequests, splitCommaSeparatedResources } from './logto-request-forms.ts';
import type { ErrorOutput } from './pages/error.ts';
import { logoutConfirmHeaders, renderLogoutConfirm, renderLogoutSuccess } from './pages/logout.ts';
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
  'one_time_token',
  'google_one_tap_credential',
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
  /** Rotate every client's refresh token on every use (see `DevServerOptions`). Default `false`. */
  rotateRefreshTokenOnEveryUse?: boolean;
  /** Lifetimes to change from Logto's (`defaultLifetimes`). */
  lifetimes?: Partial<Lifetimes>;
  /** Keys that sign the provider's cookies, newest first; random per process by default. */
  cookieKeys?: string[];
}

function clientMetadata(application: ApplicationConfig): Record<string, unknown> {
  const common = {
    client_id: application.id,
    client_name: application.name ?? application.id,
    id_token_signed_response_alg: signingAlgorithm,
    ...(application.type === 'spa'
      ? { token_endpoint_auth_method: 'none' }
      : { client_secret: application.secret, token_endpoint_auth_method: 'client_secret_basic' }),
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
 * Every application is configured statically, so a client the provider asks the store for does not
 * exist: answered as Logto's client lookup does (400 `invalid_client`, "invalid client <id>"), not
 * as a failed client authentication (401).
 */
function withLogtoClientLookup(Base: new (model: string) => Adapter): new (model: string) => Adapter {
  return class LogtoClientLookup extends Base {
    readonly #model: string;
    constructor(model: string) {
      super(model);
      this.#model = model;
    }
    override async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.#model === 'Client') throw new errors.InvalidClient(`invalid client ${id}`);
      return super.find(id);
    }
  };
}

/**
 * Configures oidc-provider as a Logto-compatible OpenID provider (SPEC §3): Logto's endpoints,
 * claims and scopes, resource indicators with JWT access tokens, organization tokens, refresh-token
 * rotation with a reuse window, auto-consent for the configured (first-party) applications, and
 * sign-in at Logto's screens (`/sign-in?app_id=…`). The returned provider is meant to be mounted at
 * `/oidc`.
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
    ...(options.rotateRefreshTokenOnEveryUse ? { rotateRefreshTokenOnEveryUse: true } : {}),
  });

  // Every configured application is first-party: consent is given by `loadExistingGrant`, so an
  // explicit `prompt=consent` (Logto's default, needed for refresh tokens) must not open a consent screen.
  const policy = interactionPolicy.base();
  policy.get('consent')?.checks.remove('consent_prompt');

  const provider = new Provider(options.issuer, {
    adapter: withLogtoClientLookup(createAdapterClass(options.store.oidc, now)),
    clients: config.applications.map(clientMetadata),
    clientDefaults: { id_token_signed_response_alg: signingAlgorithm },
    clientBasedCORS: (ctx: KoaContextWithOIDC, origin: string, client: Client & { redirectUris?: string[] }) =>
      origin !== 'null' &&
      ctx.oidc.route === 'userinfo' &&
      (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin),
    jwks: { keys: options.signingKeys },
    fetch: backchannelLogoutFetch,
    // As Logto: every cookie on `/`, so the Experience API (`/api/experience`) sees the interaction's.
    cookies: {
      keys: options.cookieKeys ?? [randomBytes(32).toString('base64url')],
      long: { sameSite: 'lax', path: '/', signed: true, overwrite: true },
      short: { sameSite: 'lax', path: '/', signed: true, overwrite: true },
    },
    findAccount,
    loadExistingGrant: createAutoConsent(config, users),
    interactions: {
      policy,
      url: (_ctx: KoaContextWithOIDC, interaction: { params: Record<string, unknown>; prompt: { name: string } }) =>
        interactionUrl(interaction.params, interaction.prompt.name),
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
    scopes: [
      'openid',
      'offline_access',
      ...Object.keys(scopeClaims).filter((scope) => scope !== 'openid'),
      // Logto's scope for the sessions of its account center; it releases no claim.
      'urn:logto:scope:sessions',
    ],
    claims: scopeClaims,
    conformIdTokenClaims: false,
    extraParams: [...logtoAuthorizationParameters],
    extraTokenClaims: refreshTokenGrant.extraTokenClaims,
    formats: { customizers: { jwt: customizeJwtAccessToken } },
    // Logto's sets (each application is still limited to what it is registered for: `code`, its auth method).
    responseTypes: ['code', 'id_token', 'code id_token', 'none'],
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt'],
    // As Logto: PKCE is required, except from confidential apps that authenticate with client_secret_basic.
    pkce: {
      required: (_ctx: KoaContextWithOIDC, client: Client) => client.clientAuthMethod !== 'client_secret_basic',
      methods: ['S256'],
    },
    enabledJWA: {
      idTokenSigningAlgValues: [signingAlgorithm],
      clientAuthSigningAlgValues: ['HS256', 'RS256', 'PS256', 'ES256', 'EdDSA'],
    },
    discovery: { request_parameter_supported: false },
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
      // Logto has no DPoP; sender-constrained tokens would not work against it.
      dPoP: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx: KoaContextWithOIDC, form: string) {
          ctx.type = 'html';
          ctx.set(logoutConfirmHeaders);
          ctx.body = renderLogoutConfirm(ctx, form);
        },
        postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
          ctx.type = 'html';
          ctx.body = renderLogoutSuccess(ctx);
        },
      },
    },
    // As Logto: errors the provider would render as a page (a bad redirect_uri at /auth…) are
    // answered as JSON, with Logto's fields added by addLogtoErrorFields.
    renderError(ctx: KoaContextWithOIDC, out: ErrorOutput) {
      ctx.type = 'json';
      ctx.body = out;
    },
  });

  provider.registerGrantType('refresh_token', refreshTokenGrant.handler, refreshTokenGrantParameters);
  provider.registerGrantType(
    'client_credentials',
    createClientCredentialsGrant({ getResourceServerInfo: resourceIndicators.getResourceServerInfo }),
    clientCredentialsGrantParameters,
  );
  provider.use(addLogtoErrorFields);
  provider.use(splitCommaSeparatedResources);
  provider.use(acceptJsonTokenRequests);
  formatIdTokensAsLogto(provider, options.signingKeys);
  return provider;
}
