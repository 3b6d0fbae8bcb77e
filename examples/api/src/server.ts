// Starts the protected API: `npm start -w examples/api` (PORT, LOGTO_ENDPOINT from the environment).
import { createApiApp } from './app.ts';

const port = Number(process.env.PORT ?? 3002);
const endpoint = process.env.LOGTO_ENDPOINT ?? 'http://localhost:3001';
// The demo world's machine-to-machine app (published dev credentials), for GET /api/featured-products.
const m2m = {
  appId: process.env.LOGTO_M2M_APP_ID ?? 'sample-m2m',
  appSecret: process.env.LOGTO_M2M_APP_SECRET ?? 'sample-m2m-secret',
};

createApiApp({ endpoint, m2m }).listen(port, () => {
  console.log(`Protected API on http://localhost:${port} (Logto at ${endpoint})`);
});
