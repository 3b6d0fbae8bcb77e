import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { audienceOf, scopesOf } from './claim-values.ts';

describe('scopesOf', () => {
  it('splits a space-separated scope claim, ignoring extra spaces', () => {
    assert.deepEqual(scopesOf('shopping:read shopping:write'), ['shopping:read', 'shopping:write']);
    assert.deepEqual(scopesOf('  a   b '), ['a', 'b']);
    assert.deepEqual(scopesOf(''), []);
  });

  it('shares one frozen list between tokens with the same claim', () => {
    const first = scopesOf('read:orders write:orders');
    assert.ok(Object.isFrozen(first));
    assert.equal(scopesOf('read:orders write:orders'), first);
  });

  it('stays bounded: many distinct claims are still parsed right', () => {
    for (let i = 0; i < 1000; i += 1) assert.deepEqual(scopesOf(`scope-${i} other`), [`scope-${i}`, 'other']);
    assert.deepEqual(scopesOf('read:orders write:orders'), ['read:orders', 'write:orders']);
  });
});

describe('audienceOf', () => {
  it('lists a string audience and names the organization of an organization audience', () => {
    assert.deepEqual(audienceOf('https://shopping.your-app.com/api'), {
      audience: ['https://shopping.your-app.com/api'],
      organizationId: undefined,
    });
    assert.deepEqual(audienceOf('urn:logto:organization:org-acme'), {
      audience: ['urn:logto:organization:org-acme'],
      organizationId: 'org-acme',
    });
  });

  it('keeps an array audience, frozen', () => {
    const aud = ['https://a.example/api', 'urn:logto:organization:org-b'];
    const result = audienceOf(aud);
    assert.deepEqual(result, { audience: aud, organizationId: 'org-b' });
    assert.ok(Object.isFrozen(result?.audience));
  });

  it('refuses a missing, empty or ill-typed audience', () => {
    for (const aud of [undefined, null, '', [], [''], ['a', 3], 42, { 0: 'a' }]) {
      assert.equal(audienceOf(aud), undefined, JSON.stringify(aud));
    }
  });

  it('shares one frozen list between tokens with the same audience', () => {
    const first = audienceOf('https://store.your-app.com/api');
    assert.ok(Object.isFrozen(first?.audience));
    assert.equal(audienceOf('https://store.your-app.com/api'), first);
  });
});
