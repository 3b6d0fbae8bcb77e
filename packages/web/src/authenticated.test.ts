import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type IdTokenClaims, LogtoError } from '@logto-kit/client';
import type { AdapterRequest } from './adapter-request.ts';
import { decideAuthenticated, signInRedirect } from './authenticated.ts';
import { decodedIdTokens } from './caches.ts';
import type { LogtoPaths } from './logto-paths.ts';
import type { LogtoRequestContext } from './request-context.ts';
import { Session } from './session.ts';
import { SessionStoreError } from './stores/session-store-error.ts';

const paths: LogtoPaths = {
  signIn: '/sign-in',
  signUp: '/sign-up',
  callback: '/callback',
  signOut: '/sign-out',
  backChannelLogout: '/back-channel-logout',
};

let tokenCounter = 0;

function base64url(text: string): string {
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A request context whose session holds `idToken` (none: signed out). */
function contextWith(idToken: string | undefined, request: Partial<AdapterRequest> = {}): LogtoRequestContext {
  const session = new Session(false, []);
  if (idToken !== undefined) session.set('logto.idToken', idToken);
  return {
    session,
    paths,
    request: {
      method: 'GET',
      path: '/orders',
      query: '',
      cookies: undefined,
      secure: false,
      header: () => undefined,
      ...request,
    },
    get client(): never {
      throw new Error('no client is needed for the ID token claims');
    },
  };
}

/** A signed-in context whose ID token decodes to `claims` (a new token per call, so caches never leak between tests). */
function signedIn(claims: IdTokenClaims) {
  const idToken = `${base64url('{"alg":"ES384"}')}.${base64url(JSON.stringify(claims))}.sig-${++tokenCounter}`;
  return { context: () => contextWith(idToken) };
}

async function userOf(context: LogtoRequestContext): Promise<Record<string, unknown>> {
  const decision = await decideAuthenticated(context, {});
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
    const { context } = signedIn(claims);
    const cached = decodedIdTokens.size;
    for (let round = 0; round < 3; round += 1) {
      const user = await userOf(context());
      assert.deepEqual(user, claims, `request ${round + 1} sees the token's claims`);
      user.name = 'Mallory';
      user.sub = 'admin';
      (user.roles as string[]).push('admin');
      (user.organizations as string[])[0] = 'org-globex';
      const customData = user.custom_data as { plan: string; limits: { seats: number } };
      customData.plan = 'enterprise';
      customData.limits.seats = 1000;
    }
    assert.equal(decodedIdTokens.size, cached + 1, 'one cache entry for the token, reused');
  });

  it('two requests with the same ID token get distinct objects', async () => {
    const { context } = signedIn(claims);
    const [first, second] = [await userOf(context()), await userOf(context())];
    assert.notEqual(first, second);
    assert.notEqual(first.roles, second.roles);
    assert.notEqual(first.custom_data, second.custom_data);
  });

  it('keeps a claim named "__proto__" a claim', async () => {
    const idToken = `${base64url('{"alg":"ES384"}')}.${base64url('{"sub":"user-1","__proto__":{"isAdmin":true}}')}.sig`;
    const user = await userOf(contextWith(idToken));
    const again = await userOf(contextWith(idToken));
    assert.equal((again as { isAdmin?: unknown }).isAdmin, undefined);
    assert.equal(Object.getPrototypeOf(again), Object.prototype);
    assert.deepEqual(Object.keys(user), ['sub', '__proto__']);
  });
});

describe('authenticated() when signed out', () => {
  const statusAndLocation = async (context: LogtoRequestContext, shouldRedirect?: boolean) => {
    const decision = await decideAuthenticated(context, { shouldRedirect });
    assert.equal(decision.kind, 'answer');
    return decision.kind === 'answer' ? [decision.answer.status, decision.answer.headers.Location] : [];
  };

  it('answers 401 by default, and redirects with shouldRedirect (back to a GET, not to a POST)', async () => {
    const unauthorized = await decideAuthenticated(contextWith(undefined), {});
    assert.deepEqual(unauthorized.kind === 'answer' && JSON.parse(unauthorized.answer.body), {
      error: 'Not authenticated',
    });
    assert.deepEqual(await statusAndLocation(contextWith(undefined)), [401, undefined]);
    assert.deepEqual(await statusAndLocation(contextWith(undefined, { query: '?id=1' }), true), [
      302,
      '/sign-in?returnTo=%2Forders%3Fid%3D1',
    ]);
    // A POST is not repeated after sign-in: no returnTo.
    assert.deepEqual(await statusAndLocation(contextWith(undefined, { method: 'POST' }), true), [302, '/sign-in']);
    assert.equal(signInRedirect(paths, { method: 'POST', url: '/orders' }), '/sign-in');
    assert.equal(signInRedirect(paths, { method: 'HEAD', url: '/orders' }), '/sign-in?returnTo=%2Forders');
  });

  it('reads an unreadable stored ID token as signed out', async () => {
    assert.deepEqual(await statusAndLocation(contextWith('not-a-jwt')), [401, undefined]);
  });

  it('marks every answer private: no shared cache keeps it, none gives it to another user', async () => {
    const decision = await decideAuthenticated(contextWith(undefined), { shouldRedirect: true });
    assert.equal(decision.kind === 'answer' && decision.answer.headers['Cache-Control'], 'private, no-store');
    assert.equal(decision.kind === 'answer' && decision.answer.headers.Vary, 'Cookie');
  });
});

describe('authenticated(): tokens asked for, and failures that are not a sign-out', () => {
  const claims = { iss: 'https://tenant.example.com/oidc', sub: 'user-1', aud: 'app-1', exp: 2e9, iat: 1.8e9 };

  /** A signed-in context whose client answers token calls as given. */
  function withClient(client: Record<string, unknown>, request: Partial<AdapterRequest> = {}): LogtoRequestContext {
    const { session, paths: contextPaths, request: described } = signedInContext(request);
    return { session, paths: contextPaths, request: described, client: client as never };
  }
  function signedInContext(request: Partial<AdapterRequest>): LogtoRequestContext {
    const idToken = `${base64url('{"alg":"ES384"}')}.${base64url(JSON.stringify(claims))}.sig-${++tokenCounter}`;
    return contextWith(idToken, request);
  }
  const failingWith = (failure: unknown) =>
    withClient({
      getAccessToken: async () => {
        throw failure;
      },
    });

  it('adds the access token of the resource and the organization token asked for', async () => {
    const decision = await decideAuthenticated(
      withClient({
        getAccessToken: async (resource: string) => `at-for-${resource}`,
        getOrganizationToken: async (organizationId: string) => `ot-for-${organizationId}`,
      }),
      { resource: 'https://api.example', organizationId: 'org-acme' },
    );
    assert.equal(decision.kind === 'user' && decision.accessToken, 'at-for-https://api.example');
    assert.equal(decision.kind === 'user' && decision.organizationToken, 'ot-for-org-acme');
  });

  it('treats a token request that ends the session as a sign-out', async () => {
    const ended = failingWith(new LogtoError('not_authenticated', 'The refresh token was refused.'));
    const decision = await decideAuthenticated(ended, { resource: 'https://api.example' });
    assert.equal(decision.kind === 'answer' && decision.answer.status, 401);
  });

  it('rethrows other failures: another LogtoError, or an object that only looks like one', async () => {
    for (const failure of [
      new LogtoError('token_request_failed', 'The token endpoint is down.'),
      { code: 'not_authenticated' },
      new Error('unexpected'),
    ]) {
      await assert.rejects(
        Promise.resolve(decideAuthenticated(failingWith(failure), { resource: 'https://api.example' })),
        (error) => {
          assert.equal(error, failure);
          return true;
        },
      );
    }
  });

  it('answers 503 when the session store fails', async () => {
    const failure = new SessionStoreError('session_store_unavailable', 'The session store did not answer.');
    const decision = await decideAuthenticated(failingWith(failure), { resource: 'https://api.example' });
    assert.equal(decision.kind === 'answer' && decision.answer.status, 503);
  });
});

describe('authenticated(): the user, and what is asked of the client', () => {
  const claims = { iss: 'https://tenant.example.com/oidc', sub: 'user-1', aud: 'app-1', exp: 2e9, iat: 1.8e9 };
  const idToken = () => `${base64url('{"alg":"ES384"}')}.${base64url(JSON.stringify(claims))}.sig-${++tokenCounter}`;

  /** A context over `idToken` whose client records the calls made to it. */
  function recording(token: string | undefined, request: Partial<AdapterRequest> = {}) {
    const calls: string[] = [];
    const client = {
      fetchUserInfo: async () => {
        calls.push('fetchUserInfo');
        return { sub: 'user-1', custom_data: { plan: 'pro' } };
      },
      getAccessToken: async (resource?: string) => {
        calls.push(`getAccessToken(${resource})`);
        return `at-for-${resource}`;
      },
      getOrganizationToken: async (organizationId?: string) => {
        calls.push(`getOrganizationToken(${organizationId})`);
        return `ot-for-${organizationId}`;
      },
    };
    const { session, paths: contextPaths, request: described } = contextWith(token, request);
    const context: LogtoRequestContext = { session, paths: contextPaths, request: described, client: client as never };
    return { context, calls };
  }

  it('takes the user from the userinfo endpoint with fetchUserInfo', async () => {
    const { context, calls } = recording(idToken());
    const decision = await decideAuthenticated(context, { fetchUserInfo: true });
    assert.deepEqual(decision.kind === 'user' && decision.user, { sub: 'user-1', custom_data: { plan: 'pro' } });
    assert.deepEqual(calls, ['fetchUserInfo']);
  });

  it('with a resource, the user is the ID token’s claims and only the access token is fetched', async () => {
    const { context, calls } = recording(idToken());
    const decision = await decideAuthenticated(context, { resource: 'https://api.example' });
    assert.deepEqual(decision.kind === 'user' && decision.user, claims);
    assert.equal(decision.kind === 'user' && decision.organizationToken, undefined);
    assert.deepEqual(calls, ['getAccessToken(https://api.example)']);
  });

  it('with an organization only, fetches no access token', async () => {
    const { context, calls } = recording(idToken());
    const decision = await decideAuthenticated(context, { organizationId: 'org-acme' });
    assert.equal(decision.kind === 'user' && decision.accessToken, undefined);
    assert.equal(decision.kind === 'user' && decision.organizationToken, 'ot-for-org-acme');
    assert.deepEqual(calls, ['getOrganizationToken(org-acme)']);
  });

  it('asks nothing of the client for a user without an ID token: signed out', async () => {
    const { context, calls } = recording(undefined);
    const decision = await decideAuthenticated(context, { resource: 'https://api.example' });
    assert.equal(decision.kind === 'answer' && decision.answer.status, 401);
    assert.deepEqual(calls, []);
  });

  it('answers 503 as JSON to a client that accepts JSON', async () => {
    const failure = new SessionStoreError('session_store_unavailable', 'The session store did not answer.');
    const {
      session,
      paths: contextPaths,
      request,
    } = contextWith(idToken(), {
      header: (name) => (name === 'accept' ? 'application/json' : undefined),
    });
    const context: LogtoRequestContext = {
      session,
      paths: contextPaths,
      request,
      client: {
        getAccessToken: async () => {
          throw failure;
        },
      } as never,
    };
    const decision = await decideAuthenticated(context, { resource: 'https://api.example' });
    assert.equal(decision.kind === 'answer' && decision.answer.status, 503);
    assert.match(decision.kind === 'answer' ? (decision.answer.headers['Content-Type'] ?? '') : '', /json/);
  });

  it('keeps null claims null, in arrays too', async () => {
    const withNulls = { ...claims, middle_name: null, tags: [null, 'a'] };
    const token = `${base64url('{"alg":"ES384"}')}.${base64url(JSON.stringify(withNulls))}.sig-${++tokenCounter}`;
    assert.deepEqual(await userOf(contextWith(token)), withNulls);
  });

  it('decodes a stored ID token once: later requests take its claims from the cache', async () => {
    const token = idToken();
    await userOf(contextWith(token));
    const cached = decodedIdTokens.get(token);
    assert.deepEqual(cached, claims);
    decodedIdTokens.set(token, { ...claims, sub: 'from-cache' } as never);
    assert.equal((await userOf(contextWith(token))).sub, 'from-cache');
  });

  it('keeps an unreadable ID token out of the cache', async () => {
    const size = decodedIdTokens.size;
    const decision = await decideAuthenticated(contextWith(`not-a-jwt-${++tokenCounter}`), {});
    assert.equal(decision.kind, 'answer');
    assert.equal(decodedIdTokens.size, size);
  });
});
