import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitTarget } from './adapter-request.ts';

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
