import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestTarget } from './request-target.ts';

describe('requestTarget', () => {
  it('splits the path and the query of an absolute URL, keeping them as sent', () => {
    assert.deepEqual(requestTarget('http://127.0.0.1:3000/page?tab=1&x=%2F'), {
      pathAndQuery: '/page?tab=1&x=%2F',
      path: '/page',
      search: '?tab=1&x=%2F',
    });
    assert.deepEqual(requestTarget('https://app.example/a/../b'), {
      pathAndQuery: '/a/../b',
      path: '/a/../b',
      search: '',
    });
    assert.deepEqual(requestTarget('https://app.example'), { pathAndQuery: '/', path: '/', search: '' });
  });

  it('drops a fragment', () => {
    assert.deepEqual(requestTarget('https://app.example/p?q=1#top'), {
      pathAndQuery: '/p?q=1',
      path: '/p',
      search: '?q=1',
    });
  });
});
