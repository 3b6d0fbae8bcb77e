// Security rules of the dev server, each tried and refused: a refresh token redeemed by another
// confidential client, organization ids that only resemble a membership, and passwords compared
// after NFKC normalisation (as Logto does).
import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DevServerConfig } from './config.ts';
import { demoWorld } from './demo-world.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import {
  allOrganizationScopes,
  applicationResourceScopes,
  organizationMemberships,
  organizationResourceScopes,
  organizationScopes,
  userOrganizationResourceScopes,
  userOrganizationScopes,
  userResourceScopes,
} from './permissions.ts';
import { type DevServer, startDevServer } from './server.ts';
import { decodeJwt, demoUser, shoppingApi, signInForTokens, tokenRequest, webApp } from './test-support/flow.ts';

const otherApp = { id: 'other-web-app', secret: 'other-web-app-secret' } as const;
const organizationsScope = 'urn:logto:scope:organizations';
const organizationsResource = 'urn:logto:resource:organizations';

/** The demo world with a second confidential (traditional web) application. */
const config: DevServerConfig = {
  ...demoWorld,
  applications: [
    ...demoWorld.applications,
    {
      id: otherApp.id,
      name: 'Another web app',
      type: 'traditional',
      secret: otherApp.secret,
      redirectUris: ['http://localhost:4000/callback'],
      postLogoutRedirectUris: ['http://localhost:4000/'],
    },
  ],
  organizationRoles: demoWorld.organizationRoles.map((role) =>
    role.name === 'admin' ? { ...role, resourceScopes: { [shoppingApi]: ['shopping:write'] } } : role,
  ),
};

/** Ids that resemble `org-acme` without being it. */
const lookalikes = ['', 'org-acm', 'org-acme2', 'org-acme/', 'ORG-ACME', 'org-acme '];

describe('dev server: refresh tokens and organizations', () => {
  let server: DevServer;
  before(async () => {
    server = await startDevServer({ port: 0, memory: true, config });
  });
  after(() => server.close());

  it("refuses another confidential client's refresh token with invalid_grant, and the owner can still use it", async () => {
    const { tokens } = await signInForTokens(server);
    const refresh = { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) };
    const stolen = await tokenRequest(server, refresh, otherApp);
    assert.equal(stolen.status, 400, JSON.stringify(stolen.body));
    assert.equal(stolen.body.error, 'invalid_grant');
    assert.equal(stolen.body.access_token, undefined);

    const owner = await tokenRequest(server, refresh, webApp);
    assert.equal(owner.status, 200, JSON.stringify(owner.body));
  });

  it('issues organization tokens only for the exact organization id', async () => {
    const { tokens } = await signInForTokens(server, demoUser, {
      scopes: [organizationsScope, 'shopping:write'],
      resources: [organizationsResource, shoppingApi],
    });
    let refreshToken = String(tokens.refresh_token);
    const refresh = async (params: Record<string, string>) => {
      const response = await tokenRequest(server, {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        ...params,
      });
      if (response.status === 200) refreshToken = String(response.body.refresh_token);
      return response;
    };

    const granted = await refresh({ organization_id: 'org-acme' });
    assert.equal(granted.status, 200, JSON.stringify(granted.body));
    assert.equal(decodeJwt(granted.body.access_token).payload.aud, 'urn:logto:organization:org-acme');
    for (const id of lookalikes.filter((id) => id !== '')) {
      const refused = await refresh({ organization_id: id });
      assert.equal(refused.status, 403, `organization_id ${JSON.stringify(id)}: ${JSON.stringify(refused.body)}`);
      const withResource = await refresh({ organization_id: id, resource: shoppingApi });
      assert.equal(withResource.status, 403, `organization_id ${JSON.stringify(id)} with a resource`);
    }
  });
});

describe('narrowed organization tokens', () => {
  let server: DevServer;
  before(async () => {
    server = await startDevServer({ port: 0, memory: true, config });
  });
  after(() => server.close());

  it('carry only the scopes the refresh request names', async () => {
    const { tokens } = await signInForTokens(server, demoUser, {
      scopes: [organizationsScope, 'read:projects', 'write:projects'],
      resources: [organizationsResource],
    });
    const narrowed = await tokenRequest(server, {
      grant_type: 'refresh_token',
      refresh_token: String(tokens.refresh_token),
      organization_id: 'org-acme',
      scope: 'read:projects',
    });
    assert.equal(narrowed.status, 200, JSON.stringify(narrowed.body));
    assert.equal(decodeJwt(narrowed.body.access_token).payload.scope, 'read:projects');
  });
});

describe('organization permissions match ids exactly', () => {
  it('grants the scopes of the organization itself', () => {
    assert.deepEqual(organizationScopes(config, 'demo', 'org-acme')?.sort(), [
      'invite:members',
      'read:projects',
      'write:projects',
    ]);
    assert.deepEqual(organizationResourceScopes(config, 'demo', 'org-acme', shoppingApi), ['shopping:write']);
  });

  for (const id of lookalikes) {
    it(`grants nothing for the organization id ${JSON.stringify(id)}`, () => {
      assert.equal(organizationScopes(config, 'demo', id), undefined);
      assert.equal(organizationResourceScopes(config, 'demo', id, shoppingApi), undefined);
    });
  }

  it('grants nothing to a user name that only resembles a member', () => {
    for (const username of ['', 'dem', 'demo2', 'DEMO']) {
      assert.equal(organizationScopes(config, username, 'org-acme'), undefined, username);
    }
  });
});

describe('passwords are compared after NFKC normalisation', () => {
  it('accepts the compatibility forms of the password (ligatures, full-width letters)', async () => {
    const stored = await hashPassword('file-Password1');
    assert.equal(await verifyPassword('ﬁle-Password1', stored), true, 'the "ﬁ" ligature is "fi"');
    assert.equal(await verifyPassword('ｆｉｌｅ－Ｐａｓｓｗｏｒｄ１', stored), true, 'full-width forms');
    assert.equal(await verifyPassword('file-Password1', stored), true);
  });

  it('normalises the stored password the same way', async () => {
    const stored = await hashPassword('ﬁle-Password1');
    assert.equal(await verifyPassword('file-Password1', stored), true);
  });

  it('refuses a different password, a prefix and an extension of it', async () => {
    const stored = await hashPassword('file-Password1');
    for (const attempt of ['file-Password2', 'file-Password', 'file-Password11', '', 'FILE-PASSWORD1']) {
      assert.equal(await verifyPassword(attempt, stored), false, attempt);
    }
  });

  it('refuses a malformed stored hash', async () => {
    const stored = await hashPassword('secret-1');
    const parts = stored.split('$');
    for (const broken of ['', 'bcrypt$1$2$3$4$5', parts.slice(0, 5).join('$'), stored.replace(/^scrypt/, 'SCRYPT')]) {
      assert.equal(await verifyPassword('secret-1', broken), false, broken);
    }
  });
});

describe('role permissions go to their kind of holder only', () => {
  const world: DevServerConfig = {
    ...config,
    applications: [
      ...config.applications,
      {
        id: 'robot-with-user-roles',
        type: 'machine_to_machine',
        secret: 'robot-secret',
        roles: ['shopper', 'untyped'],
      },
    ],
    roles: [
      ...config.roles,
      // No type: a user role.
      { name: 'untyped', scopes: { [shoppingApi]: ['shopping:write'] } },
      { name: 'organization-lister', type: 'user', scopes: { [organizationsResource]: ['read:projects'] } },
    ],
  };
  const sorted = (scopes: readonly string[] | undefined) => scopes && [...scopes].sort();

  it("grants a user the union of their user roles' scopes for one resource, a role without type included", () => {
    assert.deepEqual(sorted(userResourceScopes(world, ['shopper', 'admin'], shoppingApi)), [
      'shopping:read',
      'shopping:write',
    ]);
    assert.deepEqual(userResourceScopes(world, ['untyped'], shoppingApi), ['shopping:write']);
    assert.deepEqual(userResourceScopes(world, ['shopper'], 'https://unknown.example/api'), []);
    assert.deepEqual(userResourceScopes(world, [], shoppingApi), []);
  });

  it('grants a user nothing from a machine-to-machine role, and no user scopes for the organizations resource', () => {
    assert.deepEqual(userResourceScopes(world, ['service'], shoppingApi), []);
    assert.deepEqual(userResourceScopes(world, ['organization-lister'], organizationsResource), []);
  });

  it('grants an application only its machine-to-machine roles', () => {
    assert.deepEqual(applicationResourceScopes(world, 'sample-m2m', shoppingApi), ['shopping:read']);
    assert.deepEqual(applicationResourceScopes(world, 'robot-with-user-roles', shoppingApi), []);
    assert.deepEqual(applicationResourceScopes(world, 'sample-web-app', shoppingApi), []);
    assert.deepEqual(applicationResourceScopes(world, 'no-such-app', shoppingApi), []);
    assert.deepEqual(applicationResourceScopes(world, 'sample-m2m', 'https://store.your-app.com/api'), []);
  });

  it("lists a user's organizations with their roles there, and nothing for a non-member", () => {
    assert.deepEqual(
      organizationMemberships(world, 'demo').map(({ organization, roles }) => [organization.id, roles]),
      [
        ['org-acme', ['admin']],
        ['org-globex', ['member']],
      ],
    );
    assert.deepEqual(
      organizationMemberships(world, 'alice').map(({ organization }) => organization.id),
      ['org-globex'],
    );
    assert.deepEqual(organizationMemberships(world, 'nobody'), []);
  });

  it('lists every organization scope once, and the ones a user holds across organizations', () => {
    assert.deepEqual(allOrganizationScopes(world), ['read:projects', 'write:projects', 'invite:members']);
    assert.deepEqual(sorted(userOrganizationScopes(world, 'demo')), [
      'invite:members',
      'read:projects',
      'write:projects',
    ]);
    assert.deepEqual(userOrganizationScopes(world, 'alice'), ['read:projects']);
    assert.deepEqual(userOrganizationScopes(world, 'nobody'), []);
  });

  it('grants organization-role resource scopes only to members holding that role', () => {
    assert.deepEqual(userOrganizationResourceScopes(world, 'demo', shoppingApi), ['shopping:write']);
    assert.deepEqual(userOrganizationResourceScopes(world, 'alice', shoppingApi), []);
    assert.deepEqual(userOrganizationResourceScopes(world, 'demo', 'https://store.your-app.com/api'), []);
    assert.deepEqual(organizationResourceScopes(world, 'alice', 'org-globex', shoppingApi), [], 'a member, no scopes');
    assert.deepEqual(organizationScopes(world, 'alice', 'org-globex'), ['read:projects']);
  });
});

describe('stored password hashes are read as they were written', () => {
  const encode = (n: unknown, r: unknown, p: unknown, salt: Buffer, hash: Buffer) =>
    ['scrypt', n, r, p, salt.toString('base64url'), hash.toString('base64url')].join('$');

  it('verifies a hash made with other cost parameters, taken from the hash itself', async () => {
    const salt = randomBytes(16);
    const stored = encode(1024, 4, 2, salt, scryptSync('secret-1', salt, 32, { N: 1024, r: 4, p: 2 }));
    assert.equal(await verifyPassword('secret-1', stored), true);
    assert.equal(await verifyPassword('secret-2', stored), false);
  });

  it('refuses, without throwing, a hash missing a cost parameter, the salt, or with a hash of another length', async () => {
    const salt = randomBytes(16);
    const hash = scryptSync('secret-1', salt, 32, { N: 1024, r: 4, p: 2 });
    for (const broken of [
      encode('', 4, 2, salt, hash),
      encode(1024, '', 2, salt, hash),
      encode(1024, 4, '', salt, hash),
      encode(1024, 4, 2, salt, hash.subarray(0, 16)),
      'scrypt$1024$4$2',
    ]) {
      assert.equal(await verifyPassword('secret-1', broken), false, broken);
    }
  });
});
