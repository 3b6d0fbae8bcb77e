import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReservedResource, requestedResources, requestedScopes, UserInfoScope, UserScope } from './scopes.ts';

describe('requestedScopes', () => {
  it('always starts with the reserved scopes and removes duplicates', () => {
    assert.deepEqual(requestedScopes(['email', 'openid', 'email']), ['openid', 'offline_access', 'profile', 'email']);
  });

  it('keeps only openid from the reserved scopes when they are opted out', () => {
    assert.deepEqual(requestedScopes(['email'], false), ['openid', 'email']);
  });
});

describe('requestedResources', () => {
  it('adds the organizations resource when the organizations scope is requested', () => {
    assert.deepEqual(requestedResources(['https://api.example.com'], [UserScope.Organizations]), [
      'https://api.example.com',
      ReservedResource.Organization,
    ]);
  });

  it('adds nothing without the organizations scope', () => {
    assert.deepEqual(requestedResources(['https://api.example.com'], [UserScope.OrganizationRoles]), [
      'https://api.example.com',
    ]);
  });
});

describe('UserInfoScope', () => {
  it('is the same object as UserScope, with Logto’s scope values', () => {
    assert.equal(UserInfoScope, UserScope);
    assert.equal(UserScope.CustomData, 'custom_data');
    assert.equal(UserScope.Organizations, 'urn:logto:scope:organizations');
    assert.equal(UserScope.OrganizationRoles, 'urn:logto:scope:organization_roles');
  });
});
