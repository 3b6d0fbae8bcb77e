/**
 * The guide's sample web app, with Express and `@logto-kit/express`: sign-in and sign-out, the
 * user's claims and userinfo, a call to the protected shopping API, and organization tokens.
 */
import { type IdTokenClaims, LogtoError, type UserInfoResponse } from '@logto-kit/client';
import { authenticated, createLogto, type SessionStore, userOf } from '@logto-kit/express';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { claimsTable, errorBody, escapeHtml, page, renderValue } from './html.ts';

/** The shopping API's resource indicator. */
export const shoppingApi = 'https://shopping.your-app.com/api';
/** The store API's resource indicator. */
export const storeApi = 'https://store.your-app.com/api';

/**
 * A published development value, for the demo only: anyone can forge sessions sealed with it.
 * Set `SESSION_SECRET` everywhere else.
 */
export const devSessionSecret = 'logto-kit-demo-session-secret-never-use-in-production';

/** Options of {@link createWebApp}. */
export interface WebAppOptions {
  /** The Logto endpoint, e.g. `http://localhost:3001`. */
  endpoint: string;
  appId: string;
  appSecret: string;
  /** This app's public URL, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** The protected API's URL, e.g. `http://localhost:3002`. */
  apiUrl: string;
  /** Session secrets, newest first. Defaults to the published development secret. */
  sessionSecrets?: string[];
  /** A server-side session store; sessions live in encrypted cookies without one. */
  sessionStore?: SessionStore;
  /** The `fetch` used to call the API and the identity server. */
  fetch?: typeof fetch;
}

function displayName(claims: IdTokenClaims | UserInfoResponse): string {
  return claims.name ?? claims.username ?? claims.email ?? claims.sub;
}

async function signedInAs(req: Request): Promise<string | undefined> {
  if (!req.logto || !(await req.logto.client.isAuthenticated())) return undefined;
  return displayName(await req.logto.client.getIdTokenClaims());
}

interface ApiAnswer {
  /** The HTTP status; 0 when the API could not be reached. */
  status: number;
  body: unknown;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.cause instanceof Error ? error.cause.message : error.message;
  return String(error);
}

function apiResult(request: string, answer: ApiAnswer): string {
  const status =
    answer.status === 0
      ? '<span class="bad">no answer</span>'
      : answer.status < 300
        ? `<span class="ok">HTTP ${answer.status}</span>`
        : `<span class="bad">HTTP ${answer.status}</span>`;
  return `<p><code>${escapeHtml(request)}</code> → ${status}</p>${renderValue(answer.body)}`;
}

/** Creates the Express app. */
export function createWebApp(options: WebAppOptions): Express {
  const fetchImpl = options.fetch ?? fetch;
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const logto = createLogto({
    endpoint: options.endpoint,
    appId: options.appId,
    appSecret: options.appSecret,
    baseUrl: options.baseUrl,
    scopes: [
      'email',
      'phone',
      'custom_data',
      'roles',
      'urn:logto:scope:organizations',
      'urn:logto:scope:organization_roles',
      // Organization scopes: an organization token carries those asked for here that the user's
      // organization roles grant (none that were not asked for, as in Logto).
      'read:projects',
      // API scopes: the provider grants those the user's roles allow and drops the rest.
      'shopping:read',
      'shopping:write',
      'store:read',
      'store:write',
    ],
    resources: [shoppingApi, storeApi],
    session: { secrets: options.sessionSecrets ?? [devSessionSecret], store: options.sessionStore },
    clientOptions: { fetch: fetchImpl },
  });

  async function callApi(path: string, token: string, json?: unknown): Promise<ApiAnswer> {
    let response: globalThis.Response;
    try {
      response = await fetchImpl(
        `${apiUrl}${path}`,
        json === undefined
          ? { headers: { authorization: `Bearer ${token}` } }
          : {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify(json),
            },
      );
    } catch (error) {
      return { status: 0, body: `The API at ${apiUrl} is unreachable (${describe(error)}). Is it running?` };
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: show the text.
    }
    return { status: response.status, body };
  }

  function apiSection(title: string, request: string, answer: ApiAnswer): string {
    return `<section><h2>${escapeHtml(title)}</h2>${apiResult(request, answer)}</section>`;
  }

  const app = express();
  app.disable('x-powered-by');
  app.use(logto.middleware);

  app.get('/', async (req, res) => {
    const who = await signedInAs(req);
    const body =
      who === undefined
        ? `<section><p>You are not signed in.</p>
<p><a class="button" href="/sign-in">Sign in</a> <a class="button secondary" href="/sign-up">Create an account</a></p>
<p class="muted">Demo accounts: <code>demo</code> / <code>demo-password</code>, <code>alice</code> / <code>alice-password</code>, <code>admin</code> / <code>admin-password</code> (may add products).</p></section>`
        : `<section><p>You are signed in as <b>${escapeHtml(who)}</b>.</p>
<p><a class="button" href="/protected">See your ID token claims</a> <a class="button secondary" href="/sign-out">Sign out</a></p></section>`;
    res.type('html').send(page('Home', body, who));
  });

  app.get('/protected', authenticated({ shouldRedirect: true }), (req, res) => {
    const claims = userOf(req) as IdTokenClaims;
    res.type('html').send(page('ID token claims', `<section>${claimsTable(claims)}</section>`, displayName(claims)));
  });

  app.get('/protected/userinfo', authenticated({ shouldRedirect: true, fetchUserInfo: true }), (req, res) => {
    const user = userOf(req) as UserInfoResponse;
    const body = `<section><p class="muted">From the userinfo endpoint, including the userinfo-only claims such as <code>custom_data</code>.</p>${claimsTable(user)}</section>`;
    res.type('html').send(page('User info', body, displayName(user)));
  });

  app.get('/protected/shopping', authenticated({ shouldRedirect: true, resource: shoppingApi }), async (req, res) => {
    const claims = await req.logto!.client.getAccessTokenClaims(shoppingApi);
    const answer = await callApi('/api/products', req.accessToken!);
    const body = `<section><h2>Access token for <code>${escapeHtml(shoppingApi)}</code></h2>${claimsTable(claims)}</section>
${apiSection('Shopping API answer', `GET ${apiUrl}/api/products`, answer)}
<section><h2>Add a product</h2>
<p class="muted"><code>POST /api/products</code> needs the scope <code>shopping:write</code>, which the role <code>admin</code> grants (sign in as <code>admin</code> / <code>admin-password</code>).</p>
<form method="post" action="/protected/shopping/products"><input name="name" value="Logto sticker" maxlength="100" aria-label="Product name"> <button type="submit">Add</button></form></section>`;
    res.type('html').send(page('Shopping API', body, displayName(userOf(req)!)));
  });

  // A same-site form post: the session cookie is SameSite=Lax, so another site cannot make it.
  app.post(
    '/protected/shopping/products',
    express.urlencoded({ extended: false, limit: '1kb' }),
    authenticated({ resource: shoppingApi }),
    async (req, res) => {
      const name = typeof req.body?.name === 'string' && req.body.name.trim() ? req.body.name.trim() : 'New product';
      const answer = await callApi('/api/products', req.accessToken!, { name });
      const body = `${apiSection('Shopping API answer', `POST ${apiUrl}/api/products`, answer)}
<p><a class="button secondary" href="/protected/shopping">Back</a></p>`;
      res
        .status(answer.status === 0 || answer.status >= 300 ? 502 : 200)
        .type('html')
        .send(page('Add a product', body, displayName(userOf(req)!)));
    },
  );

  app.get(
    '/protected/organizations',
    authenticated({ shouldRedirect: true, fetchUserInfo: true }),
    async (req, res) => {
      const user = userOf(req) as UserInfoResponse;
      const { client } = req.logto!;
      const organizations =
        user.organization_data ?? (user.organizations ?? []).map((id) => ({ id, name: id, description: null }));
      const sections: string[] = [];
      for (const organization of organizations) {
        let content: string;
        try {
          const claims = await client.getOrganizationTokenClaims(organization.id);
          const token = await client.getOrganizationToken(organization.id);
          const path = `/api/organizations/${encodeURIComponent(organization.id)}/projects`;
          const answer = await callApi(path, token);
          content = `<h3>Organization token</h3>${claimsTable(claims)}
<h3>Projects API</h3>${apiResult(`GET ${apiUrl}${path}`, answer)}`;
        } catch (error) {
          const code = error instanceof LogtoError ? error.code : 'request_failed';
          content = `<p class="bad">Error code: <code>${escapeHtml(code)}</code></p><p>${escapeHtml(describe(error))}</p>`;
        }
        sections.push(
          `<section><h2>${escapeHtml(organization.name)} <span class="muted">(<code>${escapeHtml(organization.id)}</code>)</span></h2>${content}</section>`,
        );
      }
      const roles = `<section><h2>Your organization roles</h2>${renderValue(user.organization_roles ?? [])}</section>`;
      const body =
        organizations.length === 0
          ? '<section><p>You are not a member of any organization.</p></section>'
          : roles + sections.join('\n');
      res.type('html').send(page('Organizations', body, displayName(user)));
    },
  );

  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof LogtoError && error.code === 'not_authenticated') {
      res.redirect(302, `/sign-in?returnTo=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    const code = error instanceof LogtoError ? error.code : 'internal_error';
    const message = error instanceof Error ? error.message : 'Something went wrong.';
    res
      .status(error instanceof LogtoError ? 502 : 500)
      .type('html')
      .send(page('Something went wrong', errorBody(code, message)));
  });

  return app;
}
