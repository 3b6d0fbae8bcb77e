import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiAuthError } from './errors.ts';

describe('ApiAuthError', () => {
  it('maps each code to its HTTP status', () => {
    assert.equal(new ApiAuthError('auth.authorization_header_missing', 'm').status, 401);
    assert.equal(new ApiAuthError('auth.authorization_token_invalid_format', 'm').status, 401);
    assert.equal(new ApiAuthError('auth.authorization_token_type_not_supported', 'm').status, 401);
    assert.equal(new ApiAuthError('invalid_token', 'm').status, 401);
    assert.equal(new ApiAuthError('insufficient_scope', 'm').status, 403);
    assert.equal(new ApiAuthError('provider_unavailable', 'm').status, 503);
  });

  it('builds RFC 6750 challenges', () => {
    assert.equal(new ApiAuthError('auth.authorization_header_missing', 'Missing.').wwwAuthenticate, 'Bearer');
    assert.equal(
      new ApiAuthError('auth.authorization_token_type_not_supported', 'Use Bearer.').wwwAuthenticate,
      'Bearer error="invalid_request", error_description="Use Bearer."',
    );
    assert.equal(
      new ApiAuthError('invalid_token', 'Expired.').wwwAuthenticate,
      'Bearer error="invalid_token", error_description="Expired."',
    );
    assert.equal(
      new ApiAuthError('insufficient_scope', 'Needs write.', { requiredScopes: ['a:write', 'b:write'] })
        .wwwAuthenticate,
      'Bearer error="insufficient_scope", error_description="Needs write.", scope="a:write b:write"',
    );
    assert.equal(new ApiAuthError('provider_unavailable', 'Down.').wwwAuthenticate, undefined);
  });

  it('keeps quotes, backslashes and control characters out of the header', () => {
    const error = new ApiAuthError('invalid_token', 'a "quoted" \\ value\r\nInjected: yes');
    assert.equal(
      error.wwwAuthenticate,
      'Bearer error="invalid_token", error_description="a quoted  valueInjected: yes"',
    );
  });

  it('has the JSON body { code, message }', () => {
    assert.deepEqual(new ApiAuthError('invalid_token', 'Expired.').body, {
      code: 'invalid_token',
      message: 'Expired.',
    });
  });
});
