// The protected API of Logto's "protect your API" guide, with @logto-kit/fastify.
import { createAccessTokenVerifier } from '@logto-kit/api';
import { requireAuth } from '@logto-kit/fastify';
import Fastify, { type FastifyInstance } from 'fastify';

/** The API resource indicator registered in Logto for this API. */
export const shoppingApi = 'https://shopping.your-app.com/api';

export interface ApiAppOptions {
  /** The Logto endpoint, e.g. `http://localhost:3001` (the issuer is `<endpoint>/oidc`). */
  endpoint: string;
  /** The origin allowed to call the API from a browser (default: any; tokens are not cookies). */
  allowedOrigin?: string;
  /** The `fetch` used to load Logto's discovery document and keys (for tests). */
  fetch?: typeof fetch;
}

const products = [
  { id: 1, name: 'Logto T-shirt', price: 25 },
  { id: 2, name: 'Logto mug', price: 12 },
];

/** Creates the API app; `server.ts` listens on port 3002, tests on port 0. */
export function createApiApp({ endpoint, allowedOrigin = '*', fetch }: ApiAppOptions): FastifyInstance {
  // One verifier for the whole API: it caches Logto's keys and the tokens it has verified.
  const verifier = createAccessTokenVerifier({ endpoint }, { audience: shoppingApi, fetch });
  const app = Fastify();

  // Browsers send the Authorization header only after a CORS preflight that allows it.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('access-control-allow-origin', allowedOrigin).header('vary', 'Origin');
    if (request.method !== 'OPTIONS') return;
    return reply
      .code(204)
      .header('access-control-allow-methods', 'GET, POST, OPTIONS')
      .header('access-control-allow-headers', 'Authorization, Content-Type')
      .header('access-control-max-age', '600')
      .send();
  });
  app.options('*', async () => undefined);

  app.get('/api/health', async () => ({ status: 'ok' }));

  app.get('/api/products', { preHandler: requireAuth({ verifier, scopes: ['shopping:read'] }) }, async (request) => ({
    sub: request.auth?.sub,
    products,
  }));

  app.post<{ Body: { name?: unknown } | undefined }>(
    '/api/products',
    { preHandler: requireAuth({ verifier, scopes: ['shopping:write'] }) },
    async (request, reply) => {
      const name = typeof request.body?.name === 'string' ? request.body.name : 'New product';
      return reply.code(201).send({ sub: request.auth?.sub, product: { id: products.length + 1, name } });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/organizations/:id/projects',
    {
      preHandler: requireAuth({
        verifier,
        organizationId: (request) => (request.params as { id?: string }).id,
        scopes: ['read:projects'],
      }),
    },
    async (request) => {
      const organizationId = request.auth?.organizationId;
      return {
        sub: request.auth?.sub,
        organizationId,
        projects: [{ id: `${organizationId}-website`, name: 'Website' }],
      };
    },
  );

  return app;
}
