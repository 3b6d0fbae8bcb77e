/**
 * Runs the Hono example on Node: `npm start -w examples/hono-app`. Environment: `PORT` (3000),
 * `LOGTO_ENDPOINT` (http://localhost:3001), `BASE_URL` (http://localhost:<PORT>),
 * `LOGTO_APP_ID` / `LOGTO_APP_SECRET` (the demo app), `SESSION_SECRET`.
 */
import { serve } from '@hono/node-server';
import { createHonoApp } from './app.ts';

/** A published development value, for the demo only: anyone can forge sessions sealed with it. */
const devSessionSecret = 'logto-kit-demo-session-secret-never-use-in-production';

const port = Number(process.env.PORT ?? 3000);
const sessionSecret = process.env.SESSION_SECRET;
if (!sessionSecret) {
  console.warn(
    '⚠ SESSION_SECRET is not set: using the published development secret. Set it anywhere but your own machine.',
  );
}

const app = createHonoApp({
  endpoint: process.env.LOGTO_ENDPOINT ?? 'http://localhost:3001',
  appId: process.env.LOGTO_APP_ID ?? 'sample-web-app',
  appSecret: process.env.LOGTO_APP_SECRET ?? 'sample-web-app-secret',
  baseUrl: process.env.BASE_URL ?? `http://localhost:${port}`,
  sessionSecrets: [sessionSecret ?? devSessionSecret],
});

const server = serve({ fetch: app.fetch, port }, () => {
  console.log(`Hono web app: http://localhost:${port}`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
