import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signOutConfirmation } from './sign-out-page.ts';

describe('signOutConfirmation', () => {
  it('posts to the sign-out route, is never cached nor framed, and submits itself only when asked', () => {
    const page = signOutConfirmation('/auth/sign-out', false);
    assert.equal(page.status, 200);
    assert.match(page.body, /<form id="sign-out" method="post" action="\/auth\/sign-out">/);
    assert.doesNotMatch(page.body, /<script>/);
    assert.equal(page.headers['Cache-Control'], 'private, no-store');
    assert.equal(page.headers['X-Frame-Options'], 'DENY');
    assert.equal(page.headers['Content-Security-Policy'], "frame-ancestors 'none'");
    assert.match(
      signOutConfirmation('/sign-out', true).body,
      /<script>document\.getElementById\("sign-out"\)\.submit\(\);<\/script>/,
    );
    assert.equal(signOutConfirmation('/sign-out', false, 403).status, 403);
  });
});
