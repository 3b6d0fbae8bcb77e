/**
 * The app the runtime matrix runs on every runtime: a web app on `@logto-kit/hono` (sign-in,
 * callback, sign-out, a protected page, the user's access token for the shopping API) and, on the
 * same origin, the shopping API's routes guarded by `requireAuth` and by `authenticateRequest`.
 * Only web-standard APIs: the same module runs on Node.js, Bun, Deno and workerd.
 *
 * Routes: `GET /` (`home`), `GET /protected` (redirects to sign-in when signed out), `GET /token`
 * (`{ accessToken }` for the shopping API), `GET /require-auth/read|write` and
 * `GET /authenticate-request/read|write` (scope `shopping:read` or `shopping:write`, `{ sub }`).
 */
import { ApiAuthError, authErrorResponse, authenticateRequest, createAccessTokenVerifier } from '@logto-kit/api';
import { authenticated, createLogto, type LogtoEnv, requireAuth } from '@logto-kit/hono';
import { Hono } from 'hono';

/** The API resource the guarded routes serve. */
export const shoppingApi = 'https://shopping.your-app.com/api';

/** A test value, published here: never use it for a real app. */
export const runtimeTestSessionSecret = 'runtime-matrix-session-secret-0123456789';

/** Options of {@link createRuntimeApp}. */
export interface RuntimeAppOptions {
  /** The Logto endpoint (the dev server). */
  readonly endpoint: string;
  /** This app's own URL. */
  readonly baseUrl: string;
}

/** The demo web app's configuration, the same for every framework of the matrix. */
export function runtimeAppConfig({ endpoint, baseUrl }: RuntimeAppOptions) {
  return {
    endpoint,
    appId: 'sample-web-app',
    appSecret: 'sample-web-app-secret',
    baseUrl,
    scopes: ['email', 'shopping:read'],
    resources: [shoppingApi],
    session: { secrets: [runtimeTestSessionSecret] },
  };
}

/** Creates the app; its `fetch` serves every route. */
export function createRuntimeApp({ endpoint, baseUrl }: RuntimeAppOptions): Hono<LogtoEnv> {
  const logto = createLogto(runtimeAppConfig({ endpoint, baseUrl }));
  const verifier = createAccessTokenVerifier({ endpoint }, { audience: shoppingApi });
  const app = new Hono<LogtoEnv>();
  app.use(logto.middleware);

  app.get('/', (c) => c.text('home'));
  app.get('/protected', authenticated({ shouldRedirect: true }), (c) =>
    c.text(`protected page of ${c.get('user').sub}`),
  );
  app.get('/token', authenticated({ resource: shoppingApi }), (c) => c.json({ accessToken: c.get('accessToken') }));

  for (const scope of ['read', 'write'] as const) {
    app.get(`/require-auth/${scope}`, requireAuth({ verifier, scopes: [`shopping:${scope}`] }), (c) =>
      c.json({ sub: c.get('auth').sub }),
    );
    app.get(`/authenticate-request/${scope}`, async (c) => {
      try {
        const auth = await authenticateRequest(c.req.raw, { verifier, scopes: [`shopping:${scope}`] });
        return c.json({ sub: auth.sub });
      } catch (error) {
        if (error instanceof ApiAuthError) return authErrorResponse(error);
        throw error;
      }
    });
  }
  return app;
}
