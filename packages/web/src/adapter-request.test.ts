import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitTarget } from './adapter-request.ts';
import { describeFetchRequest } from './fetch-request.ts';
import { rawHeaderOf } from './node-request.ts';

describe('splitTarget', () => {
  it('splits the path and the query of an absolute URL, keeping them as sent', () => {
    assert.deepEqual(splitTarget('http://127.0.0.1:3000/page?tab=1&x=%2F'), { path: '/page', query: '?tab=1&x=%2F' });
    assert.deepEqual(splitTarget('https://app.example/a/../b'), { path: '/a/../b', query: '' });
    assert.deepEqual(splitTarget('https://app.example'), { path: '/', query: '' });
  });

  it('splits a path and query as sent (an origin-form target)', () => {
    assert.deepEqual(splitTarget('/page?tab=1?x'), { path: '/page', query: '?tab=1?x' });
    assert.deepEqual(splitTarget('/'), { path: '/', query: '' });
    assert.deepEqual(splitTarget('/sign-in?'), { path: '/sign-in', query: '?' });
  });

  it('drops a fragment, and a "?" inside it', () => {
    assert.deepEqual(splitTarget('https://app.example/p?q=1#top'), { path: '/p', query: '?q=1' });
    assert.deepEqual(splitTarget('/p#top?q=1'), { path: '/p', query: '' });
  });
});

describe('describeFetchRequest over a Node.js request', () => {
  const request = new Request('https://app.example/page?tab=1', {
    headers: { cookie: 'from=headers', origin: 'https://headers.example' },
  });

  it('reads the headers from the Node.js request’s raw headers, names in any case', () => {
    const node = { rawHeaders: ['Host', 'app.example', 'COOKIE', 'a=1', 'Origin', 'https://app.example'] };
    const described = describeFetchRequest(request, node);
    assert.equal(described.cookies, 'a=1');
    assert.equal(described.header('origin'), 'https://app.example');
    assert.equal(described.header('accept'), undefined);
    assert.deepEqual([described.path, described.query, described.secure], ['/page', '?tab=1', true]);
  });

  it('joins repeated Cookie headers with "; " as Node.js does, and takes the first of another header', () => {
    const node = {
      rawHeaders: ['cookie', 'a=1', 'Sec-Fetch-Site', 'same-origin', 'Cookie', 'b=2', 'sec-fetch-site', 'cross-site'],
    };
    const described = describeFetchRequest(request, node);
    assert.equal(described.cookies, 'a=1; b=2');
    assert.equal(described.header('sec-fetch-site'), 'same-origin');
  });

  it('does not take a header whose name only starts or ends like the one asked for', () => {
    const node = { rawHeaders: ['cookies', 'a=1', 'x-cookie', 'b=2', 'cooki', 'c=3'] };
    assert.equal(describeFetchRequest(request, node).cookies, undefined);
  });

  it('reads the Request’s headers when there is no Node.js request, or it has no raw headers', () => {
    for (const node of [undefined, {}, { rawHeaders: 'cookie: a=1' }]) {
      const described = describeFetchRequest(request, node);
      assert.equal(described.cookies, 'from=headers');
      assert.equal(described.header('origin'), 'https://headers.example');
    }
  });
});

describe('rawHeaderOf', () => {
  it('skips entries that are not strings and a name without its value', () => {
    assert.equal(rawHeaderOf(['cookie', 1, 'cookie', 'a=1'], 'cookie'), 'a=1');
    assert.equal(rawHeaderOf(['origin', 'https://a.example', 'cookie'], 'cookie'), undefined);
  });
});
