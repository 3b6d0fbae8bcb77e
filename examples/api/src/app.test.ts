// The Express example API against a real dev server (the shared example-API suite).
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createApiApp } from './app.ts';
import { describeExampleApi } from './test-support/api-example-suite.ts';

describeExampleApi('Express', async (endpoint) => {
  const server = createApiApp({ endpoint }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
});
