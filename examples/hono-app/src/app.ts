/**
 * A small web app with Hono and `@logto-kit/hono`: a home page with sign-in and sign-out, and a
 * protected page with the signed-in user's claims. Web-standard: the same app runs on Bun, Deno
 * or an edge runtime; `server.ts` serves it on Node.
 */
import { authenticated, createLogto, type LogtoEnv } from '@logto-kit/hono';
import { Hono } from 'hono';
import { html } from 'hono/html';

/** Options of {@link createHonoApp}. */
export interface HonoAppOptions {
  /** The Logto endpoint, e.g. `http://localhost:3001`. */
  endpoint: string;
  appId: string;
  appSecret: string;
  /** This app's public URL, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** Session secrets, newest first (at least 32 characters each). */
  sessionSecrets: string[];
}

const layout = (body: ReturnType<typeof html>) =>
  html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hono + Logto</title></head>
<body>${body}</body></html>`;

/** Creates the app. */
export function createHonoApp(options: HonoAppOptions): Hono<LogtoEnv> {
  const logto = createLogto({
    endpoint: options.endpoint,
    appId: options.appId,
    appSecret: options.appSecret,
    baseUrl: options.baseUrl,
    scopes: ['email'],
    session: { secrets: options.sessionSecrets },
  });
  const app = new Hono<LogtoEnv>();
  app.use(logto.middleware);

  app.get('/', async (c) => {
    const { client } = c.get('logto');
    if (!(await client.isAuthenticated())) {
      return c.html(layout(html`<h1>Hono + Logto</h1><p><a href="${logto.paths.signIn}">Sign in</a></p>`));
    }
    const { sub, username } = await client.getIdTokenClaims();
    return c.html(
      layout(html`<h1>Hono + Logto</h1>
<p>Signed in as <strong>${username ?? sub}</strong>.</p>
<p><a href="/protected">Protected page</a></p>
<form method="post" action="${logto.paths.signOut}"><button type="submit">Sign out</button></form>`),
    );
  });

  app.get('/protected', authenticated({ shouldRedirect: true }), (c) => {
    const user = c.get('user');
    return c.html(
      layout(html`<h1>Protected page</h1>
<p>Only signed-in users see this. Your claims:</p>
<pre id="claims">${JSON.stringify(user, null, 2)}</pre>
<p><a href="/">Home</a></p>`),
    );
  });

  return app;
}
