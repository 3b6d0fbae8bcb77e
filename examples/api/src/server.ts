// Starts the protected API: `npm start -w examples/api` (PORT, LOGTO_ENDPOINT from the environment).
import { createApiApp } from './app.ts';

const port = Number(process.env.PORT ?? 3002);
const endpoint = process.env.LOGTO_ENDPOINT ?? 'http://localhost:3001';

createApiApp({ endpoint }).listen(port, () => {
  console.log(`Protected API on http://localhost:${port} (Logto at ${endpoint})`);
});
