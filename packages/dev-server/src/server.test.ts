import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DevServerConfig } from './config.ts';
import { demoWorld } from './demo-world.ts';
import { jwkThumbprint } from './keys.ts';
import { type DevServer, rotateKeys, startDevServer } from './server.ts';
import type { PrivateJwk } from './storage/store.ts';
import { decodeJwt, signInForTokens } from './test-support/flow.ts';

async function json(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  return (await response.json()) as Record<string, unknown>;
}

async function publishedKeys(server: DevServer): Promise<PrivateJwk[]> {
  return (await json(`${server.issuer}/jwks`)).keys as PrivateJwk[];
}

describe('dev server', () => {
  let server: DevServer;
  before(async () => {
    server = await startDevServer({ port: 0, memory: true });
  });
  after(() => server.close());

  it('uses localhost and /oidc for the issuer', () => {
    assert.match(server.url, /^http:\/\/localhost:\d+$/);
    assert.equal(server.issuer, `${server.url}/oidc`);
  });

  it("publishes discovery with Logto's endpoints", async () => {
    const discovery = await json(`${server.issuer}/.well-known/openid-configuration`);
    assert.equal(discovery.issuer, server.issuer);
    assert.equal(discovery.authorization_endpoint, `${server.issuer}/auth`);
    assert.equal(discovery.token_endpoint, `${server.issuer}/token`);
    assert.equal(discovery.jwks_uri, `${server.issuer}/jwks`);
    assert.equal(discovery.userinfo_endpoint, `${server.issuer}/me`);
    assert.equal(discovery.end_session_endpoint, `${server.issuer}/session/end`);
    assert.equal(discovery.revocation_endpoint, `${server.issuer}/token/revocation`);
    assert.equal(discovery.introspection_endpoint, `${server.issuer}/token/introspection`);
    assert.deepEqual(discovery.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(discovery.id_token_signing_alg_values_supported, ['ES384']);
    const scopes = discovery.scopes_supported as string[];
    for (const scope of ['openid', 'offline_access', 'profile', 'custom_data', 'urn:logto:scope:organizations']) {
      assert.ok(scopes.includes(scope), scope);
    }
  });

  it('publishes EC P-384 ES384 signing keys, kid = RFC 7638 thumbprint, no private parts', async () => {
    const keys = await publishedKeys(server);
    assert.equal(keys.length, 1);
    const [key] = keys;
    assert.equal(key?.kty, 'EC');
    assert.equal(key?.crv, 'P-384');
    assert.equal(key?.alg, 'ES384');
    assert.equal(key?.use, 'sig');
    assert.equal(key && jwkThumbprint(key), key?.kid);
    assert.equal(key?.d, undefined);
  });

  it("answers OAuth errors as Logto's JSON: error, error_description, code and Logto's message", async () => {
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=x',
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(typeof body.error, 'string');
    assert.equal(typeof body.error_description, 'string');
    assert.equal(body.code, `oidc.${String(body.error)}`, "Logto's code field");
    assert.equal(body.message, 'Request is invalid.', "Logto's phrase for the code, not the description");
  });

  it('leaves paths outside /oidc and /interaction unanswered (404)', async () => {
    const response = await fetch(`${server.url}/oidcx/jwks`);
    assert.equal(response.status, 404);
  });
});

describe('dev server signing keys on disk', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'logto-kit-dev-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps its keys across a restart', async () => {
    const first = await startDevServer({ port: 0, dataDir });
    const before = await publishedKeys(first);
    await first.close();
    const second = await startDevServer({ port: 0, dataDir });
    try {
      assert.deepEqual(await publishedKeys(second), before);
    } finally {
      await second.close();
    }
  });

  it('after rotation, publishes the old and new keys and signs with the new one', async () => {
    const first = await startDevServer({ port: 0, dataDir });
    const [old] = await publishedKeys(first);
    await first.close();

    const { kid } = await rotateKeys({ dataDir });
    assert.notEqual(kid, old?.kid);

    const second = await startDevServer({ port: 0, dataDir });
    try {
      const keys = await publishedKeys(second);
      assert.deepEqual(
        keys.map((key) => key.kid),
        [kid, old?.kid],
      );
      const { tokens } = await signInForTokens(second);
      assert.equal(decodeJwt(tokens.id_token).header.kid, kid);
    } finally {
      await second.close();
    }
  });
});

describe('dev server configuration', () => {
  it('refuses an invalid configuration at start, naming the bad field', async () => {
    const broken = {
      ...demoWorld,
      applications: [{ ...demoWorld.applications[0], redirectUris: ['not a url'] }],
    } as DevServerConfig;
    await assert.rejects(
      startDevServer({ port: 0, memory: true, config: broken }),
      /applications\[0\]\.redirectUris\[0\]/,
    );
  });

  it('serves a custom configuration', async () => {
    const config: DevServerConfig = {
      ...demoWorld,
      users: [...demoWorld.users, { username: 'carol', password: 'carol-password', name: 'Carol' }],
    };
    const server = await startDevServer({ port: 0, memory: true, config });
    try {
      const { tokens } = await signInForTokens(server, { username: 'carol', password: 'carol-password' });
      assert.equal(decodeJwt(tokens.id_token).payload.name, 'Carol');
    } finally {
      await server.close();
    }
  });
});

describe('dev server mounting', () => {
  it('serves /oidc with only a query string (no trailing slash) without crashing', async () => {
    const server = await startDevServer({ port: 0, memory: true });
    try {
      const response = await fetch(`${server.url}/oidc?probe=1`);
      assert.equal(response.status, 404);
    } finally {
      await server.close();
    }
  });
});

describe('dev server lifetimes', () => {
  it("are Logto's by default and can be shortened", async () => {
    const server = await startDevServer({ port: 0, memory: true, lifetimes: { accessToken: 120, idToken: 90 } });
    try {
      const { tokens } = await signInForTokens(server, undefined, {
        scopes: ['shopping:read', 'urn:logto:scope:organizations'],
        resources: ['https://shopping.your-app.com/api', 'urn:logto:resource:organizations'],
      });
      assert.equal(tokens.expires_in, 120);
      const idToken = decodeJwt(tokens.id_token).payload;
      assert.equal(Number(idToken.exp) - Number(idToken.iat), 90);

      const refresh = async (params: Record<string, string>, refreshToken: unknown) => {
        const response = await fetch(`${server.issuer}/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from('sample-web-app:sample-web-app-secret').toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: String(refreshToken), ...params }),
        });
        return (await response.json()) as Record<string, unknown>;
      };
      const resourceToken = await refresh({ resource: 'https://shopping.your-app.com/api' }, tokens.refresh_token);
      assert.equal(resourceToken.expires_in, 120);
      const organizationToken = await refresh({ organization_id: 'org-acme' }, resourceToken.refresh_token);
      const payload = decodeJwt(organizationToken.access_token).payload;
      assert.equal(Number(payload.exp) - Number(payload.iat), 120);
    } finally {
      await server.close();
    }
  });
});

describe('dev server behind a proxy', () => {
  it("uses issuerBaseUrl as the issuer and the proxy's forwarded host for endpoints", async () => {
    const server = await startDevServer({ port: 0, memory: true, issuerBaseUrl: 'https://id.example.com/' });
    try {
      assert.equal(server.url, 'https://id.example.com');
      assert.equal(server.issuer, 'https://id.example.com/oidc');
      const response = await fetch(`http://localhost:${server.port}/oidc/.well-known/openid-configuration`, {
        headers: { 'x-forwarded-host': 'id.example.com', 'x-forwarded-proto': 'https' },
      });
      const discovery = (await response.json()) as Record<string, unknown>;
      assert.equal(discovery.issuer, 'https://id.example.com/oidc');
      assert.equal(discovery.token_endpoint, 'https://id.example.com/oidc/token');
    } finally {
      await server.close();
    }
  });

  it('does not trust forwarded headers without issuerBaseUrl', async () => {
    const server = await startDevServer({ port: 0, memory: true });
    try {
      const response = await fetch(`${server.issuer}/.well-known/openid-configuration`, {
        headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
      });
      const discovery = (await response.json()) as Record<string, unknown>;
      assert.equal(discovery.token_endpoint, `${server.issuer}/token`);
    } finally {
      await server.close();
    }
  });
});
