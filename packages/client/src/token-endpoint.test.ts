import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogtoError } from './errors.ts';
import { fakeFetch, json } from './test-support/fake-fetch.ts';
import { basicAuthorization, requestToken } from './token-endpoint.ts';

const credentials = { clientId: 'app', clientSecret: 'secret' };
const endpoint = 'https://tenant.example.com/oidc/token';

describe('requestToken', () => {
  it('posts a form with client_secret_basic and omits undefined parameters', async () => {
    const { fetch, calls } = fakeFetch(() => json({ access_token: 'a', token_type: 'Bearer', expires_in: 3600 }));
    const tokens = await requestToken(
      endpoint,
      { grant_type: 'refresh_token', refresh_token: 'r', resource: undefined },
      credentials,
      { fetch },
    );
    assert.equal(tokens.access_token, 'a');
    const init = calls[0]?.init;
    assert.equal(init?.method, 'POST');
    assert.equal(String(init?.body), 'grant_type=refresh_token&refresh_token=r');
    assert.equal((init?.headers as Record<string, string> | undefined)?.authorization, basicAuthorization(credentials));
  });

  it('attaches the provider error of a refusal (e.g. invalid_target)', async () => {
    const { fetch } = fakeFetch(() =>
      json({ error: 'invalid_target', error_description: 'unknown resource', code: 'oidc.invalid_target' }, 400),
    );
    await assert.rejects(requestToken(endpoint, { grant_type: 'x' }, credentials, { fetch }), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.code, 'token_request_failed');
      assert.equal(error.error, 'invalid_target');
      assert.equal(error.errorDescription, 'unknown resource');
      assert.equal(error.logtoCode, 'oidc.invalid_target', "Logto's own code beside the OAuth error");
      assert.equal(error.status, 400);
      return true;
    });
  });

  it('reports a refusal whose body is not JSON', async () => {
    const { fetch } = fakeFetch(() => new Response('<html>bad gateway</html>', { status: 502 }));
    await assert.rejects(requestToken(endpoint, { grant_type: 'x' }, credentials, { fetch }), {
      code: 'token_request_failed',
      status: 502,
    });
  });

  it('reports a network failure', async () => {
    const { fetch } = fakeFetch(() => Promise.reject(new TypeError('fetch failed')));
    await assert.rejects(requestToken(endpoint, { grant_type: 'x' }, credentials, { fetch }), {
      code: 'token_request_failed',
    });
  });

  it('refuses a success without access_token', async () => {
    const { fetch } = fakeFetch(() => json({ token_type: 'Bearer' }));
    await assert.rejects(requestToken(endpoint, { grant_type: 'x' }, credentials, { fetch }), {
      code: 'token_request_failed',
    });
  });

  it('refuses a redirect instead of an answer', async () => {
    const { fetch } = fakeFetch(
      () => new Response(null, { status: 302, headers: { location: 'https://evil.example' } }),
    );
    await assert.rejects(requestToken(endpoint, { grant_type: 'x' }, credentials, { fetch }), {
      code: 'token_request_failed',
    });
  });
});
