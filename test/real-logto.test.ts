// The real-Logto harness itself: a seeded server on free ports whose app registrations a test can extend.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { locateRealLogto, type RealLogto, realLogtoNotice, startRealLogto } from './real-logto.ts';

const logto = await startRealLogto();

describe('the real Logto harness', { skip: logto ? false : 'no built Logto v1.37.1 (see npm test output)' }, () => {
  let server: RealLogto;
  before(() => {
    server = logto!;
  });
  after(() => server.close());

  test('serves the seeded demo world under its own issuer', async () => {
    const discovery = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
    };
    assert.equal(discovery.issuer, server.issuer);
    assert.equal(server.world.issuer, server.issuer);
    assert.deepEqual(Object.keys(server.world.users).sort(), ['admin', 'alice', 'demo']);
    assert.ok(server.world.organizations['Acme Inc.']);
  });

  test('accepts a redirect URI only after a test registers it', async () => {
    const redirectUri = 'http://127.0.0.1:65000/callback';
    const authorize = () =>
      fetch(
        `${server.issuer}/auth?${new URLSearchParams({
          client_id: server.world.webApp.id,
          redirect_uri: redirectUri,
          response_type: 'code',
          scope: 'openid',
          state: 'state-1',
        })}`,
        { redirect: 'manual' },
      );
    assert.equal((await authorize()).status, 400);
    await server.registerUris({ redirectUris: [redirectUri], postLogoutRedirectUris: ['http://127.0.0.1:65000/'] });
    const response = await authorize();
    assert.equal(response.status, 303);
    assert.match(response.headers.get('location') ?? '', /^\/sign-in\?/);
  });
});

describe('locating the real Logto', () => {
  const folder = mkdtempSync(join(tmpdir(), 'logto-kit-locate-'));
  after(() => rmSync(folder, { recursive: true, force: true }));
  const scripts = join(folder, 'real-logto');
  const home = join(folder, 'home');

  test('says why it cannot run when the named folder holds no Logto source', () => {
    const location = locateRealLogto({ LOGTO_KIT_REAL_LOGTO: folder, REAL_LOGTO_HOME: home });
    assert.equal(location.available, false);
    assert.match(location.available ? '' : location.reason, /holds neither seed\.mjs nor \.built-v1\.37\.1/);
    assert.match(realLogtoNotice('x'), /^Real-Logto conformance not run: x\. Point LOGTO_KIT_REAL_LOGTO at /);
  });

  test('asks for build.sh when the source is there but not built', () => {
    mkdirSync(scripts, { recursive: true });
    writeFileSync(join(scripts, 'seed.mjs'), '');
    const location = locateRealLogto({ LOGTO_KIT_REAL_LOGTO: scripts, REAL_LOGTO_HOME: home });
    assert.equal(location.available, false);
    assert.match(location.available ? '' : location.reason, /not built in .*run .*build\.sh/);
  });

  test('uses the build home beside the named source once it is built', () => {
    mkdirSync(join(home, 'logto', 'packages', 'core'), { recursive: true });
    writeFileSync(join(home, '.built-v1.37.1'), '');
    assert.deepEqual(locateRealLogto({ LOGTO_KIT_REAL_LOGTO: scripts, REAL_LOGTO_HOME: home }), {
      available: true,
      scripts,
      home,
    });
  });
});
