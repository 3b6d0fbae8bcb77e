import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startDevServer } from './server.ts';
import { authorizationRequest, decodeJwt, tokenRequest, webApp } from './test-support/flow.ts';
import { registerThroughForms, signInThroughForms } from './testing.ts';

describe('registered users', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'logto-kit-registration-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('register through the pages, get an account in tokens, and can still sign in after a restart', async () => {
    const account = { username: 'newcomer', email: 'newcomer@example.com', password: 'newcomer-password' };

    const first = await startDevServer({ port: 0, dataDir });
    let sub: unknown;
    try {
      const request = authorizationRequest(first, { scopes: ['email', 'roles'], extra: { first_screen: 'register' } });
      const callback = new URL(await registerThroughForms(request.url, account));
      const { status, body } = await tokenRequest(first, {
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') ?? '',
        redirect_uri: webApp.redirectUri,
        code_verifier: request.codeVerifier,
      });
      assert.equal(status, 200);
      const claims = decodeJwt(body.id_token).payload;
      assert.equal(claims.username, 'newcomer');
      assert.equal(claims.email, 'newcomer@example.com');
      assert.equal(claims.email_verified, false);
      assert.equal(claims.name, null);
      assert.deepEqual(claims.roles, []);
      sub = claims.sub;
      assert.match(String(sub), /^[0-9a-z]{12}$/);
    } finally {
      await first.close();
    }

    const second = await startDevServer({ port: 0, dataDir });
    try {
      const request = authorizationRequest(second);
      const callback = new URL(
        await signInThroughForms(request.url, { username: 'newcomer@example.com', password: account.password }),
      );
      const { body } = await tokenRequest(second, {
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') ?? '',
        redirect_uri: webApp.redirectUri,
        code_verifier: request.codeVerifier,
      });
      assert.equal(decodeJwt(body.id_token).payload.sub, sub);

      const again = authorizationRequest(second, { extra: { first_screen: 'register' } });
      await assert.rejects(registerThroughForms(again.url, { ...account, email: 'other@example.com' }), /taken/);
    } finally {
      await second.close();
    }
  });
});
