import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildOrganizationUrn, getOrganizationIdFromUrn, organizationUrnPrefix } from './organization-urn.ts';

describe('organization URNs', () => {
  it('builds the URN that organization tokens carry as aud, and reads the id back', () => {
    assert.equal(organizationUrnPrefix, 'urn:logto:organization:');
    assert.equal(buildOrganizationUrn('org-acme'), 'urn:logto:organization:org-acme');
    assert.equal(getOrganizationIdFromUrn('urn:logto:organization:org-acme'), 'org-acme');
    assert.equal(getOrganizationIdFromUrn(buildOrganizationUrn('a:b')), 'a:b');
  });

  it('refuses a string that is not an organization URN, or names no organization', () => {
    for (const urn of [
      'org-acme',
      'https://shopping.your-app.com/api',
      'urn:logto:organization:',
      'URN:LOGTO:ORGANIZATION:x',
    ]) {
      assert.throws(() => getOrganizationIdFromUrn(urn), { code: 'invalid_config' }, urn);
    }
  });

  it('refuses an empty organization id', () => {
    assert.throws(() => buildOrganizationUrn(''), { code: 'invalid_config' });
  });
});
