import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { markPrivateBeforeHeaders } from './node-response.ts';

describe('markPrivateBeforeHeaders on a Node.js response', () => {
  /** What each path's handler does after the response was marked (or before, with `earlier`). */
  const handlers: Record<string, (res: ServerResponse) => void> = {
    '/plain': (res) => res.end('ok'),
    '/set-vary': (res) => res.setHeader('Vary', 'Accept').end('ok'),
    '/write-head-vary': (res) => res.writeHead(200, { Vary: 'Origin', 'Content-Type': 'text/plain' }).end('ok'),
    '/array-vary': (res) => res.setHeader('vary', ['Accept', 'Origin']).end('ok'),
    '/star-vary': (res) => res.setHeader('Vary', '*').end('ok'),
    '/own-cache-control': (res) => res.setHeader('Cache-Control', 'private, max-age=60').end('ok'),
  };
  let base: string;
  const server = createServer((req, res) => {
    if (req.url === '/earlier-vary') res.setHeader('Vary', 'Accept-Encoding');
    markPrivateBeforeHeaders(res);
    (handlers[req.url ?? ''] ?? handlers['/plain']!)(res);
  });
  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  const headersOf = async (path: string) => (await fetch(`${base}${path}`)).headers;

  it('makes the answer private, not storable, varying by cookie', async () => {
    const headers = await headersOf('/plain');
    assert.equal(headers.get('cache-control'), 'private, no-store');
    assert.equal(headers.get('vary'), 'Cookie');
  });

  it('keeps Cookie in Vary whatever Vary the handler sets, by setHeader or writeHead', async () => {
    assert.equal((await headersOf('/set-vary')).get('vary'), 'Accept, Cookie');
    assert.equal((await headersOf('/write-head-vary')).get('vary'), 'Origin, Cookie');
    assert.equal((await headersOf('/array-vary')).get('vary'), 'Accept, Origin, Cookie');
    assert.equal((await headersOf('/star-vary')).get('vary'), '*', 'Vary: * already varies by everything');
  });

  it('adds Cookie to a Vary set before it, and lets the handler choose its own Cache-Control', async () => {
    assert.equal((await headersOf('/earlier-vary')).get('vary'), 'Accept-Encoding, Cookie');
    const own = await headersOf('/own-cache-control');
    assert.equal(own.get('cache-control'), 'private, max-age=60');
    assert.equal(own.get('vary'), 'Cookie');
  });
});
