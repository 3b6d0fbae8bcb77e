import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHtml, findAlert, findTitle, parseForms } from './html-form.ts';
import { escapeHtml } from './pages/html.ts';

describe('html-form', () => {
  it('decodes what escapeHtml encodes', () => {
    const text = `<a href="x">'&'</a> &amp;`;
    assert.equal(decodeHtml(escapeHtml(text)), text);
    assert.equal(decodeHtml('&#x41;&#66;&unknown;'), 'AB&unknown;');
  });

  it('reads forms, their resolved actions and their named inputs', () => {
    const html = `<form id="op.logoutForm" method="post" action="/session/end/confirm"><input type="hidden" name="xsrf" value="a&amp;b"/></form>
      <form method=post action='login'><input name="identifier" value="x"><input type="password" name="password"><input type="submit"></form>`;
    const [logout, signIn] = parseForms(html, 'http://host.test/interaction/abc');
    assert.deepEqual(logout, {
      id: 'op.logoutForm',
      method: 'post',
      action: 'http://host.test/session/end/confirm',
      inputs: [{ name: 'xsrf', type: 'hidden', value: 'a&b' }],
    });
    assert.equal(signIn?.action, 'http://host.test/interaction/login');
    assert.deepEqual(
      signIn?.inputs.map((input) => [input.name, input.type, input.value]),
      [
        ['identifier', 'text', 'x'],
        ['password', 'password', ''],
      ],
    );
  });

  it('finds the alert and the title as plain text', () => {
    const html = '<title>Sign in</title><p class="error" role="alert">Bad &quot;<b>x</b>&quot;</p>';
    assert.equal(findAlert(html), 'Bad "x"');
    assert.equal(findTitle(html), 'Sign in');
    assert.equal(findAlert('<p>fine</p>'), undefined);
  });
});
