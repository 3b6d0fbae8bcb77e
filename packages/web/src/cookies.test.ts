import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCookieHeader, serializeCookie } from './cookies.ts';

describe('cookies', () => {
  it('parses a Cookie header, keeping the first occurrence of a name', () => {
    const cookies = parseCookieHeader('a=1; b="2"; a=3; broken; c=x=y');
    assert.deepEqual(
      [...cookies],
      [
        ['a', '1'],
        ['b', '2'],
        ['c', 'x=y'],
      ],
    );
  });

  it('parses an absent header as no cookies', () => {
    assert.equal(parseCookieHeader(undefined).size, 0);
  });

  it('serializes the attributes of a session cookie', () => {
    assert.equal(
      serializeCookie('s', 'v', { httpOnly: true, secure: true, sameSite: 'Lax', maxAge: 60 }),
      's=v; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Lax',
    );
  });

  it('serializes a deletion with an expiry in the past', () => {
    assert.match(
      serializeCookie('s', '', { maxAge: 0 }),
      /^s=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=\/$/,
    );
  });

  it('refuses values that would inject attributes', () => {
    assert.throws(() => serializeCookie('s', 'v; Domain=evil.com'), TypeError);
    assert.throws(() => serializeCookie('s;x', 'v'), TypeError);
  });
});
