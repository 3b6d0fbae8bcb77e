import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCsrfTokens } from './csrf.ts';

describe('CSRF tokens', () => {
  const secret = new Uint8Array(32).fill(7);

  it('accepts the token issued for the same interaction', () => {
    const tokens = createCsrfTokens(secret);
    assert.equal(tokens.verify('uid-1', tokens.issue('uid-1')), true);
  });

  it('is stable for one secret and differs between interactions', () => {
    const tokens = createCsrfTokens(secret);
    assert.equal(tokens.issue('uid-1'), createCsrfTokens(secret).issue('uid-1'));
    assert.notEqual(tokens.issue('uid-1'), tokens.issue('uid-2'));
  });

  it('refuses a token of another interaction, another secret, or a tampered one', () => {
    const tokens = createCsrfTokens(secret);
    assert.equal(tokens.verify('uid-1', tokens.issue('uid-2')), false);
    assert.equal(tokens.verify('uid-1', createCsrfTokens(new Uint8Array(32).fill(8)).issue('uid-1')), false);
    const token = tokens.issue('uid-1');
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    assert.equal(tokens.verify('uid-1', tampered), false);
  });

  it('refuses missing, empty, oversized and non-string tokens', () => {
    const tokens = createCsrfTokens(secret);
    for (const token of [undefined, null, '', 'x'.repeat(500), 42, ['a']]) {
      assert.equal(tokens.verify('uid-1', token), false, `refuses ${String(token)}`);
    }
  });

  it('uses a random secret per instance by default', () => {
    assert.notEqual(createCsrfTokens().issue('uid-1'), createCsrfTokens().issue('uid-1'));
  });

  it('refuses a valid token with characters appended past the length bound, and a short token, without throwing', () => {
    const tokens = createCsrfTokens(secret);
    const token = tokens.issue('uid-1');
    assert.equal(tokens.verify('uid-1', `${token}${'!'.repeat(80)}`), false);
    assert.equal(tokens.verify('uid-1', token.slice(0, 20)), false);
    assert.equal(tokens.verify('uid-1', 'AAAA'), false);
  });

  it('reads tokens of up to 100 characters: the valid token with base64 padding to 100 passes, to 101 is refused', () => {
    const tokens = createCsrfTokens(secret);
    const token = tokens.issue('uid-1');
    assert.equal(tokens.verify('uid-1', token.padEnd(100, '=')), true);
    assert.equal(tokens.verify('uid-1', token.padEnd(101, '=')), false);
  });
});
