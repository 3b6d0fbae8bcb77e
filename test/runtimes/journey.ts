/**
 * The journey every runtime must complete against a web app on the dev server: sign in through the
 * dev server's pages, see the protected page, call the guarded API routes with the user's real
 * access token (200 with it, 401 without, 403 without the route's scope), and sign out.
 */
import assert from 'node:assert/strict';
import { AppBrowser, confirmSignOut } from '@logto-kit/dev-server/testing';

/** Runs the journey against the app at `appUrl`; `guards` are its guarded route prefixes. */
export async function signInCallApisAndSignOut(appUrl: string, guards: readonly string[]): Promise<void> {
  const browser = new AppBrowser(appUrl);
  assert.equal((await browser.get('/')).body, 'home');

  const signedOut = await browser.get('/protected');
  assert.equal(signedOut.status, 302, 'the protected page sends a signed-out visitor to sign in');

  const { callback } = await browser.signIn();
  assert.equal(callback.status, 302, `the callback signs in: ${callback.body}`);
  const page = await browser.get('/protected');
  assert.equal(page.status, 200, page.body);
  assert.match(page.body, /^protected page of \S+$/);

  const tokenPage = await browser.get('/token');
  assert.equal(tokenPage.status, 200, tokenPage.body);
  const { accessToken } = JSON.parse(tokenPage.body) as { accessToken: string };
  const bearer = { authorization: `Bearer ${accessToken}` };
  for (const guard of guards) {
    const read = await fetch(`${appUrl}${guard}/read`, { headers: bearer });
    assert.equal(read.status, 200, `${guard} with the token: ${await read.clone().text()}`);
    assert.ok(((await read.json()) as { sub?: string }).sub, `${guard} answers the caller's sub`);

    const anonymous = await fetch(`${appUrl}${guard}/read`);
    assert.equal(anonymous.status, 401, `${guard} without a token`);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer/);
    await anonymous.body?.cancel();

    const write = await fetch(`${appUrl}${guard}/write`, { headers: bearer });
    assert.equal(write.status, 403, `${guard} without the scope`);
    assert.equal(((await write.json()) as { code?: string }).code, 'insufficient_scope');
  }

  const signOut = await browser.request('/sign-out', { method: 'POST' });
  assert.equal(signOut.status, 302, signOut.body);
  assert.ok(signOut.location, 'sign-out redirects to the end-session endpoint');
  assert.equal(await confirmSignOut(signOut.location, browser.providerJar), `${appUrl}/`);
  assert.equal((await browser.get('/protected')).status, 302, 'signed out: the protected page is closed again');
}
