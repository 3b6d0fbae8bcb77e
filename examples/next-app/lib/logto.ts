/**
 * The app's one Logto setup. Environment: `LOGTO_ENDPOINT` (http://localhost:3001), `BASE_URL`
 * (http://localhost:3000), `API_URL` (http://localhost:3002), `LOGTO_APP_ID` /
 * `LOGTO_APP_SECRET` (the demo app), `SESSION_SECRET`.
 */
import { createLogto } from '@logto-kit/next';

/** The shopping API's resource indicator. */
export const shoppingApi = 'https://shopping.your-app.com/api';
/** The store API's resource indicator. */
export const storeApi = 'https://store.your-app.com/api';
/** The protected API's URL. */
export const apiUrl = (process.env.API_URL ?? 'http://localhost:3002').replace(/\/+$/, '');

/** A published development value, for the demo only: anyone can forge sessions sealed with it. */
const devSessionSecret = 'logto-kit-demo-session-secret-never-use-in-production';

export const logto = createLogto({
  endpoint: process.env.LOGTO_ENDPOINT ?? 'http://localhost:3001',
  appId: process.env.LOGTO_APP_ID ?? 'sample-web-app',
  appSecret: process.env.LOGTO_APP_SECRET ?? 'sample-web-app-secret',
  baseUrl: process.env.BASE_URL ?? 'http://localhost:3000',
  scopes: [
    'email',
    'phone',
    'custom_data',
    'roles',
    'urn:logto:scope:organizations',
    'urn:logto:scope:organization_roles',
    'read:projects',
    'shopping:read',
    'shopping:write',
    'store:read',
    'store:write',
  ],
  resources: [shoppingApi, storeApi],
  session: { secrets: [process.env.SESSION_SECRET ?? devSessionSecret] },
});

/** A name to show for the signed-in user. */
export function displayName(claims: {
  sub: string;
  name?: string | null;
  username?: string | null;
  email?: string | null;
}): string {
  return claims.name ?? claims.username ?? claims.email ?? claims.sub;
}

/** An answer of the protected API: its status (0 when unreachable) and body. */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** Calls the protected API with a Bearer token. */
export async function callApi(path: string, token: string, json?: unknown): Promise<ApiAnswer> {
  let response: Response;
  try {
    response = await fetch(`${apiUrl}${path}`, {
      method: json === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: json === undefined ? undefined : JSON.stringify(json),
      cache: 'no-store',
    });
  } catch (error) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : '';
    return { status: 0, body: `The API at ${apiUrl} is unreachable (${reason}). Is it running?` };
  }
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}
