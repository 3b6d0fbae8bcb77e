import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safeReturnTo } from './return-to.ts';

describe('safeReturnTo', () => {
  const accepted: Array<[string, string]> = [
    ['/', '/'],
    ['/protected', '/protected'],
    ['/protected/userinfo?tab=1#top', '/protected/userinfo?tab=1#top'],
    ['/a/../b', '/b'],
    ['/@user', '/@user'],
    ['/search?q=%2F%2Fnot-a-host', '/search?q=%2F%2Fnot-a-host'],
  ];
  for (const [input, expected] of accepted) {
    it(`accepts the same-origin path ${JSON.stringify(input)}`, () => {
      assert.equal(safeReturnTo(input), expected);
    });
  }

  const refused = [
    '//evil.com',
    '///evil.com',
    '/\\evil.com',
    '\\\\evil.com',
    '/%2F%2Fevil.com',
    '/%2f%2fevil.com',
    '%2F%2Fevil.com',
    '/%5Cevil.com',
    '/%5cevil.com',
    '/%252F%252Fevil.com',
    'https://evil.com',
    'HTTPS://evil.com',
    'http://localhost:3000@evil.com',
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '/\t/evil.com',
    '/\n/evil.com',
    '/\r\n/evil.com',
    '/%09/evil.com',
    '/%0a/evil.com',
    '/\u0000evil',
    '/\u007fevil',
    ' /evil',
    'evil.com',
    '',
    '/%E0%A4%A',
  ];
  for (const input of refused) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      assert.equal(safeReturnTo(input), undefined);
    });
  }

  it('refuses an overlong path', () => {
    assert.equal(safeReturnTo(`/${'a'.repeat(3000)}`), undefined);
  });

  it('refuses values that are not strings', () => {
    for (const input of [undefined, null, 1, ['/a'], { path: '/a' }]) assert.equal(safeReturnTo(input), undefined);
  });

  it('never returns a value that resolves to another origin', () => {
    const base = 'https://app.example';
    for (const input of [...refused, ...accepted.map(([path]) => path)]) {
      const result = safeReturnTo(input);
      if (result !== undefined) assert.equal(new URL(result, base).origin, base);
    }
  });

  it('accepts a path of 2048 characters and refuses one of 2049', () => {
    const longest = `/${'a'.repeat(2047)}`;
    assert.equal(safeReturnTo(longest), longest);
    assert.equal(safeReturnTo(`${longest}a`), undefined);
  });

  it('decodes up to four times: a path encoded three times over is checked, one encoded four times is refused', () => {
    assert.equal(safeReturnTo('/a%25252Fb'), '/a%25252Fb');
    assert.equal(safeReturnTo('/a%2525252Fb'), undefined);
    assert.equal(safeReturnTo('/%25252F%25252Fevil.com'), undefined);
  });

  it('refuses a path whose dot segments, once removed, leave "//" (plain or encoded)', () => {
    for (const input of ['/..//evil.com', '/.//evil.com', '/../%2Fevil.com', '/./%2F/evil.com', '/a/..//evil.com']) {
      assert.equal(safeReturnTo(input), undefined, input);
    }
  });

  it('refuses an encoded backslash or control character even inside a segment that dot segments remove', () => {
    for (const input of ['/%5C/..', '/%09/..', '/a/%5c/../b']) assert.equal(safeReturnTo(input), undefined, input);
  });
});
