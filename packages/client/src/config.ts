import { LogtoError } from './errors.ts';

/**
 * The `prompt` values of the authorization request (OpenID Connect Core 1.0 §3.1.2.1), named as in
 * the official SDKs (`Prompt.Consent`); plain strings work too.
 */
export const Prompt = {
  /** Ask for consent: Logto issues a refresh token only then (the default). */
  Consent: 'consent',
  /** Ask the user to sign in again, even with a session at Logto. */
  Login: 'login',
  /** Show no page: fail with `login_required` unless the user has a session at Logto. */
  None: 'none',
  /** Let the user pick an account. */
  SelectAccount: 'select_account',
} as const;
/** One of {@link Prompt}'s values. */
export type Prompt = (typeof Prompt)[keyof typeof Prompt];

/** The configuration of a `LogtoClient`: the values from the app's page in Logto Console. */
export interface LogtoConfig {
  /** The Logto endpoint, e.g. `https://your-tenant.logto.app` or `http://localhost:3001`; the issuer is `<endpoint>/oidc`. */
  endpoint: string;
  /** The application id. */
  appId: string;
  /** The application secret (a traditional web app is a confidential client). */
  appSecret?: string;
  /** Extra scopes, e.g. `UserScope.Email` or API scopes like `shopping:read`. `openid offline_access profile` are always added. */
  scopes?: string[];
  /** API resource indicators to request access tokens for. */
  resources?: string[];
  /** The `prompt` of sign-in requests (default `consent`, which Logto needs to issue a refresh token). */
  prompt?: Prompt | Prompt[];
  /** Add the reserved scopes `offline_access` and `profile` (default true; `openid` is always requested). */
  includeReservedScopes?: boolean;
  /** Allowed clock skew when checking ID tokens, in seconds (default 60). */
  clockToleranceSeconds?: number;
}

/**
 * Checks a configuration early, with messages that say where to find the right value.
 *
 * @throws {LogtoError} `invalid_config`.
 */
export function validateConfig(config: LogtoConfig): void {
  const invalid = (message: string) => new LogtoError('invalid_config', message);
  let endpoint: URL;
  try {
    endpoint = new URL(config.endpoint);
  } catch {
    throw invalid(
      `The Logto endpoint ${JSON.stringify(config.endpoint)} is not an absolute URL. Use the endpoint shown in Logto Console, e.g. "https://your-tenant.logto.app".`,
    );
  }
  if (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') {
    throw invalid(`The Logto endpoint must be an http(s) URL, got ${JSON.stringify(config.endpoint)}.`);
  }
  if (typeof config.appId !== 'string' || config.appId === '') {
    throw invalid('The appId is missing. Copy the "App ID" from the application details page in Logto Console.');
  }
  if (typeof config.appSecret !== 'string' || config.appSecret === '') {
    throw invalid(
      'The appSecret is missing. Copy the "App secret" from the application details page in Logto Console (Applications → your app).',
    );
  }
  const tolerance = config.clockToleranceSeconds;
  if (tolerance !== undefined && (!Number.isFinite(tolerance) || tolerance < 0)) {
    throw invalid('clockToleranceSeconds must be a non-negative number of seconds.');
  }
}
