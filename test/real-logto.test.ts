// The real-Logto harness itself: a seeded server on free ports whose app registrations a test can extend.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type RealLogto, startRealLogto } from './real-logto.ts';

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
