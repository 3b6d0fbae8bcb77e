import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeTokenScopes } from './token-scopes.ts';

describe('normalizeTokenScopes', () => {
  it('sorts and deduplicates, so one set of scopes makes one cache key', () => {
    assert.deepEqual(normalizeTokenScopes(['shopping:write', 'shopping:read', 'shopping:write']), [
      'shopping:read',
      'shopping:write',
    ]);
    assert.equal(normalizeTokenScopes(undefined), undefined);
  });

  it('refuses an empty list and malformed scopes (RFC 6749 §3.3)', () => {
    for (const scopes of [[], [''], ['a b'], ['a"b'], ['a\\b'], ['é'], [42 as unknown as string]]) {
      assert.throws(() => normalizeTokenScopes(scopes), { code: 'invalid_config' }, JSON.stringify(scopes));
    }
  });
});
