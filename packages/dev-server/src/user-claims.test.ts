import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seededUserId } from './accounts.ts';
import { type DevServer, startDevServer } from './server.ts';
import { aliceUser, decodeJwt, demoUser, signInForTokens } from './test-support/flow.ts';

const startedAt = 1_750_000_000_000;
const allScopes = [
  'email',
  'phone',
  'address',
  'custom_data',
  'identities',
  'roles',
  'urn:logto:scope:organizations',
  'urn:logto:scope:organization_roles',
];

describe('ID token and userinfo claims', () => {
  let server: DevServer;
  before(async () => {
    let first = true;
    // The clock stamps users' created_at at start; later readings are real time.
    server = await startDevServer({
      port: 0,
      memory: true,
      now: () => {
        if (first) {
          first = false;
          return startedAt;
        }
        return Date.now();
      },
    });
  });
  after(() => server.close());

  async function claimsFor(user: { username: string; password: string }, scopes: string[]) {
    const { tokens } = await signInForTokens(server, user, { scopes });
    const idToken = decodeJwt(tokens.id_token).payload;
    const response = await fetch(`${server.issuer}/me`, {
      headers: { authorization: `Bearer ${String(tokens.access_token)}` },
    });
    assert.equal(response.status, 200);
    return { idToken, userinfo: (await response.json()) as Record<string, unknown> };
  }

  it('with openid profile only: sub and the profile claims, in ms, and nothing else', async () => {
    const { idToken, userinfo } = await claimsFor(demoUser, []);
    assert.equal(idToken.sub, seededUserId('demo'));
    assert.equal(idToken.name, 'Demo User');
    assert.equal(idToken.username, 'demo');
    assert.equal(idToken.picture, null);
    assert.equal(idToken.created_at, startedAt);
    assert.ok(Number(idToken.updated_at) > startedAt, 'updated_at is the time of the sign-in, in milliseconds');
    for (const absent of ['email', 'phone_number', 'roles', 'organizations', 'custom_data']) {
      assert.equal(Object.hasOwn(idToken, absent), false, absent);
      assert.equal(Object.hasOwn(userinfo, absent), false, absent);
    }
    assert.deepEqual(
      Object.keys(idToken).sort(),
      [
        'aud',
        'at_hash',
        'created_at',
        'exp',
        'iat',
        'iss',
        'name',
        'nonce',
        'picture',
        'sub',
        'updated_at',
        'username',
      ].sort(),
    );
  });

  it('moves updated_at at every sign-in, as Logto does, and keeps created_at', async () => {
    const first = await claimsFor(aliceUser, []);
    const second = await claimsFor(aliceUser, []);
    assert.ok(Number(second.idToken.updated_at) >= Number(first.idToken.updated_at));
    assert.ok(Number(first.idToken.updated_at) > startedAt);
    assert.equal(second.idToken.created_at, startedAt);
  });

  it('with every scope: the ID token carries the token claims, not the userinfo-only ones', async () => {
    const { idToken } = await claimsFor(demoUser, allScopes);
    assert.equal(idToken.email, 'demo@example.com');
    assert.equal(idToken.email_verified, true);
    assert.equal(idToken.phone_number, '15555550100', 'digits without +, as Logto stores them');
    assert.equal(idToken.phone_number_verified, true);
    assert.deepEqual(idToken.roles, ['shopper']);
    assert.deepEqual(idToken.organizations, ['org-acme', 'org-globex']);
    assert.deepEqual(idToken.organization_roles, ['org-acme:admin', 'org-globex:member']);
    for (const userinfoOnly of ['custom_data', 'identities', 'sso_identities', 'organization_data']) {
      assert.equal(Object.hasOwn(idToken, userinfoOnly), false, userinfoOnly);
    }
  });

  it('with every scope: userinfo adds custom_data, identities and organization_data', async () => {
    const { userinfo } = await claimsFor(demoUser, allScopes);
    assert.deepEqual(userinfo.custom_data, { plan: 'pro' });
    assert.deepEqual(userinfo.identities, {});
    assert.deepEqual(userinfo.sso_identities, []);
    assert.deepEqual(userinfo.organization_data, [
      { id: 'org-acme', name: 'Acme Inc.', description: null },
      { id: 'org-globex', name: 'Globex', description: null },
    ]);
    assert.deepEqual(userinfo.roles, ['shopper']);
  });

  it('gives null for unset name, picture and phone_number instead of leaving them out', async () => {
    const { idToken, userinfo } = await claimsFor(aliceUser, ['email', 'phone']);
    for (const claims of [idToken, userinfo]) {
      assert.equal(claims.name, null);
      assert.equal(claims.picture, null);
      assert.equal(claims.phone_number, null);
      assert.equal(claims.email, 'alice@example.com');
      assert.ok(Object.hasOwn(claims, 'name'));
    }
    assert.deepEqual((await claimsFor(aliceUser, ['roles'])).idToken.roles, []);
  });
});
