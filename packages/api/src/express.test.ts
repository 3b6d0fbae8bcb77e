import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { requireAuth } from './express.ts';
import { accessToken, claimsFor, fakeProvider, generateSigningKey, shopping } from './test-support/provider.ts';
import { createAccessTokenVerifier } from './verify-access-token.ts';

const key = generateSigningKey('ES384');
const provider = fakeProvider([key]);
const verifier = createAccessTokenVerifier(
  { endpoint: provider.endpoint },
  { audience: shopping, fetch: provider.fetch },
);
const claims = (overrides: Record<string, unknown> = {}) =>
  claimsFor(provider.issuer, Math.floor(Date.now() / 1000), overrides);

const app = express();
app.get('/products', requireAuth({ verifier, scopes: ['shopping:read'] }), (req, res) => {
  res.json({ sub: req.auth?.sub, scopes: req.auth?.scopes });
});
app.get(
  '/organizations/:id/projects',
  requireAuth({ verifier, organizationId: (req) => req.params.id, scopes: ['read:projects'] }),
  (req, res) => {
    res.json({ sub: req.auth?.sub, organizationId: req.auth?.organizationId });
  },
);

app.get(
  '/projects',
  requireAuth({ verifier, organizationId: (req) => req.query.organization, scopes: ['read:projects'] }),
  (req, res) => {
    res.json({ organizationId: req.auth?.organizationId });
  },
);

let base = '';
const server = app.listen(0);
before(async () => {
  await new Promise<void>((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
});

const get = (path: string, authorization?: string) =>
  fetch(`${base}${path}`, { headers: authorization ? { authorization } : {} });

describe('requireAuth (Express, over HTTP)', () => {
  it('lets a valid token through and sets req.auth', async () => {
    const response = await get('/products', `Bearer ${accessToken(key, claims())}`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { sub: 'user-1', scopes: ['shopping:read'] });
  });

  it('answers 401 auth.authorization_header_missing with a Bearer challenge', async () => {
    const response = await get('/products');
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer');
    assert.equal((await response.json()).code, 'auth.authorization_header_missing');
  });

  it('answers 401 auth.authorization_token_type_not_supported for Basic', async () => {
    const response = await get('/products', 'Basic dXNlcjpwYXNz');
    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate') ?? '', /error="invalid_request"/);
    assert.equal((await response.json()).code, 'auth.authorization_token_type_not_supported');
  });

  it('answers 401 invalid_token for a forged token', async () => {
    const forged = accessToken(generateSigningKey('ES384'), claims(), { kid: key.kid });
    const response = await get('/products', `Bearer ${forged}`);
    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token"/);
    const body = await response.json();
    assert.equal(body.code, 'invalid_token');
    assert.ok(!JSON.stringify(body).includes(forged.split('.')[1] ?? ''), 'the body echoes the token');
  });

  it('answers 403 insufficient_scope with the required scope', async () => {
    const response = await get('/products', `Bearer ${accessToken(key, claims({ scope: 'store:read' }))}`);
    assert.equal(response.status, 403);
    assert.match(response.headers.get('www-authenticate') ?? '', /error="insufficient_scope".*scope="shopping:read"/);
    assert.equal((await response.json()).code, 'insufficient_scope');
  });

  it('reads the organization from the route and accepts only its organization token', async () => {
    const acme = accessToken(key, claims({ aud: 'urn:logto:organization:org-acme', scope: 'read:projects' }));
    const ok = await get('/organizations/org-acme/projects', `Bearer ${acme}`);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { sub: 'user-1', organizationId: 'org-acme' });

    const other = await get('/organizations/org-globex/projects', `Bearer ${acme}`);
    assert.equal(other.status, 401);
    assert.equal((await other.json()).code, 'invalid_token');
  });

  it('refuses a request for which the route names no organization', async () => {
    const acme = accessToken(key, claims({ aud: 'urn:logto:organization:org-acme', scope: 'read:projects' }));
    const named = await get('/projects?organization=org-acme', `Bearer ${acme}`);
    assert.equal(named.status, 200);
    const unnamed = await get('/projects', `Bearer ${acme}`);
    assert.equal(unnamed.status, 401);
    assert.equal((await unnamed.json()).code, 'invalid_token');
  });

  it('answers 503 provider_unavailable, never a pass, when the keys cannot be fetched', async () => {
    const down = fakeProvider([key]);
    down.state.down = true;
    const own = express();
    own.get('/', requireAuth({ endpoint: down.endpoint, audience: shopping, fetch: down.fetch }), (_req, res) => {
      res.json({ passed: true });
    });
    const ownServer = own.listen(0);
    await new Promise<void>((resolve) => ownServer.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${(ownServer.address() as AddressInfo).port}/`;
      const token = accessToken(key, claimsFor(down.issuer, Math.floor(Date.now() / 1000)));
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 503);
      assert.equal((await response.json()).code, 'provider_unavailable');
    } finally {
      ownServer.close();
    }
  });

  it('refuses at declaration a route that would check no audience', () => {
    const bare = createAccessTokenVerifier({ endpoint: provider.endpoint }, { fetch: provider.fetch });
    assert.throws(() => requireAuth({ verifier: bare, scopes: ['shopping:read'] }), TypeError);
    assert.doesNotThrow(() => requireAuth({ verifier: bare, audience: shopping }));
  });

  it('creates its verifier from an endpoint when given no verifier', async () => {
    const own = express();
    own.get(
      '/',
      requireAuth({ endpoint: provider.endpoint, audience: shopping, fetch: provider.fetch }),
      (req, res) => {
        res.json({ sub: req.auth?.sub });
      },
    );
    const ownServer = own.listen(0);
    await new Promise<void>((resolve) => ownServer.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${(ownServer.address() as AddressInfo).port}/`;
      const response = await fetch(url, { headers: { authorization: `Bearer ${accessToken(key, claims())}` } });
      assert.deepEqual(await response.json(), { sub: 'user-1' });
    } finally {
      ownServer.close();
    }
  });
});
