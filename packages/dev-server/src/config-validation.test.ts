import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { DevServerConfig } from './config.ts';
import { ConfigError, loadConfigFile, validateConfig } from './config-validation.ts';
import { demoWorld } from './demo-world.ts';

/** A deep copy of the demo world, changed by `edit`. */
function demoWith(edit: (config: DevServerConfig) => void): unknown {
  const copy = structuredClone(demoWorld);
  edit(copy);
  return copy;
}

describe('validateConfig', () => {
  it('accepts a back-channel logout URI and the session-required flag on a traditional app', () => {
    const config = validateConfig(
      demoWith((c) => {
        c.applications[0]!.backchannelLogoutUri = 'http://localhost:3000/backchannel-logout';
        c.applications[0]!.backchannelLogoutSessionRequired = true;
      }),
    );
    assert.equal(config.applications[0]!.backchannelLogoutUri, 'http://localhost:3000/backchannel-logout');
    assert.equal(config.applications[0]!.backchannelLogoutSessionRequired, true);
  });

  it('accepts the demo world unchanged', () => {
    assert.deepEqual(validateConfig(structuredClone(demoWorld)), demoWorld);
  });

  it('accepts a minimal configuration and fills in the missing sections', () => {
    assert.deepEqual(validateConfig({}), {
      applications: [],
      resources: [],
      roles: [],
      organizationRoles: [],
      organizations: [],
      users: [],
    });
  });

  const bad: Array<[string, unknown, string, RegExp]> = [
    ['a non-object document', [], '', /must be an object/],
    ['an unknown top-level field', { application: [] }, 'application', /unknown field/],
    ['a non-array section', { users: {} }, 'users', /must be an array/],
    [
      'a relative redirect URI',
      demoWith((c) => c.applications[0]!.redirectUris!.push('/callback')),
      'applications[0].redirectUris[1]',
      /must be an absolute http\(s\) URL/,
    ],
    [
      'a non-http redirect URI',
      demoWith((c) => c.applications[0]!.redirectUris!.push('javascript:alert(1)')),
      'applications[0].redirectUris[1]',
      /must be an absolute http\(s\) URL/,
    ],
    [
      'a redirect URI with a fragment',
      demoWith((c) => {
        c.applications[0]!.redirectUris![0] = 'http://localhost:3000/callback#x';
      }),
      'applications[0].redirectUris[0]',
      /fragment/,
    ],
    [
      'a post-logout URI that is not a URL',
      demoWith((c) => {
        c.applications[0]!.postLogoutRedirectUris = ['nope'];
      }),
      'applications[0].postLogoutRedirectUris[0]',
      /absolute http\(s\) URL/,
    ],
    [
      'a back-channel logout URI that is not a URL',
      demoWith((c) => {
        c.applications[0]!.backchannelLogoutUri = '/backchannel-logout';
      }),
      'applications[0].backchannelLogoutUri',
      /absolute http\(s\) URL/,
    ],
    [
      'a back-channel logout URI on a machine-to-machine app',
      demoWith((c) => {
        c.applications[1]!.backchannelLogoutUri = 'http://localhost:3000/backchannel-logout';
      }),
      'applications[1].backchannelLogoutUri',
      /no back-channel logout/,
    ],
    [
      'a session-required flag that is not a boolean',
      demoWith((c) => {
        c.applications[0]!.backchannelLogoutSessionRequired = 'yes' as never;
      }),
      'applications[0].backchannelLogoutSessionRequired',
      /must be true or false/,
    ],
    [
      'an application type that does not exist',
      demoWith((c) => {
        c.applications[1]!.type = 'native' as never;
      }),
      'applications[1].type',
      /must be one of "traditional", "spa", "machine_to_machine"/,
    ],
    [
      'a duplicate application id',
      demoWith((c) => {
        c.applications[1]!.id = 'sample-web-app';
      }),
      'applications[1].id',
      /duplicate application id "sample-web-app" \(already at applications\[0\]\)/,
    ],
    [
      'a missing secret',
      demoWith((c) => {
        Reflect.deleteProperty(c.applications[0]!, 'secret');
      }),
      'applications[0].secret',
      /must be a string, got undefined/,
    ],
    [
      'a traditional app without redirect URIs',
      demoWith((c) => {
        c.applications[0]!.redirectUris = [];
      }),
      'applications[0].redirectUris',
      /at least one redirect URI/,
    ],
    [
      'an unknown app role',
      demoWith((c) => {
        c.applications[1]!.roles = ['root'];
      }),
      'applications[1].roles[0]',
      /unknown role "root"/,
    ],
    [
      'a user role given to an app',
      demoWith((c) => {
        c.applications[1]!.roles = ['shopper'];
      }),
      'applications[1].roles[0]',
      /user role/,
    ],
    [
      'a misspelt application field',
      demoWith((c) => {
        Object.assign(c.applications[0]!, { redirectUri: 'http://localhost:3000/callback' });
      }),
      'applications[0].redirectUri',
      /unknown field/,
    ],
    [
      'a relative resource indicator',
      demoWith((c) => {
        c.resources[1]!.indicator = 'store-api';
      }),
      'resources[1].indicator',
      /absolute URI/,
    ],
    [
      'the reserved organizations indicator',
      demoWith((c) => {
        c.resources[1]!.indicator = 'urn:logto:resource:organizations';
      }),
      'resources[1].indicator',
      /reserved/,
    ],
    [
      'a duplicate resource indicator',
      demoWith((c) => {
        c.resources[1]!.indicator = c.resources[0]!.indicator;
        c.roles = [];
        c.applications[1]!.roles = [];
      }),
      'resources[1].indicator',
      /duplicate resource indicator/,
    ],
    [
      'a scope with a space',
      demoWith((c) => c.resources[0]!.scopes.push('read all')),
      'resources[0].scopes[2]',
      /without spaces/,
    ],
    [
      'a duplicate scope',
      demoWith((c) => c.resources[0]!.scopes.push('shopping:read')),
      'resources[0].scopes[2]',
      /duplicate scope/,
    ],
    [
      'a zero token lifetime',
      demoWith((c) => {
        c.resources[0]!.accessTokenTtl = 0;
      }),
      'resources[0].accessTokenTtl',
      /positive whole number/,
    ],
    [
      'a role scope on an unknown resource',
      demoWith((c) => {
        c.roles[0]!.scopes['https://unknown.example.com/api'] = ['x'];
      }),
      'roles[0].scopes["https://unknown.example.com/api"]',
      /unknown resource indicator/,
    ],
    [
      'a role scope the resource does not define',
      demoWith((c) => c.roles[1]!.scopes['https://store.your-app.com/api']!.push('store:delete')),
      'roles[1].scopes["https://store.your-app.com/api"][2]',
      /scope "store:delete" is not defined on https:\/\/store.your-app.com\/api/,
    ],
    [
      'a duplicate role name',
      demoWith((c) => {
        c.roles[1]!.name = 'shopper';
      }),
      'roles[1].name',
      /duplicate role name "shopper"/,
    ],
    [
      'an organization role resource scope the resource does not define',
      demoWith((c) => {
        c.organizationRoles[0]!.resourceScopes = { 'https://shopping.your-app.com/api': ['shopping:delete'] };
      }),
      'organizationRoles[0].resourceScopes["https://shopping.your-app.com/api"][0]',
      /not defined/,
    ],
    [
      'an unknown user role',
      demoWith((c) => c.users[0]!.roles!.push('superuser')),
      'users[0].roles[1]',
      /unknown role "superuser"/,
    ],
    [
      'a machine-to-machine role given to a user',
      demoWith((c) => c.users[1]!.roles!.push('service')),
      'users[1].roles[0]',
      /machine_to_machine role/,
    ],
    [
      'an invalid username',
      demoWith((c) => {
        c.users[1]!.username = 'alice smith';
      }),
      'users[1].username',
      /letter or underscore/,
    ],
    [
      'a duplicate username (any case)',
      demoWith((c) => {
        c.users[1]!.username = 'Demo';
      }),
      'users[1].username',
      /duplicate username/,
    ],
    [
      'a duplicate email',
      demoWith((c) => {
        c.users[1]!.email = 'DEMO@example.com';
      }),
      'users[1].email',
      /duplicate email/,
    ],
    [
      'an invalid email',
      demoWith((c) => {
        c.users[0]!.email = 'demo-at-example';
      }),
      'users[0].email',
      /email address/,
    ],
    [
      'a non-boolean emailVerified',
      demoWith((c) => {
        c.users[0]!.emailVerified = 'yes' as never;
      }),
      'users[0].emailVerified',
      /true or false/,
    ],
    [
      'custom data that is not an object',
      demoWith((c) => {
        c.users[0]!.customData = '{"plan":"pro"}' as never;
      }),
      'users[0].customData',
      /JSON object/,
    ],
    [
      'an unknown profile claim',
      demoWith((c) => {
        c.users[0]!.profile = { shoe_size: '42' };
      }),
      'users[0].profile.shoe_size',
      /unknown field/,
    ],
    [
      'an unknown organization member',
      demoWith((c) => c.organizations[1]!.members.push({ username: 'bob', roles: ['member'] })),
      'organizations[1].members[2].username',
      /no user has the username "bob"/,
    ],
    [
      'an unknown organization role',
      demoWith((c) => {
        c.organizations[0]!.members[0]!.roles = ['owner'];
      }),
      'organizations[0].members[0].roles[0]',
      /unknown organization role "owner"/,
    ],
    [
      'a duplicate organization id',
      demoWith((c) => {
        c.organizations[1]!.id = 'org-acme';
      }),
      'organizations[1].id',
      /duplicate organization id/,
    ],
    [
      'a phone number with a leading +',
      demoWith((c) => {
        c.users[0]!.phone = '+15555550100';
      }),
      'users[0].phone',
      /digits only/,
    ],
    [
      'a 12 KB email address',
      demoWith((c) => {
        c.users[1]!.email = `${'a'.repeat(12 * 1024)}@example.com`;
      }),
      'users[1].email',
      /at most 128 characters/,
    ],
    [
      'a member listed twice',
      demoWith((c) => c.organizations[0]!.members.push({ username: 'demo', roles: [] })),
      'organizations[0].members[1].username',
      /duplicate member "demo"/,
    ],
  ];

  for (const [name, config, path, problem] of bad) {
    it(`names the path of ${name}: ${path || '(document)'}`, () => {
      assert.throws(
        () => validateConfig(config),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError, `a ConfigError, got ${String(error)}`);
          assert.equal(error.path, path);
          assert.match(error.problem, problem);
          assert.ok(error.message.startsWith(path ? `${path}: ` : ''), error.message);
          return true;
        },
      );
    });
  }
});

describe('loadConfigFile', () => {
  const dirPromise = mkdtemp(join(tmpdir(), 'logto-kit-config-'));
  after(async () => rm(await dirPromise, { recursive: true, force: true }));

  it('reads and validates a JSON file', async () => {
    const file = join(await dirPromise, 'good.json');
    await writeFile(file, JSON.stringify(demoWorld));
    assert.deepEqual(await loadConfigFile(file), demoWorld);
  });

  it('names the file and the path of the bad field', async () => {
    const file = join(await dirPromise, 'bad.json');
    await writeFile(file, JSON.stringify(demoWith((c) => c.applications[0]!.redirectUris!.push('/x'))));
    await assert.rejects(loadConfigFile(file), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.file, file);
      assert.equal(
        error.message,
        `${file}: applications[0].redirectUris[1]: must be an absolute http(s) URL, got the string "/x"`,
      );
      return true;
    });
  });

  it('reports invalid JSON and a missing file', async () => {
    const file = join(await dirPromise, 'broken.json');
    await writeFile(file, '{ "users": [ }');
    await assert.rejects(loadConfigFile(file), /broken\.json: not valid JSON/);
    await assert.rejects(
      loadConfigFile(join(await dirPromise, 'missing.json')),
      /missing\.json: cannot read the configuration: file not found/,
    );
  });
});
