import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findAlert, findTitle, parseForms } from '../html-form.ts';
import { renderErrorPage } from './error.ts';
import { escapeHtml } from './html.ts';
import { renderLogoutConfirm, renderLogoutSuccess } from './logout.ts';
import { renderRegister } from './register.ts';
import { renderSignIn } from './sign-in.ts';

const attack = `"><script>alert('x')</script>`;

describe('pages', () => {
  it('escapes the five HTML-significant characters', () => {
    assert.equal(
      escapeHtml(`<a href="x" title='y'>&</a>`),
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('renders the sign-in page with every dynamic value escaped', () => {
    const html = renderSignIn({
      interactionPath: '/interaction/abc',
      appName: attack,
      csrfToken: attack,
      identifier: attack,
      error: attack,
    });
    assert.equal(findTitle(html), 'Sign in');
    assert.ok(!html.includes('<script>'), 'no injected markup');
    assert.equal(findAlert(html), attack);
    const form = parseForms(html, 'http://host.test/interaction/abc').find((f) => f.action.endsWith('/login'));
    assert.equal(form?.inputs.find((input) => input.name === 'identifier')?.value, attack);
    assert.equal(form?.inputs.find((input) => input.name === 'csrf')?.value, attack);
  });

  it('renders the registration page with the entered values, never the password', () => {
    const html = renderRegister({
      interactionPath: '/interaction/abc',
      appName: 'Shop',
      csrfToken: 't',
      username: attack,
      email: 'a@example.com',
    });
    assert.equal(findTitle(html), 'Create account');
    assert.ok(!html.includes('<script>'));
    const form = parseForms(html, 'http://host.test/interaction/abc').find((f) => f.action.endsWith('/register'));
    assert.equal(form?.inputs.find((input) => input.name === 'username')?.value, attack);
    assert.equal(form?.inputs.find((input) => input.name === 'email')?.value, 'a@example.com');
    assert.equal(form?.inputs.find((input) => input.name === 'password')?.value, '');
    assert.match(html, /Shop/);
  });

  it('renders the error page with the escaped description and code', () => {
    const html = renderErrorPage({}, { error: 'invalid_request', error_description: attack }, new Error('x'));
    assert.equal(findAlert(html), attack);
    assert.ok(!html.includes('<script>'));
    assert.match(html, /Error code: invalid_request/);
    assert.equal(findAlert(renderErrorPage({}, { error: 'server_error' })), 'server_error');
  });

  it('renders the sign-out page that submits the provider form with logout=yes as it loads, as Logto does', () => {
    const form =
      '<form id="op.logoutForm" method="post" action="/oidc/session/end/confirm"><input type="hidden" name="xsrf" value="t"/></form>';
    const html = renderLogoutConfirm({ oidc: { client: { clientId: 'app', clientName: attack } } }, form);
    assert.equal(findTitle(html), 'Signing out…');
    assert.ok(html.includes(form), 'the provider form is kept as is');
    assert.match(html, /<input type="hidden" form="op.logoutForm" value="yes" name="logout">/);
    assert.match(html, /<body onload="document.getElementById\(&#39;op.logoutForm&#39;\).submit\(\);">/);
    assert.match(html, /<noscript><button type="submit" form="op.logoutForm">/, 'a button without scripts');
    assert.ok(!html.includes('<script>'));
    assert.ok(!html.includes(attack), 'the client name is escaped');
    assert.equal(findTitle(renderLogoutSuccess({})), 'Signed out');
  });
});
