import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serializeCookie } from '@logto-kit/web';
import { parseSetCookie } from './set-cookie.ts';

describe('parseSetCookie', () => {
  it('reads back every attribute the web core writes', () => {
    const header = serializeCookie('logto_session', 'v1.abc', {
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
      path: '/',
      domain: 'example.com',
      maxAge: 3600,
    });
    assert.deepEqual(parseSetCookie(header), {
      name: 'logto_session',
      value: 'v1.abc',
      maxAge: 3600,
      domain: 'example.com',
      path: '/',
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
    });
  });

  it('reads a deletion: Max-Age 0 and an expiry in the past', () => {
    const cookie = parseSetCookie(serializeCookie('logto_session.1', '', { maxAge: 0, path: '/' }));
    assert.equal(cookie.value, '');
    assert.equal(cookie.maxAge, 0);
    assert.equal(cookie.expires?.getTime(), 0);
  });

  it('refuses a value without a name', () => {
    assert.throws(() => parseSetCookie('=value; Path=/'), /name/);
  });
});
