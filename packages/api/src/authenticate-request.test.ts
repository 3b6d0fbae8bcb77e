import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { authErrorResponse, authenticateRequest } from './authenticate-request.ts';
import { ApiAuthError } from './errors.ts';
import { accessToken, claimsFor, fakeProvider, generateSigningKey, shopping } from './test-support/provider.ts';
import { createAccessTokenVerifier } from './verify-access-token.ts';

const key = generateSigningKey('ES256');
const provider = fakeProvider([key]);
const verifier = createAccessTokenVerifier(
  { endpoint: provider.endpoint },
  { audience: shopping, fetch: provider.fetch },
);
const claims = (overrides: Record<string, unknown> = {}) =>
  claimsFor(provider.issuer, Math.floor(Date.now() / 1000), overrides);

// A web-standard fetch handler, as on Bun, Deno or an edge runtime.
async function handle(request: Request): Promise<Response> {
  try {
    const auth = await authenticateRequest(request, { verifier, scopes: ['shopping:read'] });
    return Response.json({ sub: auth.sub });
  } catch (error) {
    if (error instanceof ApiAuthError) return authErrorResponse(error);
    throw error;
  }
}

// Serves `handle` over node:http, converting to and from web-standard Request / Response.
const server = createServer(async (req, res) => {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
  const response = await handle(new Request(`http://localhost${req.url}`, { headers }));
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(await response.text());
});
let base = '';
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
});

describe('authenticateRequest (fetch-style, over HTTP)', () => {
  it('answers 200 with the caller for a valid token', async () => {
    const response = await fetch(base, { headers: { authorization: `Bearer ${accessToken(key, claims())}` } });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { sub: 'user-1' });
  });

  it('answers 401 with a Bearer challenge and JSON when the header is missing', async () => {
    const response = await fetch(base);
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer');
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.equal((await response.json()).code, 'auth.authorization_header_missing');
  });

  it('answers 401 invalid_token for an expired token', async () => {
    const expired = accessToken(key, claims({ exp: Math.floor(Date.now() / 1000) - 3600 }));
    const response = await fetch(base, { headers: { authorization: `Bearer ${expired}` } });
    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    assert.equal((await response.json()).code, 'invalid_token');
  });

  it('answers 403 insufficient_scope with the required scope', async () => {
    const response = await fetch(base, {
      headers: { authorization: `Bearer ${accessToken(key, claims({ scope: 'shopping:write' }))}` },
    });
    assert.equal(response.status, 403);
    assert.match(response.headers.get('www-authenticate') ?? '', /scope="shopping:read"/);
  });
});
