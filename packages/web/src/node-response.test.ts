import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { connect, createServer as createHttp2Server } from 'node:http2';
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
    '/write-head-own-cache-control': (res) => res.writeHead(200, { 'cache-control': 'private, max-age=5' }).end('ok'),
    '/write-head-message': (res) => res.writeHead(201, 'Made', { vary: 'Accept' }).end('ok'),
    '/pairs': (res) => res.writeHead(200, ['Content-Type', 'text/plain', 'X-One', '1']).end('ok'),
    '/pairs-vary': (res) => res.writeHead(200, ['Vary', 'Origin', 'Vary', 'Accept']).end('ok'),
    '/pairs-vary-cookie': (res) => res.writeHead(200, ['vary', 'cookie', 'Cache-Control', 'no-cache']).end('ok'),
    '/flush': (res) => {
      res.setHeader('Vary', 'Origin');
      res.flushHeaders();
      res.end('ok');
    },
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

  it('marks headers given in one writeHead (Node.js fast path), with or without a status message', async () => {
    const own = await headersOf('/write-head-own-cache-control');
    assert.equal(own.get('cache-control'), 'private, max-age=5');
    assert.equal(own.get('vary'), 'Cookie');
    const response = await fetch(`${base}/write-head-message`);
    assert.equal(response.status, 201);
    assert.equal(response.statusText, 'Made');
    assert.equal(response.headers.get('vary'), 'Accept, Cookie');
    assert.equal(response.headers.get('cache-control'), 'private, no-store');
  });

  it('marks headers given to writeHead as name and value pairs', async () => {
    const plain = await headersOf('/pairs');
    assert.equal(plain.get('x-one'), '1');
    assert.equal(plain.get('cache-control'), 'private, no-store');
    assert.equal(plain.get('vary'), 'Cookie');
    assert.equal((await headersOf('/pairs-vary')).get('vary'), 'Origin, Accept, Cookie');
    const own = await headersOf('/pairs-vary-cookie');
    assert.equal(own.get('vary'), 'cookie', 'already varies by cookie');
    assert.equal(own.get('cache-control'), 'no-cache');
  });

  it('marks headers flushed before the body', async () => {
    const headers = await headersOf('/flush');
    assert.equal(headers.get('vary'), 'Origin, Cookie');
    assert.equal(headers.get('cache-control'), 'private, no-store');
  });

  it('adds Cookie to a Vary set before it, and lets the handler choose its own Cache-Control', async () => {
    assert.equal((await headersOf('/earlier-vary')).get('vary'), 'Accept-Encoding, Cookie');
    const own = await headersOf('/own-cache-control');
    assert.equal(own.get('cache-control'), 'private, max-age=60');
    assert.equal(own.get('vary'), 'Cookie');
  });
});

describe('markPrivateBeforeHeaders on an HTTP/2 response', () => {
  it('marks the answer and keeps Cookie in a Vary given to writeHead', async () => {
    const server = createHttp2Server((req, res) => {
      markPrivateBeforeHeaders(res);
      if (req.url === '/vary') res.writeHead(200, { vary: 'Origin' }).end('ok');
      else res.end('ok');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const headersOf = async (path: string) => {
      const stream = client.request({ ':path': path });
      const [headers] = (await once(stream, 'response')) as [Record<string, unknown>];
      stream.resume();
      await once(stream, 'end');
      return headers;
    };
    try {
      const plain = await headersOf('/');
      assert.equal(plain['cache-control'], 'private, no-store');
      assert.equal(plain.vary, 'Cookie');
      assert.equal((await headersOf('/vary')).vary, 'Origin, Cookie');
    } finally {
      client.close();
      server.close();
    }
  });
});
