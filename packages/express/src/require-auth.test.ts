import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createAccessTokenVerifier } from '@logto-kit/api';
import express from 'express';
// The API guard's own token fixtures (signing keys, a scripted provider behind an injected fetch).
import {
  accessToken,
  claimsFor,
  fakeProvider,
  generateSigningKey,
  shopping,
} from '../../api/src/test-support/provider.ts';
import { requireAuth } from './require-auth.ts';

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
  it('refuses a request for which the route names no organization', async () => {
    const acme = accessToken(key, claims({ aud: 'urn:logto:organization:org-acme', scope: 'read:projects' }));
    const named = await get('/projects?organization=org-acme', `Bearer ${acme}`);
    assert.equal(named.status, 200);
    const unnamed = await get('/projects', `Bearer ${acme}`);
    assert.equal(unnamed.status, 401);
    assert.equal((await unnamed.json()).code, 'invalid_token');
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
