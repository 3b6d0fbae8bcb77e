import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CookieJar } from './cookie-jar.ts';

function headers(...cookies: string[]): Headers {
  const result = new Headers();
  for (const cookie of cookies) result.append('set-cookie', cookie);
  return result;
}

describe('CookieJar', () => {
  it('sends cookies back to the same host and matching paths only', () => {
    const jar = new CookieJar();
    jar.store(
      'http://127.0.0.1:3001/oidc/auth',
      headers('_session=s1; path=/; httponly', '_interaction=i1; path=/interaction/abc; httponly'),
    );
    assert.equal(jar.header('http://127.0.0.1:3001/oidc/token'), '_session=s1');
    assert.equal(jar.header('http://127.0.0.1:3001/interaction/abc/login'), '_interaction=i1; _session=s1');
    assert.equal(jar.header('http://127.0.0.1:3001/interaction/abcdef'), '_session=s1', 'no prefix-only match');
    assert.equal(jar.header('http://localhost:3001/'), '', 'another host gets nothing');
  });

  it('uses the directory of the request path when no Path is given', () => {
    const jar = new CookieJar();
    jar.store('http://host.test/a/b', headers('x=1'));
    assert.equal(jar.header('http://host.test/a/c'), 'x=1');
    assert.equal(jar.header('http://host.test/'), '');
  });

  it('replaces a cookie and deletes it on Max-Age=0 or a past Expires', () => {
    const jar = new CookieJar();
    jar.store('http://host.test/', headers('a=1; path=/', 'b=1; path=/'));
    jar.store('http://host.test/', headers('a=2; path=/'));
    assert.equal(jar.header('http://host.test/'), 'a=2; b=1');
    jar.store(
      'http://host.test/',
      headers('a=; path=/; max-age=0', 'b=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT'),
    );
    assert.equal(jar.header('http://host.test/'), '');
  });

  it('drops cookies once they expire', () => {
    let now = 0;
    const jar = new CookieJar(() => now);
    jar.store('http://host.test/', headers('a=1; path=/; max-age=10'));
    assert.deepEqual(jar.names('http://host.test/'), ['a']);
    now = 10_001;
    assert.deepEqual(jar.names('http://host.test/'), []);
  });
});
