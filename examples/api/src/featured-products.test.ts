// GET /api/featured-products: the API calls its own protected GET /api/products as the demo world's
// machine-to-machine app, against a real dev server.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type DevServer, startDevServer } from '@logto-kit/dev-server';
import { type ApiAppOptions, createApiApp } from './app.ts';

describe('GET /api/featured-products (machine-to-machine)', () => {
  let devServer: DevServer;
  let tokenRequests = 0;
  const counting: typeof fetch = (input, init) => {
    if (new Request(input, init).url.endsWith('/oidc/token')) tokenRequests += 1;
    return fetch(input, init);
  };
  const started: (() => Promise<void>)[] = [];

  async function startApi(options: Omit<ApiAppOptions, 'endpoint'>): Promise<string> {
    const server = createApiApp({ endpoint: devServer.url, fetch: counting, ...options }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    started.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  before(async () => {
    devServer = await startDevServer({ port: 0, memory: true });
  });

  after(async () => {
    for (const close of started) await close();
    await devServer.close();
  });

  it('calls GET /api/products as sample-m2m, with one token request for 20 concurrent requests', async () => {
    const base = await startApi({ m2m: { appId: 'sample-m2m', appSecret: 'sample-m2m-secret' } });
    const before = tokenRequests;
    const responses = await Promise.all(Array.from({ length: 20 }, () => fetch(`${base}/api/featured-products`)));
    for (const response of responses) {
      assert.equal(response.status, 200);
      const body = await response.json();
      assert.equal(body.via, 'sample-m2m', "the products API saw the M2M app's token");
      assert.equal(body.products.length, 1);
    }
    assert.equal(tokenRequests - before, 1);
  });

  it('never sends its token to the host a request names (the Host header is not trusted)', async () => {
    const seen: (string | undefined)[] = [];
    const trap = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.end('{}');
    }).listen(0, '127.0.0.1');
    await once(trap, 'listening');
    started.push(() => new Promise<void>((resolve) => trap.close(() => resolve())));
    const trapHost = `127.0.0.1:${(trap.address() as AddressInfo).port}`;
    const base = new URL(await startApi({ m2m: { appId: 'sample-m2m', appSecret: 'sample-m2m-secret' } }));
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { host: base.hostname, port: base.port, path: '/api/featured-products', headers: { host: trapHost } },
        (res) => {
          let text = '';
          res.on('data', (chunk) => {
            text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 200, body);
    assert.equal(JSON.parse(body).via, 'sample-m2m');
    assert.deepEqual(seen, [], 'nothing reached the host named in the request');
  });

  it('answers 502 with the reason when Logto refuses the app', async () => {
    const base = await startApi({ m2m: { appId: 'sample-m2m', appSecret: 'wrong-secret' } });
    const response = await fetch(`${base}/api/featured-products`);
    assert.equal(response.status, 502);
    const body = await response.json();
    assert.equal(body.code, 'upstream_failed');
    assert.match(body.message, /token_request_failed.*invalid_client/);
  });

  it('is not served without machine-to-machine credentials', async () => {
    const base = await startApi({});
    assert.equal((await fetch(`${base}/api/featured-products`)).status, 404);
  });
});
