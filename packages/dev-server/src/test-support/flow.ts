// Drives the dev server like a browser and a confidential client, for the protocol tests:
// a cookie jar, the authorization request with PKCE, the sign-in form, and token requests.
import { createHash, randomBytes } from 'node:crypto';
import type { DevServer } from '../server.ts';

export const webApp = {
  id: 'sample-web-app',
  secret: 'sample-web-app-secret',
  redirectUri: 'http://localhost:3000/callback',
  postLogoutRedirectUri: 'http://localhost:3000/',
} as const;
export const m2mApp = { id: 'sample-m2m', secret: 'sample-m2m-secret' } as const;
/** A single-page app (a public client: no secret), for configurations that add it to the demo world. */
export const spaApp = { id: 'sample-spa', redirectUri: 'http://localhost:3000/callback' } as const;
export const shoppingApi = 'https://shopping.your-app.com/api';
export const storeApi = 'https://store.your-app.com/api';

/** A browser's cookies for one origin. */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** One browser request (no automatic redirects), keeping cookies. */
export async function browse(jar: CookieJar, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (jar.cookies.size > 0) headers.set('cookie', jar.header());
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.store(response);
  return response;
}

export function base64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

export interface AuthorizationRequest {
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Builds a Logto-style authorization request (PKCE S256, state, nonce, prompt=consent by default). */
export function authorizationRequest(
  server: DevServer,
  options: {
    scopes?: string[];
    resources?: string[];
    clientId?: string;
    redirectUri?: string;
    prompt?: string;
    extra?: Record<string, string>;
    codeChallenge?: string;
  } = {},
): AuthorizationRequest {
  const state = base64url(randomBytes(16));
  const nonce = base64url(randomBytes(16));
  const codeVerifier = base64url(randomBytes(32));
  const url = new URL(`${server.issuer}/auth`);
  const params = url.searchParams;
  params.set('client_id', options.clientId ?? webApp.id);
  params.set('redirect_uri', options.redirectUri ?? webApp.redirectUri);
  params.set('response_type', 'code');
  params.set('scope', ['openid', 'offline_access', 'profile', ...(options.scopes ?? [])].join(' '));
  params.set('state', state);
  params.set('nonce', nonce);
  params.set('prompt', options.prompt ?? 'consent');
  params.set('code_challenge', options.codeChallenge ?? base64url(createHash('sha256').update(codeVerifier).digest()));
  params.set('code_challenge_method', 'S256');
  for (const resource of options.resources ?? []) params.append('resource', resource);
  for (const [name, value] of Object.entries(options.extra ?? {})) params.set(name, value);
  return { url: url.href, state, nonce, codeVerifier };
}

/** Extracts a form's action and fields from a sign-in page. */
function parseForm(html: string, actionSuffix: string): { action: string; fields: Map<string, string> } {
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const action = /action="([^"]*)"/i.exec(match[1] ?? '')?.[1]?.replaceAll('&amp;', '&');
    if (!action?.endsWith(actionSuffix)) continue;
    const fields = new Map<string, string>();
    for (const input of (match[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
      const name = /name="([^"]*)"/i.exec(input[1] ?? '')?.[1];
      const value = /value="([^"]*)"/i.exec(input[1] ?? '')?.[1] ?? '';
      if (name) fields.set(name, value.replaceAll('&amp;', '&'));
    }
    return { action, fields };
  }
  throw new Error(`no form posting to *${actionSuffix} in:\n${html.slice(0, 2000)}`);
}

/**
 * Follows redirects from `url` like a browser; on a sign-in page, submits `username` and
 * `password`. Resolves with the final redirect to the application (the callback URL).
 */
export async function followToApplication(
  server: DevServer,
  jar: CookieJar,
  url: string,
  credentials?: { username: string; password: string },
): Promise<URL> {
  let next = new URL(url);
  let submitted = false;
  for (let hop = 0; hop < 20; hop += 1) {
    if (next.origin !== server.url) return next;
    const response = await browse(jar, next.href);
    const location = response.headers.get('location');
    if (location) {
      next = new URL(location, next);
      continue;
    }
    const html = await response.text();
    if (!credentials || submitted || !(next.pathname.startsWith('/interaction/') || next.pathname === '/sign-in')) {
      throw new Error(`unexpected page ${response.status} at ${next.href}:\n${html.slice(0, 1000)}`);
    }
    const form = parseForm(html, '/login');
    form.fields.set('identifier', credentials.username);
    form.fields.set('password', credentials.password);
    const posted = await browse(jar, new URL(form.action, next).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([...form.fields]).toString(),
    });
    submitted = true;
    const after = posted.headers.get('location');
    if (!after) throw new Error(`sign-in failed (${posted.status}): ${(await posted.text()).slice(0, 1000)}`);
    next = new URL(after, next);
  }
  throw new Error('too many redirects');
}

export const demoUser = { username: 'demo', password: 'demo-password' } as const;
export const aliceUser = { username: 'alice', password: 'alice-password' } as const;

export interface SignedIn {
  jar: CookieJar;
  request: AuthorizationRequest;
  callback: URL;
  code: string;
}

/** Signs a user in through the pages and returns the authorization code. */
export async function signIn(
  server: DevServer,
  user: { username: string; password: string } = demoUser,
  options: Parameters<typeof authorizationRequest>[1] = {},
  jar: CookieJar = new CookieJar(),
): Promise<SignedIn> {
  const request = authorizationRequest(server, options);
  const callback = await followToApplication(server, jar, request.url, user);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code in ${callback.href}`);
  return { jar, request, callback, code };
}

export function basicAuth(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

export interface TokenResponse {
  status: number;
  body: Record<string, unknown>;
}

/**
 * A token endpoint request with `client_secret_basic` (the web app's credentials by default); a
 * client without a secret (a public client) sends its `client_id` in the body instead.
 */
export async function tokenRequest(
  server: DevServer,
  params: Record<string, string>,
  client: { id: string; secret?: string } = webApp,
): Promise<TokenResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (client.secret === undefined) params = { ...params, client_id: client.id };
  else headers.authorization = basicAuth(client.id, client.secret);
  const response = await fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Signs in and exchanges the code: the web app's token set. */
export async function signInForTokens(
  server: DevServer,
  user: { username: string; password: string } = demoUser,
  options: Parameters<typeof authorizationRequest>[1] = {},
  client: { id: string; secret?: string } = webApp,
): Promise<{ tokens: Record<string, unknown>; signedIn: SignedIn }> {
  const signedIn = await signIn(server, user, {
    ...(client.id === webApp.id ? {} : { clientId: client.id }),
    ...options,
  });
  const { status, body } = await tokenRequest(
    server,
    {
      grant_type: 'authorization_code',
      code: signedIn.code,
      redirect_uri: options.redirectUri ?? webApp.redirectUri,
      code_verifier: signedIn.request.codeVerifier,
    },
    client,
  );
  if (status !== 200) throw new Error(`code exchange failed: ${status} ${JSON.stringify(body)}`);
  return { tokens: body, signedIn };
}

/** The decoded header and payload of a JWT (no verification). */
export function decodeJwt(token: unknown): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  if (typeof token !== 'string') throw new TypeError(`not a JWT: ${String(token)}`);
  const [header = '', payload = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>,
  };
}
