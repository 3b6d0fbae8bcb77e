import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { User } from './accounts.ts';
import { scopeClaims, userClaims, userinfoOnlyClaims } from './claims.ts';
import { demoWorld } from './demo-world.ts';

const bare: User = {
  id: 'u1',
  username: 'alice',
  name: null,
  picture: null,
  email: null,
  emailVerified: false,
  phone: null,
  phoneVerified: false,
  profile: {},
  address: undefined,
  customData: {},
  roles: [],
  createdAt: 1_700_000_000_123,
  updatedAt: 1_700_000_000_456,
};

describe('claims', () => {
  it('maps Logto scopes to their claims', () => {
    assert.deepEqual(scopeClaims.email, ['email', 'email_verified']);
    assert.deepEqual(scopeClaims['urn:logto:scope:organizations'], ['organizations', 'organization_data']);
    assert.deepEqual(scopeClaims['urn:logto:scope:organization_roles'], ['organization_roles']);
    for (const claim of ['name', 'username', 'picture', 'created_at', 'updated_at']) {
      assert.ok(scopeClaims.profile?.includes(claim), claim);
    }
  });

  it('gives null, not nothing, for unset name, picture, email and phone', () => {
    const claims = userClaims(bare, demoWorld, 'id_token');
    for (const name of ['name', 'picture', 'email', 'phone_number']) {
      assert.ok(Object.hasOwn(claims, name), name);
      assert.equal(claims[name], null, name);
    }
    assert.equal(claims.username, 'alice');
  });

  it('leaves unset optional profile claims and the address out', () => {
    const claims = userClaims(bare, demoWorld, 'userinfo');
    assert.equal(Object.hasOwn(claims, 'given_name'), false);
    assert.equal(Object.hasOwn(claims, 'address'), false);
    const full = userClaims(
      { ...bare, profile: { given_name: 'Alice' }, address: { country: 'NL' } },
      demoWorld,
      'userinfo',
    );
    assert.equal(full.given_name, 'Alice');
    assert.deepEqual(full.address, { country: 'NL' });
  });

  it('keeps timestamps in milliseconds', () => {
    const claims = userClaims(bare, demoWorld, 'id_token');
    assert.equal(claims.created_at, 1_700_000_000_123);
    assert.equal(claims.updated_at, 1_700_000_000_456);
  });

  it('keeps userinfo-only claims out of ID tokens', () => {
    const idToken = userClaims(bare, demoWorld, 'id_token');
    const userinfo = userClaims(bare, demoWorld, 'userinfo');
    for (const name of userinfoOnlyClaims) {
      assert.equal(Object.hasOwn(idToken, name), false, name);
      assert.equal(Object.hasOwn(userinfo, name), true, name);
    }
  });

  it('describes organizations, organization roles and organization data from the configuration', () => {
    const claims = userClaims(bare, demoWorld, 'userinfo');
    assert.deepEqual(claims.organizations, ['org-globex']);
    assert.deepEqual(claims.organization_roles, ['org-globex:member']);
    assert.deepEqual(claims.organization_data, [{ id: 'org-globex', name: 'Globex', description: null }]);
  });
});
