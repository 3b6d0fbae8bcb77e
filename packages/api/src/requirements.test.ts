import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuthResult } from './auth-result.ts';
import { assertAudienceConfigured, checkRequirements } from './requirements.ts';

const api = 'https://api.example';

function result(overrides: Partial<AuthResult> = {}): AuthResult {
  return {
    sub: 'user-1',
    clientId: 'app-1',
    scopes: ['read'],
    organizationId: undefined,
    audience: [api],
    claims: { iss: 'https://issuer.example', sub: 'user-1', aud: api, exp: 2_000_000_000 },
    ...overrides,
  };
}

describe('checkRequirements', () => {
  it('accepts an empty anyScopes (no scope required) and refuses when none of a non-empty one is held', () => {
    checkRequirements(result(), { anyScopes: [] }, api);
    checkRequirements(result({ scopes: [] }), { anyScopes: [] }, api);
    checkRequirements(result(), { anyScopes: ['write', 'read'] }, api);
    assert.throws(() => checkRequirements(result(), { anyScopes: ['write'] }, api), { code: 'insufficient_scope' });
  });

  it('refuses an organization token for another organization even when no audience is expected', () => {
    const token = result({ audience: ['urn:logto:organization:org-1'] });
    checkRequirements(token, { organizationId: 'org-1' }, undefined);
    assert.throws(() => checkRequirements(token, { organizationId: 'org-2' }, undefined), { code: 'invalid_token' });
  });
});

describe('assertAudienceConfigured', () => {
  it('throws when a route could check no audience: neither its own, the default, nor an organization', () => {
    assert.throws(() => assertAudienceConfigured({}, undefined), TypeError);
    assert.throws(() => assertAudienceConfigured({ scopes: ['read'] }, undefined), /audience/);
  });

  it('accepts a route with its own audience, a default audience, or an organization', () => {
    assertAudienceConfigured({ audience: api }, undefined);
    assertAudienceConfigured({}, api);
    assertAudienceConfigured({ organizationId: 'org-1' }, undefined);
    assertAudienceConfigured({ audience: api, organizationId: 'org-1' }, api);
  });
});
