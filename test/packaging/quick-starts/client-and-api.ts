// Quick start of @logto-kit/client and @logto-kit/api, as a new project would run it: a dev
// server for the app's URL, a sign-in through its pages, an access token for the shopping API, and
// the API guard verifying that token on a web-standard Request.
import assert from 'node:assert/strict';
import { authenticateRequest, createAccessTokenVerifier } from '@logto-kit/api';
import { LogtoClient } from '@logto-kit/client';
import { demoWorld, startDevServer, withAppUrls } from '@logto-kit/dev-server';
import { signInThroughForms } from '@logto-kit/dev-server/testing';

const appUrl = 'http://localhost:5173';
const shoppingApi = 'https://shopping.your-app.com/api';
const server = await startDevServer({ port: 0, memory: true, config: withAppUrls(demoWorld, [appUrl]) });
try {
  const client = new LogtoClient({
    endpoint: server.url,
    appId: 'sample-web-app',
    appSecret: 'sample-web-app-secret',
    scopes: ['email', 'shopping:read'],
    resources: [shoppingApi],
  });
  const signInUrl = await client.signIn(`${appUrl}/callback`);
  await client.handleSignInCallback(
    await signInThroughForms(signInUrl, { username: 'demo', password: 'demo-password' }),
  );
  const claims = await client.getIdTokenClaims();
  assert.equal(claims.email, 'demo@example.com');

  const accessToken = await client.getAccessToken(shoppingApi);
  const verifier = createAccessTokenVerifier({ endpoint: server.url }, { audience: shoppingApi });
  const request = new Request('http://localhost:3002/api/products', {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  const auth = await authenticateRequest(request, { verifier, scopes: ['shopping:read'] });
  assert.equal(auth.sub, claims.sub);
  console.log(`client and api: signed in as ${claims.sub}, token verified with scopes ${auth.scopes.join(' ')}`);
} finally {
  await server.close();
}
