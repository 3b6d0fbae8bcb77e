// Starts the protected API on Fastify: `npm start -w examples/fastify-api` (PORT, LOGTO_ENDPOINT from the environment).
import { createApiApp } from './app.ts';

const port = Number(process.env.PORT ?? 3002);
const endpoint = process.env.LOGTO_ENDPOINT ?? 'http://localhost:3001';

const app = createApiApp({ endpoint });
await app.listen({ port, host: 'localhost' });
console.log(`Protected API (Fastify) on http://localhost:${port} (Logto at ${endpoint})`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => app.close().then(() => process.exit(0)));
}
