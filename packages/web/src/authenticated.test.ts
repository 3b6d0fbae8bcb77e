import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type IdTokenClaims, type LogtoClient, LogtoError } from '@logto-kit/client';
import { decideAuthenticated, signInRedirect } from './authenticated.ts';
import type { LogtoPaths } from './logto-core.ts';
import { SessionStoreError } from './stores/session-store-error.ts';

const paths: LogtoPaths = {
  signIn: '/sign-in',
  signUp: '/sign-up',
  callback: '/callback',
  signOut: '/sign-out',
  backChannelLogout: '/back-channel-logout',
};

let tokenCounter = 0;

/** A signed-in client whose ID token decodes to `claims` (a new token per call, so caches never leak between tests). */
function signedIn(claims: IdTokenClaims) {
  const idToken = `id-token-${++tokenCounter}`;
  let decodes = 0;
  const client = {
    getIdToken: async () => idToken,
    getIdTokenClaims: async () => {
      decodes += 1;
      return JSON.parse(JSON.stringify(claims)) as IdTokenClaims;
    },
  } as unknown as LogtoClient;
  return { client, decodes: () => decodes };
}

const request = { method: 'GET', url: '/orders' };

async function userOf(client: LogtoClient): Promise<Record<string, unknown>> {
  const decision = await decideAuthenticated(client, {}, request, paths);
  assert.equal(decision.kind, 'user');
  return decision.kind === 'user' ? (decision.user as Record<string, unknown>) : {};
}

describe("authenticated() claims are the request's own", () => {
  const claims = {
    iss: 'https://tenant.example.com/oidc',
    sub: 'user-1',
    aud: 'app-1',
    exp: 2_000_000_000,
    iat: 1_800_000_000,
    name: 'Demo User',
    roles: ['viewer'],
    organizations: ['org-acme'],
    custom_data: { plan: 'free', limits: { seats: 1 } },
  } as unknown as IdTokenClaims;

  it('a handler that changes its user (top level or nested) changes nothing for later requests', async () => {
    const { client, decodes } = signedIn(claims);
    for (let round = 0; round < 3; round += 1) {
      const user = await userOf(client);
      assert.deepEqual(user, claims, `request ${round + 1} sees the token's claims`);
      user.name = 'Mallory';
      user.sub = 'admin';
      (user.roles as string[]).push('admin');
      (user.organizations as string[])[0] = 'org-globex';
      const customData = user.custom_data as { plan: string; limits: { seats: number } };
      customData.plan = 'enterprise';
      customData.limits.seats = 1000;
    }
    assert.equal(decodes(), 1, 'the token is decoded once and the cached claims reused');
  });

  it('two requests with the same ID token get distinct objects', async () => {
    const { client } = signedIn(claims);
    const [first, second] = [await userOf(client), await userOf(client)];
    assert.notEqual(first, second);
    assert.notEqual(first.roles, second.roles);
    assert.notEqual(first.custom_data, second.custom_data);
  });

  it('keeps a claim named "__proto__" a claim', async () => {
    const { client } = signedIn(JSON.parse('{"sub":"user-1","__proto__":{"isAdmin":true}}') as IdTokenClaims);
    const user = await userOf(client);
    const again = await userOf(client);
    assert.equal((again as { isAdmin?: unknown }).isAdmin, undefined);
    assert.equal(Object.getPrototypeOf(again), Object.prototype);
    assert.deepEqual(Object.keys(user), ['sub', '__proto__']);
  });
});

describe('authenticated() when signed out', () => {
  const signedOut = {
    getIdToken: async () => null,
    getIdTokenClaims: async () => {
      throw new LogtoError('not_authenticated', 'Not signed in.');
    },
  } as unknown as LogtoClient;

  it('answers 401 by default, and redirects with shouldRedirect (back to a GET, not to a POST)', async () => {
    assert.deepEqual(await decideAuthenticated(signedOut, {}, request, paths), { kind: 'unauthorized' });
    assert.deepEqual(await decideAuthenticated(signedOut, { shouldRedirect: true }, request, paths), {
      kind: 'redirect',
      location: '/sign-in?returnTo=%2Forders',
    });
    // A POST is not repeated after sign-in: no returnTo.
    assert.deepEqual(
      await decideAuthenticated(signedOut, { shouldRedirect: true }, { method: 'POST', url: '/orders' }, paths),
      {
        kind: 'redirect',
        location: '/sign-in',
      },
    );
    assert.equal(signInRedirect(paths, { method: 'POST', url: '/orders' }), '/sign-in');
    assert.equal(signInRedirect(paths, { method: 'HEAD', url: '/orders' }), '/sign-in?returnTo=%2Forders');
  });
});

describe('authenticated(): tokens asked for, and failures that are not a sign-out', () => {
  const base = { iss: 'https://tenant.example.com/oidc', sub: 'user-1', aud: 'app-1', exp: 2e9, iat: 1.8e9 };

  /** A signed-in client whose token calls answer as given. */
  function client(overrides: Record<string, unknown>): LogtoClient {
    return { ...(signedIn(base as unknown as IdTokenClaims).client as object), ...overrides } as unknown as LogtoClient;
  }

  it('adds the access token of the resource and the organization token asked for', async () => {
    const decision = await decideAuthenticated(
      client({
        getAccessToken: async (resource: string) => `at-for-${resource}`,
        getOrganizationToken: async (organizationId: string) => `ot-for-${organizationId}`,
      }),
      { resource: 'https://api.example', organizationId: 'org-acme' },
      request,
      paths,
    );
    assert.equal(decision.kind === 'user' && decision.accessToken, 'at-for-https://api.example');
    assert.equal(decision.kind === 'user' && decision.organizationToken, 'ot-for-org-acme');
  });

  it('treats a token request that ends the session as a sign-out', async () => {
    const ended = client({
      getAccessToken: async () => {
        throw new LogtoError('not_authenticated', 'The refresh token was refused.');
      },
    });
    assert.deepEqual(await decideAuthenticated(ended, { resource: 'https://api.example' }, request, paths), {
      kind: 'unauthorized',
    });
  });

  it('rethrows other failures: another LogtoError, or an object that only looks like one', async () => {
    for (const failure of [
      new LogtoError('token_request_failed', 'The token endpoint is down.'),
      { code: 'not_authenticated' },
      new Error('unexpected'),
    ]) {
      const failing = client({
        getAccessToken: async () => {
          throw failure;
        },
      });
      await assert.rejects(
        decideAuthenticated(failing, { resource: 'https://api.example' }, request, paths),
        (error) => {
          assert.equal(error, failure);
          return true;
        },
      );
    }
  });

  it('answers unavailable, with the error, when the session store fails', async () => {
    const failure = new SessionStoreError('session_store_unavailable', 'The session store did not answer.');
    const failing = client({
      getAccessToken: async () => {
        throw failure;
      },
    });
    assert.deepEqual(await decideAuthenticated(failing, { resource: 'https://api.example' }, request, paths), {
      kind: 'unavailable',
      error: failure,
    });
  });

  it('hands out claims a handler may replace, delete, and that keep null values', async () => {
    const { client: nested } = signedIn({
      ...base,
      address: { country: 'FR' },
      picture: null,
    } as unknown as IdTokenClaims);
    const user = await userOf(nested);
    assert.equal(user.picture, null);
    user.address = { country: 'DE' };
    assert.deepEqual(user.address, { country: 'DE' });
    delete user.address;
    assert.equal('address' in user, false);
  });
});
