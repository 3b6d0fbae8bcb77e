import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogtoError } from './errors.ts';
import { fakeFetch, json } from './test-support/fake-fetch.ts';
import { basicAuthorization, requestToken, revokeToken } from './token-endpoint.ts';

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

describe('requestToken: the request and the answer, field by field', () => {
  const answering = (body: unknown) => fakeFetch(() => json(body)).fetch;
  const refusedAs = (detail: RegExp) => (error: unknown) => {
    assert.ok(error instanceof LogtoError, String(error));
    assert.equal(error.code, 'token_request_failed');
    assert.match(error.message, detail);
    return true;
  };

  it('sends a form body and asks for JSON', async () => {
    const { fetch, calls } = fakeFetch(() => json({ access_token: 'a', token_type: 'Bearer' }));
    await requestToken(endpoint, { grant_type: 'x' }, credentials, { fetch });
    const headers = calls[0]?.init?.headers as Record<string, string>;
    assert.equal(headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(headers.accept, 'application/json');
  });

  it('percent-encodes the characters RFC 6749 Appendix B reserves with upper-case hex digits', () => {
    assert.equal(
      basicAuthorization({ clientId: "a*b'c", clientSecret: '(~)' }),
      `Basic ${btoa('a%2Ab%27c:%28%7E%29')}`,
    );
  });

  it('names the request and keeps the cause of a network failure', async () => {
    const cause = new TypeError('fetch failed');
    const { fetch } = fakeFetch(() => Promise.reject(cause));
    await assert.rejects(requestToken(endpoint, { grant_type: 'x' }, credentials, { fetch }), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.cause, cause);
      assert.match(error.message, /^The token request to /);
      return true;
    });
    await assert.rejects(revokeToken(`${endpoint}/revocation`, 't', 'refresh_token', credentials, { fetch }), {
      message: /^The revocation request to /,
    });
  });

  it('refuses a success that is not a JSON object (empty, an array, null)', async () => {
    for (const body of [new Response('', { status: 200 }), json(['a']), json(null)]) {
      const { fetch } = fakeFetch(() => body);
      await assert.rejects(
        requestToken(endpoint, { grant_type: 'x' }, credentials, { fetch }),
        refusedAs(/something other than a JSON object/),
      );
    }
  });

  it('refuses an empty access_token', async () => {
    await assert.rejects(
      requestToken(endpoint, { grant_type: 'x' }, credentials, {
        fetch: answering({ access_token: '', token_type: 'Bearer' }),
      }),
      refusedAs(/no access_token/),
    );
  });

  it('refuses a missing or non-string token_type, and names the one it got', async () => {
    for (const [tokenType, shown] of [
      [undefined, 'undefined'],
      [7, '7'],
      ['mac', '"mac"'],
    ] as const) {
      await assert.rejects(
        requestToken(endpoint, { grant_type: 'x' }, credentials, {
          fetch: answering({ access_token: 'a', token_type: tokenType }),
        }),
        refusedAs(new RegExp(`token_type ${shown.replace(/"/g, '\\"')}`)),
      );
    }
  });

  it('reads expires_in as a number or a string of digits, and ignores anything else', async () => {
    const cases: [unknown, number | undefined][] = [
      [3600, 3600],
      ['3600', 3600],
      [undefined, undefined],
      ['36x', undefined],
      ['x36', undefined],
      ['', undefined],
      [[3600], undefined],
      [null, undefined],
    ];
    for (const [expiresIn, expected] of cases) {
      const tokens = await requestToken(endpoint, { grant_type: 'x' }, credentials, {
        fetch: answering({ access_token: 'a', token_type: 'Bearer', expires_in: expiresIn }),
      });
      assert.equal(tokens.expires_in, expected, `expires_in ${JSON.stringify(expiresIn)}`);
    }
  });

  it('refuses a non-string refresh_token, id_token or scope, naming the field', async () => {
    for (const field of ['refresh_token', 'id_token', 'scope']) {
      await assert.rejects(
        requestToken(endpoint, { grant_type: 'x' }, credentials, {
          fetch: answering({ access_token: 'a', token_type: 'Bearer', [field]: 42 }),
        }),
        refusedAs(new RegExp(`a malformed ${field}`)),
      );
    }
  });
});
