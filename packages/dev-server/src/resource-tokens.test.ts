import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { seededUserId } from './accounts.ts';
import type { DevServerConfig } from './config.ts';
import { demoWorld } from './demo-world.ts';
import { type DevServer, startDevServer } from './server.ts';
import {
  aliceUser,
  authorizationRequest,
  browse,
  CookieJar,
  decodeJwt,
  demoUser,
  m2mApp,
  shoppingApi,
  signInForTokens,
  storeApi,
  tokenRequest,
} from './test-support/flow.ts';

const organizationsScope = 'urn:logto:scope:organizations';
const organizationsResource = 'urn:logto:resource:organizations';
const allApiScopes = ['shopping:read', 'shopping:write', 'store:read', 'store:write'];
const allOrganizationScopes = ['read:projects', 'write:projects', 'invite:members'];

/** The demo world, plus an organization role granting an API scope (for resource + organization tokens). */
const config: DevServerConfig = {
  ...demoWorld,
  resources: demoWorld.resources.map((resource) =>
    resource.indicator === storeApi ? { ...resource, accessTokenTtl: 600 } : resource,
  ),
  organizationRoles: demoWorld.organizationRoles.map((role) =>
    role.name === 'admin' ? { ...role, resourceScopes: { [shoppingApi]: ['shopping:write'] } } : role,
  ),
};

describe('API resource access tokens', () => {
  let server: DevServer;
  let refresh: (params: Record<string, string>) => ReturnType<typeof tokenRequest>;
  before(async () => {
    server = await startDevServer({ port: 0, memory: true, config });
    const { tokens } = await signInForTokens(server, demoUser, {
      scopes: [...allApiScopes, ...allOrganizationScopes, organizationsScope],
      resources: [shoppingApi, storeApi, organizationsResource],
    });
    let refreshToken = String(tokens.refresh_token);
    refresh = async (params) => {
      const response = await tokenRequest(server, {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        ...params,
      });
      if (response.status === 200) refreshToken = String(response.body.refresh_token);
      return response;
    };
  });
  after(() => server.close());

  it("issues a signed at+jwt for the resource with Logto's claims", async () => {
    const { status, body } = await refresh({ resource: shoppingApi });
    assert.equal(status, 200);
    const jwks = createRemoteJWKSet(new URL(`${server.issuer}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(String(body.access_token), jwks, {
      issuer: server.issuer,
      audience: shoppingApi,
      algorithms: ['ES384'],
      typ: 'at+jwt',
    });
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.deepEqual(Object.keys(payload).sort(), ['aud', 'client_id', 'exp', 'iat', 'iss', 'jti', 'scope', 'sub']);
    assert.equal(payload.sub, seededUserId('demo'));
    assert.equal(payload.client_id, 'sample-web-app');
    assert.equal(payload.exp! - payload.iat!, 3600);
    assert.equal(body.expires_in, 3600);
  });

  it("grants the scopes the user's roles and organization roles allow, dropping the others silently", async () => {
    const shopping = await refresh({ resource: shoppingApi });
    // shopping:read from the user role `shopper`, shopping:write from the organization role `admin` in org-acme.
    assert.equal(decodeJwt(shopping.body.access_token).payload.scope, 'shopping:read shopping:write');
    assert.equal(shopping.body.scope, 'shopping:read shopping:write');
    const store = await refresh({ resource: storeApi });
    assert.equal(decodeJwt(store.body.access_token).payload.scope, 'store:read');
  });

  it("uses the resource's own access token lifetime", async () => {
    const { body } = await refresh({ resource: storeApi });
    const { payload } = decodeJwt(body.access_token);
    assert.equal(Number(payload.exp) - Number(payload.iat), 600);
  });

  it('narrows to the scopes asked for on refresh, keeping scope present when empty', async () => {
    const narrowed = await refresh({ resource: storeApi, scope: 'store:read' });
    assert.equal(decodeJwt(narrowed.body.access_token).payload.scope, 'store:read');
    const none = await refresh({ resource: storeApi, scope: 'openid' });
    assert.equal(decodeJwt(none.body.access_token).payload.scope, '');
  });

  it("refuses to widen the refresh token's scopes (400 invalid_scope)", async () => {
    const { status, body } = await refresh({ resource: storeApi, scope: 'store:write' });
    assert.equal(status, 400);
    assert.equal(body.error, 'invalid_scope');
  });

  it('refuses an unknown resource with 400 invalid_target', async () => {
    const { status, body } = await refresh({ resource: 'https://unknown.example/api' });
    assert.equal(status, 400);
    assert.equal(body.error, 'invalid_target');
  });

  it('refuses an authorization request for an unknown resource with invalid_target', async () => {
    const request = authorizationRequest(server, { resources: ['https://unknown.example/api'] });
    const response = await browse(new CookieJar(), request.url);
    const location = new URL(response.headers.get('location') ?? '', server.url);
    assert.equal(location.searchParams.get('error'), 'invalid_target');
  });

  it('refuses a configured resource that was not requested at sign-in', async () => {
    const { tokens } = await signInForTokens(server, demoUser, { scopes: ['shopping:read'], resources: [shoppingApi] });
    const { status, body } = await tokenRequest(server, {
      grant_type: 'refresh_token',
      refresh_token: String(tokens.refresh_token),
      resource: storeApi,
    });
    assert.equal(status, 400);
    assert.equal(body.error, 'invalid_target');
  });

  it('refuses two resources in one token request', async () => {
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('sample-web-app:sample-web-app-secret').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `grant_type=refresh_token&refresh_token=x&resource=${encodeURIComponent(shoppingApi)}&resource=${encodeURIComponent(storeApi)}`,
    });
    assert.equal(response.status, 400);
  });

  it('gives a user without roles a token with an empty scope', async () => {
    const { tokens } = await signInForTokens(server, aliceUser, { scopes: allApiScopes, resources: [shoppingApi] });
    const { status, body } = await tokenRequest(server, {
      grant_type: 'refresh_token',
      refresh_token: String(tokens.refresh_token),
      resource: shoppingApi,
    });
    assert.equal(status, 200);
    const { payload } = decodeJwt(body.access_token);
    assert.equal(payload.scope, '');
    assert.equal(payload.aud, shoppingApi);
  });

  describe('organization tokens', () => {
    it("issues a token for org-acme with the admin role's scopes", async () => {
      const { status, body } = await refresh({ organization_id: 'org-acme' });
      assert.equal(status, 200);
      const { header, payload } = decodeJwt(body.access_token);
      assert.equal(header.typ, 'at+jwt');
      assert.equal(payload.aud, 'urn:logto:organization:org-acme');
      assert.equal(payload.sub, seededUserId('demo'));
      assert.equal(payload.iss, server.issuer);
      assert.deepEqual(String(payload.scope).split(' ').sort(), ['invite:members', 'read:projects', 'write:projects']);
      assert.equal(Object.hasOwn(payload, 'organization_id'), false);
    });

    it("issues a token for org-globex with the member role's scopes", async () => {
      const { body } = await refresh({ organization_id: 'org-globex' });
      const { payload } = decodeJwt(body.access_token);
      assert.equal(payload.aud, 'urn:logto:organization:org-globex');
      assert.equal(payload.scope, 'read:projects');
    });

    it('refuses a non-member with 403 access_denied', async () => {
      const { tokens } = await signInForTokens(server, aliceUser, {
        scopes: [organizationsScope],
        resources: [organizationsResource],
      });
      const { status, body } = await tokenRequest(server, {
        grant_type: 'refresh_token',
        refresh_token: String(tokens.refresh_token),
        organization_id: 'org-acme',
      });
      assert.equal(status, 403);
      assert.equal(body.error, 'access_denied');
      assert.equal(body.error_description, 'user is not a member of the organization', "Logto's description");

      const { status: unknownStatus } = await tokenRequest(server, {
        grant_type: 'refresh_token',
        refresh_token: String(tokens.refresh_token),
        organization_id: 'org-nonexistent',
      });
      assert.equal(unknownStatus, 403);
    });

    it('refuses a refresh token without the organizations scope with 403 insufficient_scope', async () => {
      const { tokens } = await signInForTokens(server, demoUser);
      const { status, body } = await tokenRequest(server, {
        grant_type: 'refresh_token',
        refresh_token: String(tokens.refresh_token),
        organization_id: 'org-acme',
      });
      assert.equal(status, 403);
      assert.equal(body.error, 'insufficient_scope');
      assert.match(String(body.error_description), /missing required scope/);
      assert.equal(body.scope, organizationsScope, 'names the scope the refresh token lacks');
      // The refused request did not consume the refresh token.
      const retry = await tokenRequest(server, {
        grant_type: 'refresh_token',
        refresh_token: String(tokens.refresh_token),
      });
      assert.equal(retry.status, 200);
    });

    it("with a resource: aud is the resource, the organization_id claim is added, scopes are the user's role scopes plus the organization's", async () => {
      const { status, body } = await refresh({ organization_id: 'org-acme', resource: shoppingApi });
      assert.equal(status, 200);
      const { payload } = decodeJwt(body.access_token);
      assert.equal(payload.aud, shoppingApi);
      assert.equal(payload.organization_id, 'org-acme');
      assert.equal(payload.scope, 'shopping:read shopping:write');

      const globex = await refresh({ organization_id: 'org-globex', resource: shoppingApi });
      const globexPayload = decodeJwt(globex.body.access_token).payload;
      assert.equal(globexPayload.organization_id, 'org-globex');
      assert.equal(globexPayload.scope, 'shopping:read', 'the member role grants no API scope: only the user role');
    });

    it('carries only the organization scopes requested at sign-in, and none without the organizations resource', async () => {
      const notRequested = await signInForTokens(server, demoUser, {
        scopes: [organizationsScope, 'read:projects'],
        resources: [organizationsResource],
      });
      const narrow = await tokenRequest(server, {
        grant_type: 'refresh_token',
        refresh_token: String(notRequested.tokens.refresh_token),
        organization_id: 'org-acme',
      });
      assert.equal(decodeJwt(narrow.body.access_token).payload.scope, 'read:projects');

      const withoutResource = await signInForTokens(server, demoUser, {
        scopes: [organizationsScope, 'read:projects'],
      });
      const empty = await tokenRequest(server, {
        grant_type: 'refresh_token',
        refresh_token: String(withoutResource.tokens.refresh_token),
        organization_id: 'org-acme',
      });
      assert.equal(empty.status, 200);
      assert.equal(decodeJwt(empty.body.access_token).payload.scope, '');
    });

    it('does not leak the organization_id claim into later plain resource tokens', async () => {
      const { body } = await refresh({ resource: shoppingApi });
      assert.equal(Object.hasOwn(decodeJwt(body.access_token).payload, 'organization_id'), false);
    });
  });
});

describe('machine-to-machine client credentials', () => {
  let server: DevServer;
  before(async () => {
    server = await startDevServer({ port: 0, memory: true });
  });
  after(() => server.close());

  it("issues a JWT for one resource with the scopes the app's roles allow", async () => {
    const { status, body } = await tokenRequest(
      server,
      { grant_type: 'client_credentials', resource: shoppingApi, scope: 'shopping:read shopping:write' },
      m2mApp,
    );
    assert.equal(status, 200);
    const { header, payload } = decodeJwt(body.access_token);
    assert.equal(header.typ, 'at+jwt');
    assert.equal(payload.aud, shoppingApi);
    assert.equal(payload.scope, 'shopping:read');
    assert.equal(payload.client_id, 'sample-m2m');
    assert.equal(payload.sub, 'sample-m2m');
    assert.equal(body.refresh_token, undefined);
  });

  it("grants nothing on a resource the app's roles do not cover, and leaves scope out, as Logto", async () => {
    const { status, body } = await tokenRequest(
      server,
      { grant_type: 'client_credentials', resource: storeApi, scope: 'store:read' },
      m2mApp,
    );
    assert.equal(status, 200);
    assert.equal(Object.hasOwn(decodeJwt(body.access_token).payload, 'scope'), false);
    assert.equal(Object.hasOwn(body, 'scope'), false);
  });

  it('refuses a request without a resource with 400 invalid_target, and organization tokens for an app in no organization', async () => {
    const noResource = await tokenRequest(server, { grant_type: 'client_credentials', scope: 'shopping:read' }, m2mApp);
    assert.equal(noResource.status, 400);
    assert.equal(noResource.body.error, 'invalid_target');
    assert.equal(noResource.body.error_description, 'both `resource` and `organization_id` are not provided');

    const organization = await tokenRequest(
      server,
      { grant_type: 'client_credentials', organization_id: 'org-acme', scope: 'read:projects' },
      m2mApp,
    );
    assert.equal(organization.status, 403);
    assert.equal(organization.body.error, 'access_denied');
  });

  it('gives an app that holds no organization role no organization scope for the organizations resource', async () => {
    const { status, body } = await tokenRequest(
      server,
      {
        grant_type: 'client_credentials',
        resource: organizationsResource,
        scope: 'read:projects write:projects invite:members',
      },
      m2mApp,
    );
    assert.equal(status, 200);
    assert.equal(Object.hasOwn(decodeJwt(body.access_token).payload, 'scope'), false);
    assert.equal(body.scope, undefined);
  });

  it('refuses an unknown resource, a wrong secret, and the web app', async () => {
    const unknown = await tokenRequest(
      server,
      { grant_type: 'client_credentials', resource: 'https://unknown.example/api', scope: 'x' },
      m2mApp,
    );
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error, 'invalid_target');

    const badSecret = await tokenRequest(
      server,
      { grant_type: 'client_credentials', resource: shoppingApi, scope: 'shopping:read' },
      { id: m2mApp.id, secret: 'nope' },
    );
    assert.equal(badSecret.status, 401);
    assert.equal(badSecret.body.error, 'invalid_client');

    const webApp = await tokenRequest(server, {
      grant_type: 'client_credentials',
      resource: shoppingApi,
      scope: 'shopping:read',
    });
    assert.equal(webApp.status, 400);
    assert.match(String(webApp.body.error_description), /grant type is not allowed/);
  });
});
