import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeMatcher } from './route-patterns.ts';

describe('routeMatcher', () => {
  it('matches a path and everything below it with /:path*, not a longer name (prefix confusion)', () => {
    const protect = routeMatcher(['/protected/:path*']);
    for (const path of ['/protected', '/protected/', '/protected/shopping', '/protected/a/b']) {
      assert.equal(protect(path), true, path);
    }
    for (const path of ['/protectedX', '/protected-area', '/', '/public/protected', '/Protected']) {
      assert.equal(protect(path), false, path);
    }
  });

  it('matches one segment with :name, one or more with :name+, and exact paths', () => {
    const protect = routeMatcher(['/orders/:id', '/files/:rest+', '/account']);
    assert.equal(protect('/orders/1'), true);
    assert.equal(protect('/orders'), false);
    assert.equal(protect('/orders/1/items'), false);
    assert.equal(protect('/files/a/b'), true);
    assert.equal(protect('/files'), false);
    assert.equal(protect('/account'), true);
    assert.equal(protect('/account/settings'), false);
  });

  it('takes literal characters literally', () => {
    const protect = routeMatcher(['/a.b']);
    assert.equal(protect('/a.b'), true);
    assert.equal(protect('/axb'), false);
  });

  it('accepts a RegExp (global ones included) and a function', () => {
    const protect = routeMatcher([/^\/admin\b/g, (path) => path.endsWith('.private')]);
    assert.equal(protect('/admin/users'), true);
    assert.equal(protect('/admin/users'), true, 'lastIndex does not carry over');
    assert.equal(protect('/notes.private'), true);
    assert.equal(protect('/notes'), false);
  });

  it('refuses a pattern it cannot read, at setup', () => {
    assert.throws(() => routeMatcher(['protected']), /starts with "\/"/);
    assert.throws(() => routeMatcher(['/a*']), /Unsupported/);
    assert.throws(() => routeMatcher(['/a/:id(\\d+)']), /Unsupported/);
  });
});
