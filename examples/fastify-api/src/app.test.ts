// The Fastify example API against a real dev server (the example-API suite of examples/api).
import { describeExampleApi } from '../../api/src/test-support/api-example-suite.ts';
import { createApiApp } from './app.ts';

describeExampleApi('Fastify', async (endpoint) => {
  const app = createApiApp({ endpoint });
  return { url: await app.listen({ port: 0, host: '127.0.0.1' }), close: () => app.close() };
});
