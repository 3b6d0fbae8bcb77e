import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { claimsTable, errorBody, escapeHtml, page, renderValue } from './html.ts';

describe('web-app HTML', () => {
  it('escapes user-controlled claims (names, custom data) so they cannot inject markup', () => {
    const html = claimsTable({
      name: '<script>alert(1)</script>',
      custom_data: { '<b>key</b>': '"quoted" & \'single\'' },
      roles: ['<img src=x onerror=alert(1)>'],
    });
    assert.doesNotMatch(html, /<script>|<img|<b>/);
    assert.match(html, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/);
    assert.match(html, /&#34;quoted&#34; &#38; &#39;single&#39;/);
  });

  it('escapes the signed-in name in the header and the error page', () => {
    assert.doesNotMatch(page('t', '', '<i>x</i>'), /<i>x<\/i>/);
    assert.doesNotMatch(errorBody('<code>', '<b>m</b>'), /<b>m<\/b>/);
  });

  it('renders objects as tables, lists of objects as tables with columns, and shows dates for time claims', () => {
    assert.match(renderValue([{ id: 1, name: 'Mug' }]), /<th>id<\/th><th>name<\/th>.*<td>1<\/td><td>Mug<\/td>/s);
    assert.match(claimsTable({ exp: 0 }), /1970-01-01T00:00:00\.000Z/);
    assert.match(claimsTable({ created_at: 0 }), /1970-01-01T00:00:00\.000Z/);
    assert.match(claimsTable({ scope: 'a b' }), /<code>a<\/code> <code>b<\/code>/);
    assert.match(renderValue(null), /null/);
  });

  it('escapes every HTML-special character', () => {
    assert.equal(escapeHtml(`<>&"'`), '&#60;&#62;&#38;&#34;&#39;');
  });
});
