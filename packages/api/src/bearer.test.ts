import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractBearerToken } from './bearer.ts';
import { ApiAuthError, type ApiAuthErrorCode } from './errors.ts';

describe('extractBearerToken', () => {
  it('returns the token of "Bearer <token>", with any case of the scheme', () => {
    assert.equal(extractBearerToken('Bearer abc.def.ghi'), 'abc.def.ghi');
    assert.equal(extractBearerToken('bearer abc.def.ghi'), 'abc.def.ghi');
    assert.equal(extractBearerToken('  BEARER   abc.def.ghi '), 'abc.def.ghi');
  });

  const refusals: readonly [string | null | undefined, ApiAuthErrorCode][] = [
    [undefined, 'auth.authorization_header_missing'],
    [null, 'auth.authorization_header_missing'],
    ['', 'auth.authorization_header_missing'],
    ['   ', 'auth.authorization_token_invalid_format'],
    ['Bearer', 'auth.authorization_token_invalid_format'],
    ['abc.def.ghi', 'auth.authorization_token_invalid_format'],
    ['Bearer abc def', 'auth.authorization_token_invalid_format'],
    ['Basic dXNlcjpwYXNz', 'auth.authorization_token_type_not_supported'],
    ['Token abc.def.ghi', 'auth.authorization_token_type_not_supported'],
    ['Bearerx abc.def.ghi', 'auth.authorization_token_type_not_supported'],
  ];
  for (const [header, code] of refusals) {
    it(`refuses ${JSON.stringify(header)} with 401 ${code}`, () => {
      assert.throws(
        () => extractBearerToken(header),
        (error: unknown) => error instanceof ApiAuthError && error.code === code && error.status === 401,
      );
    });
  }
});
