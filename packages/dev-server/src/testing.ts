/**
 * Test helpers for applications that sign in against the dev server: they drive the real sign-in,
 * registration and sign-out pages with `fetch`, the way a browser would, without a browser.
 *
 * ```ts
 * import { signInThroughForms } from '@logto-kit/dev-server/testing';
 * const callbackUrl = await signInThroughForms(signInUrl, { username: 'demo', password: 'demo-password' });
 * await client.handleSignInCallback(callbackUrl);
 * ```
 *
 * @module
 */
import type { DevServerConfig } from './config.ts';
import { CookieJar } from './cookie-jar.ts';
import { demoWorld } from './demo-world.ts';
import { findAlert, findTitle, type ParsedForm, parseForms } from './html-form.ts';

export { CookieJar } from './cookie-jar.ts';

/** Options shared by the form helpers. */
export interface FormFlowOptions {
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
  /** The browser's cookies: pass the same jar to several calls to keep the identity server session. */
  cookieJar?: CookieJar;
}

/** Thrown when a page shows an error, or the flow reaches a page it does not expect. */
export class FormFlowError extends Error {
  /** The URL of the page that stopped the flow. */
  readonly pageUrl: string;
  /** Its HTTP status. */
  readonly status: number;
  constructor(message: string, pageUrl: string, status: number) {
    super(message);
    this.name = 'FormFlowError';
    this.pageUrl = pageUrl;
    this.status = status;
  }
}

/**
 * Signs in through the dev server's pages: opens `authorizationUrl` (or an app route that
 * redirects to it, such as `/sign-in`), fills in the sign-in form, and follows the redirects until
 * the app's `redirect_uri`. Returns that final URL (with `code` and `state`) WITHOUT requesting it,
 * for the app's callback handler; cookies the app set on the way are in the jar. When the jar
 * already holds a session, no form is shown and the URL comes straight back.
 *
 * @throws {FormFlowError} when a page shows an error (wrong password, rate limit, invalid request).
 */
export async function signInThroughForms(
  authorizationUrl: string,
  credentials: { username: string; password: string },
  options: FormFlowOptions = {},
): Promise<string> {
  return runFlow(authorizationUrl, 'redirect_uri', options, (page, forms) => {
    const form = forms.find((candidate) => hasInputs(candidate, 'identifier', 'password'));
    if (form) {
      return submit(form, { identifier: credentials.username, password: credentials.password });
    }
    if (forms.some((candidate) => hasInputs(candidate, 'username', 'password'))) {
      return { url: switchScreen(page.url, 'sign-in'), method: 'GET' };
    }
    return undefined;
  });
}

/**
 * Creates an account through the dev server's registration page and returns the redirect to the
 * app's `redirect_uri` (with `code` and `state`) WITHOUT requesting it. Works from the sign-in page
 * too (it follows the "Create account" link).
 *
 * @throws {FormFlowError} when the page shows an error (username taken, weak password, …).
 */
export async function registerThroughForms(
  authorizationUrl: string,
  account: { username: string; email?: string; password: string },
  options: FormFlowOptions = {},
): Promise<string> {
  return runFlow(authorizationUrl, 'redirect_uri', options, (page, forms) => {
    const form = forms.find((candidate) => hasInputs(candidate, 'username', 'password'));
    if (form) {
      return submit(form, { username: account.username, email: account.email ?? '', password: account.password });
    }
    if (forms.some((candidate) => hasInputs(candidate, 'identifier', 'password'))) {
      return { url: switchScreen(page.url, 'register'), method: 'GET' };
    }
    return undefined;
  });
}

/**
 * Opens an end-session URL (`/oidc/session/end?…`) and confirms "Sign out?". Returns the
 * `post_logout_redirect_uri` the server redirects to (without requesting it), or the URL of the
 * "Signed out" page when the request named none.
 *
 * @param options - a {@link CookieJar} holding the session to end, or {@link FormFlowOptions}.
 */
export async function confirmSignOut(
  endSessionUrl: string,
  options: CookieJar | FormFlowOptions = {},
): Promise<string> {
  const flowOptions = options instanceof CookieJar ? { cookieJar: options } : options;
  let confirmed = false;
  return runFlow(endSessionUrl, 'post_logout_redirect_uri', flowOptions, (_page, forms) => {
    const form = forms.find((candidate) => candidate.id === 'op.logoutForm') ?? forms.find((f) => f.method === 'post');
    if (!form) return confirmed ? 'done' : undefined;
    confirmed = true;
    return submit(form, { logout: 'yes' });
  });
}

interface Page {
  url: string;
  status: number;
  html: string;
}

interface NextRequest {
  url: string;
  method: 'GET' | 'POST';
  body?: URLSearchParams;
}

type Step = NextRequest | 'done' | undefined;

function hasInputs(form: ParsedForm, ...names: string[]): boolean {
  return names.every((name) => form.inputs.some((input) => input.name === name));
}

function submit(form: ParsedForm, values: Record<string, string>): NextRequest {
  const body = new URLSearchParams();
  for (const input of form.inputs) {
    if (!(input.name in values)) body.append(input.name, input.value);
  }
  for (const [name, value] of Object.entries(values)) body.set(name, value);
  const method = form.method === 'post' ? 'POST' : 'GET';
  if (method === 'GET') {
    const url = new URL(form.action);
    url.search = body.toString();
    return { url: url.href, method };
  }
  return { url: form.action, method, body };
}

function switchScreen(pageUrl: string, screen: 'sign-in' | 'register'): string {
  const url = new URL(pageUrl);
  url.search = new URLSearchParams({ screen }).toString();
  return url.href;
}

/**
 * Tells when a redirect leaves the identity server for the app: it goes to the URL named by
 * `parameter` (`redirect_uri`, `post_logout_redirect_uri`) in the first request of the chain that
 * carries it, so the flow may also start at an app route that redirects to the server. Without
 * such a parameter, the first redirect to another origin after a form was submitted ends the flow.
 */
class Destination {
  readonly #parameter: string;
  #target: URL | undefined;
  #formOrigin: string | undefined;

  constructor(parameter: string) {
    this.#parameter = parameter;
  }

  /** Learns the target from a request URL of the chain, if it names one. */
  observe(url: string): void {
    if (this.#target) return;
    const named = new URL(url).searchParams.get(this.#parameter);
    if (named && URL.canParse(named)) this.#target = new URL(named);
  }

  /** Records that a form of `pageUrl` was submitted. */
  submitted(pageUrl: string): void {
    this.#formOrigin ??= new URL(pageUrl).origin;
  }

  reached(location: URL): boolean {
    if (this.#target) return location.origin === this.#target.origin && location.pathname === this.#target.pathname;
    return this.#formOrigin !== undefined && location.origin !== this.#formOrigin;
  }
}

async function runFlow(
  startUrl: string,
  destinationParameter: string,
  options: FormFlowOptions,
  next: (page: Page, forms: ParsedForm[]) => Step,
): Promise<string> {
  const fetchImpl = options.fetch ?? fetch;
  const jar = options.cookieJar ?? new CookieJar();
  const destination = new Destination(destinationParameter);
  let request: NextRequest = { url: startUrl, method: 'GET' };

  for (let step = 0; step < 30; step++) {
    destination.observe(request.url);
    const cookie = jar.header(request.url);
    const headers: Record<string, string> = { accept: 'text/html' };
    if (cookie) headers.cookie = cookie;
    if (request.body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetchImpl(request.url, {
      method: request.method,
      headers,
      redirect: 'manual',
      ...(request.body ? { body: request.body.toString() } : {}),
    });
    jar.store(request.url, response.headers);

    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      const target = new URL(location, request.url);
      if (destination.reached(target)) return target.href;
      request = { url: target.href, method: 'GET' };
      continue;
    }

    const page: Page = { url: request.url, status: response.status, html: await response.text() };
    const alert = findAlert(page.html);
    const title = findTitle(page.html) ?? `HTTP ${page.status}`;
    if (alert)
      throw new FormFlowError(`${title}: ${alert} (HTTP ${page.status} at ${page.url})`, page.url, page.status);
    if (page.status >= 400) {
      throw new FormFlowError(
        `${title}: ${summarize(page.html)} (HTTP ${page.status} at ${page.url})`,
        page.url,
        page.status,
      );
    }

    const decision = next(page, parseForms(page.html, page.url));
    if (decision === 'done') return page.url;
    if (!decision) {
      throw new FormFlowError(`Unexpected page "${title}" at ${page.url}: no form to fill in.`, page.url, page.status);
    }
    if (decision.method === 'POST') destination.submitted(page.url);
    request = decision;
  }
  throw new FormFlowError(`Too many redirects and pages starting at ${startUrl}.`, request.url, 0);
}

function summarize(html: string): string {
  const text = html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** A response read by {@link AppBrowser}: not followed, body read as text. */
export interface AppPage {
  status: number;
  location: string | null;
  headers: Headers;
  body: string;
}

/**
 * A fetch-driven browser for tests of an app that signs in against the dev server: one cookie jar
 * for the app, one for the identity server, redirects never followed.
 */
export class AppBrowser {
  readonly appJar = new CookieJar();
  readonly providerJar = new CookieJar();
  readonly #appUrl: string;

  constructor(appUrl: string) {
    this.#appUrl = appUrl;
  }

  /** Requests a path or URL of the app without following redirects. */
  async request(pathOrUrl: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<AppPage> {
    const url = new URL(pathOrUrl, this.#appUrl).href;
    const cookie = this.appJar.header(url);
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...init.headers },
    });
    this.appJar.store(url, response.headers);
    return {
      status: response.status,
      location: response.headers.get('location'),
      headers: response.headers,
      body: await response.text(),
    };
  }

  /** GETs a path or URL of the app without following redirects. */
  get(pathOrUrl: string, headers: Record<string, string> = {}): Promise<AppPage> {
    return this.request(pathOrUrl, { headers });
  }

  /**
   * Signs in through the app's `start` route and the dev server's forms; returns the callback
   * response (not followed).
   */
  async signIn(
    start = '/sign-in',
    credentials = { username: 'demo', password: 'demo-password' },
  ): Promise<{ callbackUrl: string; callback: AppPage }> {
    const started = await this.get(start);
    if (started.status !== 302 || !started.location) throw new Error(`sign-in did not redirect: ${started.status}`);
    const callbackUrl = await signInThroughForms(started.location, credentials, { cookieJar: this.providerJar });
    return { callbackUrl, callback: await this.get(callbackUrl) };
  }

  /** The `Cookie` header the browser sends to the app. */
  cookieHeader(): string {
    return this.appJar.header(this.#appUrl);
  }
}

/**
 * The demo world with the sample web app (`sample-web-app`) registered at the given app URLs
 * instead of `http://localhost:3000`: redirect URI `<url>/callback`, post-logout URI `<url>/`, for
 * each. For tests and benchmarks that run the app on a random port.
 */
export function demoWorldFor(...appUrls: string[]): DevServerConfig {
  return {
    ...demoWorld,
    applications: demoWorld.applications.map((application) =>
      application.id === 'sample-web-app'
        ? {
            ...application,
            redirectUris: appUrls.map((url) => `${url}/callback`),
            postLogoutRedirectUris: appUrls.map((url) => `${url}/`),
          }
        : application,
    ),
  };
}
