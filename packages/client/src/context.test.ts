import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { LogtoClient } from './client.ts';
import type { LogtoConfig } from './config.ts';
import { UserScope } from './scopes.ts';
import { MemoryStorage } from './storage.ts';
import { json } from './test-support/fake-fetch.ts';
import { createFakeProvider, startSignIn } from './test-support/fake-provider.ts';

const shopping = 'https://shopping.your-app.com/api';
const store = 'https://store.your-app.com/api';

async function signedIn(config: Partial<LogtoConfig> = {}) {
  const provider = await createFakeProvider();
  provider.idTokenClaims = { organizations: ['org-acme', 'org-globex'] };
  const client = new LogtoClient(
    { endpoint: provider.endpoint, appId: provider.appId, appSecret: provider.appSecret, ...config },
    { storage: new MemoryStorage(), fetch: provider.fetch, now: provider.now },
  );
  const { callbackUrl } = await startSignIn(client, provider);
  await client.handleSignInCallback(callbackUrl);
  return { client, provider };
}

describe('LogtoClient.getContext', () => {
  it('answers only isAuthenticated: false when signed out', async () => {
    const provider = await createFakeProvider();
    const client = new LogtoClient(
      { endpoint: provider.endpoint, appId: provider.appId, appSecret: provider.appSecret },
      { fetch: provider.fetch, now: provider.now },
    );
    assert.deepEqual(await client.getContext({ getAccessToken: true, fetchUserInfo: true }), {
      isAuthenticated: false,
    });
    assert.equal(provider.tokenRequests.length, 0);
  });

  it('gives the claims alone by default', async () => {
    const { client, provider } = await signedIn();
    const before = provider.tokenRequests.length;
    const context = await client.getContext();
    assert.equal(context.isAuthenticated, true);
    assert.equal(context.claims?.sub, provider.sub);
    assert.deepEqual(Object.keys(context).sort(), ['claims', 'isAuthenticated']);
    assert.equal(provider.tokenRequests.length, before);
  });

  it('gathers userinfo, the token and scopes of a resource, tokens for several resources and every organization', async () => {
    const { client } = await signedIn({ scopes: [UserScope.Organizations] });
    const context = await client.getContext({
      fetchUserInfo: true,
      getAccessToken: true,
      resource: shopping,
      resources: [shopping, store],
      getOrganizationToken: true,
    });
    assert.equal(context.isAuthenticated, true);
    assert.deepEqual(context.userInfo?.custom_data, { plan: 'pro' });
    assert.equal(decodeJwt(context.accessToken ?? '').aud, shopping);
    assert.deepEqual(context.scopes, []);
    assert.equal(context.accessTokens?.[shopping], context.accessToken, 'one cached token per resource');
    assert.equal(decodeJwt(context.accessTokens?.[store] ?? '').aud, store);
    assert.deepEqual(Object.keys(context.organizationTokens ?? {}).sort(), ['org-acme', 'org-globex']);
    assert.equal(decodeJwt(context.organizationTokens?.['org-acme'] ?? '').aud, 'urn:logto:organization:org-acme');
  });

  it('gets the resource token within an organization and reads its scopes', async () => {
    const { client, provider } = await signedIn({ scopes: [UserScope.Organizations] });
    provider.tokenHandler = async (params) =>
      json({
        access_token: await provider.signAccessToken({
          aud: params.get('resource'),
          organization_id: params.get('organization_id'),
          scope: 'shopping:read shopping:write',
        }),
        token_type: 'Bearer',
        expires_in: 3600,
      });
    const context = await client.getContext({ getAccessToken: true, resource: shopping, organizationId: 'org-acme' });
    assert.equal(decodeJwt(context.accessToken ?? '').organization_id, 'org-acme');
    assert.deepEqual(context.scopes, ['shopping:read', 'shopping:write']);
  });

  it('answers isAuthenticated: false when the refresh token is refused on the way (the session ended)', async () => {
    const { client, provider } = await signedIn();
    provider.currentRefreshToken = 'revoked-elsewhere';
    assert.deepEqual(await client.getContext({ getAccessToken: true, resource: shopping }), {
      isAuthenticated: false,
    });
    assert.equal(await client.isAuthenticated(), false);
  });

  it('throws when the identity server fails, without reading it as a sign-out', async () => {
    const { client, provider } = await signedIn();
    provider.tokenHandler = () => new Response('down', { status: 503 });
    await assert.rejects(client.getContext({ resources: [shopping] }), { code: 'token_request_failed' });
    assert.equal(await client.isAuthenticated(), true);
  });

  it('refuses getOrganizationToken without the organizations scope configured', async () => {
    const { client } = await signedIn();
    await assert.rejects(client.getContext({ getOrganizationToken: true }), { code: 'invalid_config' });
  });
});
