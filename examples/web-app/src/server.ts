/**
 * Runs the web app: `npm start -w examples/web-app`. Environment: `PORT` (3000),
 * `LOGTO_ENDPOINT` (http://localhost:3001), `API_URL` (http://localhost:3002), `BASE_URL`
 * (http://localhost:<PORT>), `LOGTO_APP_ID` / `LOGTO_APP_SECRET` (the demo app), `SESSION_SECRET`.
 */
import { createWebApp, devSessionSecret } from './app.ts';

const port = Number(process.env.PORT ?? 3000);
const sessionSecret = process.env.SESSION_SECRET;
if (!sessionSecret) {
  console.warn(
    '⚠ SESSION_SECRET is not set: using the published development secret. Anyone can forge sessions with it;\n' +
      '  set SESSION_SECRET (e.g. `openssl rand -base64 32`) anywhere but on your own machine.',
  );
}

const app = createWebApp({
  endpoint: process.env.LOGTO_ENDPOINT ?? 'http://localhost:3001',
  appId: process.env.LOGTO_APP_ID ?? 'sample-web-app',
  appSecret: process.env.LOGTO_APP_SECRET ?? 'sample-web-app-secret',
  baseUrl: process.env.BASE_URL ?? `http://localhost:${port}`,
  apiUrl: process.env.API_URL ?? 'http://localhost:3002',
  sessionSecrets: [sessionSecret ?? devSessionSecret],
});

const server = app.listen(port, () => {
  console.log(`Web app: http://localhost:${port}`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
