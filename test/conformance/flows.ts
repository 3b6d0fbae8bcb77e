// The protocol steps both servers are driven through: an authorization request, a password sign-in
// through the Experience API (as Logto's own sign-in UI does), the code exchange, token requests.
import { createHash } from 'node:crypto';
import { Browser, type HttpObservation, observe } from './browser.ts';
import { apps, type ServerUnderTest } from './servers.ts';

/** A fixed PKCE verifier: answers stay comparable, and nothing here is a secret. */
export const codeVerifier = 'conformance-code-verifier-0123456789abcdefghijklmnop';
export const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');

export interface AuthorizationOptions {
  clientId?: string;
  redirectUri?: string;
  /** Added to `openid offline_access profile`, unless `exactScopes`. */
  scopes?: string[];
  exactScopes?: boolean;
  resources?: string[];
  prompt?: string;
  /** Other parameters (`first_screen`, `organization_id`…). */
  extra?: Record<string, string>;
  /** Leave PKCE out. */
  noPkce?: boolean;
}

/** The authorization request URL (`state` and `nonce` fixed, so answers compare). */
export function authorizationUrl(server: ServerUnderTest, options: AuthorizationOptions = {}): string {
  const params = new URLSearchParams({
    client_id: options.clientId ?? apps.web.id,
    redirect_uri: options.redirectUri ?? apps.web.redirectUri,
    response_type: 'code',
    scope: (options.exactScopes
      ? (options.scopes ?? [])
      : ['openid', 'offline_access', 'profile', ...(options.scopes ?? [])]
    ).join(' '),
    state: 'conformance-state',
    nonce: 'conformance-nonce',
    prompt: options.prompt ?? 'consent',
  });
  if (!options.noPkce) {
    params.set('code_challenge', codeChallenge);
    params.set('code_challenge_method', 'S256');
  }
  for (const resource of options.resources ?? []) params.append('resource', resource);
  for (const [name, value] of Object.entries(options.extra ?? {})) params.set(name, value);
  return `${server.issuer}/auth?${params}`;
}

export interface Credentials {
  username: string;
  password: string;
}

export const demo: Credentials = { username: 'demo', password: 'demo-password' };
export const alice: Credentials = { username: 'alice', password: 'alice-password' };

/** What the Experience API answered at each step of one sign-in. */
export interface ExperienceSteps {
  authorization: HttpObservation;
  start: HttpObservation;
  password: HttpObservation;
  identification?: HttpObservation;
  submit?: HttpObservation;
}

/** Starts an authorization request in a fresh browser (which then holds the interaction's cookies). */
export async function startAuthorization(
  server: ServerUnderTest,
  options: AuthorizationOptions = {},
): Promise<{ browser: Browser; authorization: HttpObservation }> {
  const browser = new Browser(server.endpoint);
  return { browser, authorization: await observe(await browser.fetch(authorizationUrl(server, options))) };
}

/** Starts an authorization request in a fresh browser and walks the Experience API with a password. */
export async function experienceSignIn(
  server: ServerUnderTest,
  user: Credentials,
  options: AuthorizationOptions = {},
  event: 'SignIn' | 'Register' = 'SignIn',
): Promise<{ browser: Browser; steps: ExperienceSteps; redirectTo?: string }> {
  const { browser, authorization } = await startAuthorization(server, options);
  const start = await observe(await browser.json('/api/experience', 'PUT', { interactionEvent: event }));
  const identifier = { type: 'username', value: user.username };
  const password = await observe(
    await browser.json('/api/experience/verification/password', 'POST', { identifier, password: user.password }),
  );
  const steps: ExperienceSteps = { authorization, start, password };
  const verificationId = (password.body as { verificationId?: string }).verificationId;
  if (!verificationId) return { browser, steps };
  steps.identification = await observe(
    await browser.json('/api/experience/identification', 'POST', { verificationId }),
  );
  steps.submit = await observe(await browser.json('/api/experience/submit', 'POST', {}));
  const redirectTo = (steps.submit.body as { redirectTo?: string }).redirectTo;
  return { browser, steps, ...(redirectTo ? { redirectTo } : {}) };
}

/** Follows redirects on the server (consent included) until one leaves it; returns that URL. */
export async function followToApp(server: ServerUnderTest, browser: Browser, from: string): Promise<URL> {
  let next = new URL(from, server.endpoint);
  for (let hop = 0; hop < 10; hop += 1) {
    if (next.origin !== server.endpoint) return next;
    const response = await browser.fetch(next.href);
    const location = response.headers.get('location');
    if (!location)
      throw new Error(`${server.kind}: no redirect at ${next.href}: ${response.status} ${await response.text()}`);
    next = new URL(location, next);
  }
  throw new Error(`${server.kind}: too many redirects`);
}

/** Signs a user in through the Experience API and returns the authorization code. */
export async function signIn(
  server: ServerUnderTest,
  user: Credentials = demo,
  options: AuthorizationOptions = {},
): Promise<{ browser: Browser; code: string; callback: URL }> {
  const { browser, steps, redirectTo } = await experienceSignIn(server, user, options);
  if (!redirectTo) throw new Error(`${server.kind}: sign-in failed: ${JSON.stringify(steps)}`);
  const callback = await followToApp(server, browser, redirectTo);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`${server.kind}: no code in ${callback.href}`);
  return { browser, code, callback };
}

/** A client's credentials at the token endpoint; no secret means a public client. */
export interface ClientCredentials {
  id: string;
  secret?: string;
}

export function basic(client: ClientCredentials): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret ?? '')}`).toString('base64')}`;
}

/** A request to the token endpoint: `client_secret_basic` when the client has a secret, else `client_id` in the body. */
export async function tokenRequest(
  server: ServerUnderTest,
  params: Record<string, string | string[]>,
  client: ClientCredentials = apps.web,
): Promise<{ observation: HttpObservation; body: Record<string, unknown> }> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) body.append(name, item);
  }
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (client.secret === undefined) body.set('client_id', client.id);
  else headers.authorization = basic(client);
  const observation = await observe(await fetch(`${server.issuer}/token`, { method: 'POST', headers, body }));
  return { observation, body: (observation.body ?? {}) as Record<string, unknown> };
}

/** Signs in and exchanges the code: the observation of the exchange and its token set. */
export async function signInForTokens(
  server: ServerUnderTest,
  user: Credentials = demo,
  options: AuthorizationOptions = {},
  client: ClientCredentials = apps.web,
): Promise<{ observation: HttpObservation; tokens: Record<string, unknown>; browser: Browser }> {
  const { code, browser } = await signIn(server, user, options);
  const { observation, body } = await tokenRequest(
    server,
    {
      grant_type: 'authorization_code',
      code,
      redirect_uri: options.redirectUri ?? apps.web.redirectUri,
      code_verifier: codeVerifier,
    },
    client,
  );
  if (observation.status !== 200) throw new Error(`${server.kind}: code exchange ${JSON.stringify(observation)}`);
  return { observation, tokens: body, browser };
}

/** The refresh-token grant (with `resource`, `organization_id`, `scope` when given). */
export function refresh(
  server: ServerUnderTest,
  refreshToken: unknown,
  extra: Record<string, string> = {},
  client: ClientCredentials = apps.web,
) {
  return tokenRequest(server, { grant_type: 'refresh_token', refresh_token: String(refreshToken), ...extra }, client);
}

/** `GET /oidc/me` with a bearer token (or none). */
export async function userinfo(server: ServerUnderTest, accessToken?: string): Promise<HttpObservation> {
  return observe(
    await fetch(`${server.issuer}/me`, {
      headers: accessToken === undefined ? {} : { authorization: `Bearer ${accessToken}` },
    }),
  );
}
