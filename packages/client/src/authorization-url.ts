import type { Prompt } from './config.ts';
import { LogtoError } from './errors.ts';

/** The `first_screen` values Logto understands. */
export type FirstScreen =
  | 'sign_in'
  | 'register'
  | 'reset_password'
  | 'identifier:sign_in'
  | 'identifier:register'
  | 'single_sign_on';

/** Options of `LogtoClient.signIn`. */
export interface SignInOptions {
  /** Where Logto sends the user back: must be registered for the app, exactly. */
  redirectUri: string;
  /** `signUp` shows the registration screen first (older form of `firstScreen: 'register'`). */
  interactionMode?: 'signIn' | 'signUp';
  /** The first screen Logto shows. */
  firstScreen?: FirstScreen;
  /** Pre-fills the identifier (username, email or phone). */
  loginHint?: string;
  /** The identifier types offered on the first screen, e.g. `['email', 'username']`. */
  identifiers?: string[];
  /** Skip Logto's sign-in page and go straight to a social or SSO connector. */
  directSignIn?: { method: 'social' | 'sso'; target: string };
  /** Sign in in the context of an organization. */
  organizationId?: string;
  /** Preferred UI languages, e.g. `'de en'`. */
  uiLocales?: string;
  /**
   * A one-time token issued by Logto's Management API (e.g. for a magic link or an invitation),
   * sent as `one_time_token`; use it with `loginHint` set to the email address it was issued for.
   */
  oneTimeToken?: string;
  /** The `prompt` of this sign-in, instead of the configured one (default `consent`). */
  prompt?: Prompt | Prompt[];
  /**
   * Forget the stored tokens when the sign-in starts (default `false`: they are replaced when the
   * callback succeeds, so a sign-in abandoned in another tab does not sign the user out).
   */
  clearTokens?: boolean;
  /** Additional authorization request parameters; they cannot override the protocol's own. */
  extraParams?: Record<string, string>;
  /** Where the app wants to send the user after the callback; returned by `LogtoClient.handleSignInCallback`. */
  postRedirectUri?: string;
}

/** Parameters the client sets itself; `extraParams` may not override them. */
const protocolParams = new Set([
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'resource',
  'prompt',
]);

/** Everything an authorization request (OpenID Connect Core 1.0 §3.1.2.1, RFC 7636, RFC 8707) carries. */
export interface AuthorizationRequest extends SignInOptions {
  authorizationEndpoint: string;
  clientId: string;
  scopes: readonly string[];
  resources: readonly string[];
  prompt: Prompt | Prompt[];
  state: string;
  nonce: string;
  codeChallenge: string;
}

/**
 * Refuses `extraParams` that would override a parameter the client sets itself.
 *
 * @throws {LogtoError} `invalid_config`.
 */
export function checkExtraParams(extraParams: Record<string, string> | undefined): void {
  for (const name of Object.keys(extraParams ?? {})) {
    if (protocolParams.has(name)) {
      throw new LogtoError('invalid_config', `extraParams cannot set "${name}": the client sets it itself.`);
    }
  }
}

/** The authorization URL: the protocol parameters, then Logto's optional ones, then `extraParams`. */
export function buildAuthorizationUrl(request: AuthorizationRequest): string {
  checkExtraParams(request.extraParams);
  const url = new URL(request.authorizationEndpoint);
  const params = url.searchParams;
  params.set('client_id', request.clientId);
  params.set('redirect_uri', request.redirectUri);
  params.set('response_type', 'code');
  params.set('scope', request.scopes.join(' '));
  params.set('state', request.state);
  params.set('nonce', request.nonce);
  params.set('code_challenge', request.codeChallenge);
  params.set('code_challenge_method', 'S256');
  params.set('prompt', Array.isArray(request.prompt) ? request.prompt.join(' ') : request.prompt);
  for (const resource of request.resources) params.append('resource', resource);
  if (request.firstScreen) params.set('first_screen', request.firstScreen);
  if (request.interactionMode) params.set('interaction_mode', request.interactionMode);
  if (request.loginHint) params.set('login_hint', request.loginHint);
  if (request.identifiers?.length) params.set('identifier', request.identifiers.join(' '));
  if (request.directSignIn) {
    params.set('direct_sign_in', `${request.directSignIn.method}:${request.directSignIn.target}`);
  }
  if (request.organizationId) params.set('organization_id', request.organizationId);
  if (request.uiLocales) params.set('ui_locales', request.uiLocales);
  if (request.oneTimeToken) params.set('one_time_token', request.oneTimeToken);
  for (const [name, value] of Object.entries(request.extraParams ?? {})) params.set(name, value);
  return url.href;
}
