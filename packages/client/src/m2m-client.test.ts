import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { decodeJwt } from 'jose';
import { LogtoError, type LogtoErrorCode } from './errors.ts';
import { M2mClient, type M2mClientOptions } from './m2m-client.ts';
import { InProcessRefreshLock } from './refresh-lock.ts';
import { MemoryStorage } from './storage.ts';
import { deferred, json } from './test-support/fake-fetch.ts';
import { createFakeProvider, type FakeProvider } from './test-support/fake-provider.ts';

const shopping = 'https://shopping.your-app.com/api';

/** A provider whose token endpoint implements `client_credentials` as Logto does (SPEC §3). */
async function m2mProvider() {
  const provider = await createFakeProvider();
  provider.appId = 'sample-m2m';
  provider.appSecret = 'sample-m2m-secret';
  let issued = 0;
  provider.tokenHandler = async (params) => {
    if (params.get('grant_type') !== 'client_credentials') return json({ error: 'unsupported_grant_type' }, 400);
    const resource = params.get('resource');
    const organizationId = params.get('organization_id');
    if (!resource && !organizationId) {
      return json({ code: 'oidc.invalid_target', error: 'invalid_target', error_description: 'no resource' }, 400);
    }
    issued += 1;
    const scope = params.get('scope') ?? undefined;
    return json({
      access_token: await provider.signAccessToken({
        sub: provider.appId,
        client_id: provider.appId,
        aud: resource ?? `urn:logto:organization:${organizationId}`,
        ...(resource && organizationId ? { organization_id: organizationId } : {}),
        ...(scope ? { scope } : {}),
        n: issued,
      }),
      token_type: 'Bearer',
      expires_in: provider.accessTokenLifetime,
      ...(scope ? { scope } : {}),
    });
  };
  return provider;
}

function m2mClient(provider: FakeProvider, options: M2mClientOptions = {}) {
  return new M2mClient(
    { endpoint: provider.endpoint, appId: provider.appId, appSecret: provider.appSecret },
    { fetch: provider.fetch, now: provider.now, ...options },
  );
}

function rejectsWith(promise: Promise<unknown>, code: LogtoErrorCode, check?: (error: LogtoError) => void) {
  return assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof LogtoError, `expected a LogtoError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    check?.(error);
    return true;
  });
}

describe('M2mClient tokens', () => {
  it('asks with client_credentials, client_secret_basic, the resource and the scopes', async () => {
    const provider = await m2mProvider();
    const token = await m2mClient(provider).getAccessToken({ resource: shopping, scopes: ['shopping:read'] });
    const request = provider.tokenRequests.at(-1);
    assert.equal(request?.get('grant_type'), 'client_credentials');
    assert.equal(request?.get('resource'), shopping);
    assert.equal(request?.get('scope'), 'shopping:read');
    assert.equal(request?.has('organization_id'), false);
    assert.equal(provider.authorizations.at(-1), `Basic ${btoa('sample-m2m:sample-m2m-secret')}`);
    const claims = decodeJwt(token);
    assert.equal(claims.aud, shopping);
    assert.equal(claims.sub, 'sample-m2m');
  });

  it('asks for an organization token with organization_id alone, and for a resource within it with both', async () => {
    const provider = await m2mProvider();
    const client = m2mClient(provider);
    const organization = decodeJwt(await client.getAccessToken({ organizationId: 'org-acme' }));
    assert.equal(organization.aud, 'urn:logto:organization:org-acme');
    assert.equal(provider.tokenRequests.at(-1)?.has('resource'), false);
    assert.equal(provider.tokenRequests.at(-1)?.has('scope'), false, 'no scopes asked: no scope parameter');
    const within = decodeJwt(await client.getAccessToken({ resource: shopping, organizationId: 'org-acme' }));
    assert.equal(within.aud, shopping);
    assert.equal(within.organization_id, 'org-acme');
  });

  it('makes exactly one token request for 100 concurrent callers', async () => {
    const provider = await m2mProvider();
    const client = m2mClient(provider);
    const tokens = await Promise.all(
      Array.from({ length: 100 }, () => client.getAccessToken({ resource: shopping, scopes: ['shopping:read'] })),
    );
    assert.equal(provider.tokenRequests.length, 1);
    assert.equal(new Set(tokens).size, 1);
  });

  it('serves the cached token until 60 s before it expires, then one new request (injected clock)', async () => {
    const provider = await m2mProvider();
    const client = m2mClient(provider);
    const first = await client.getAccessToken({ resource: shopping });
    provider.time += (3600 - 60) * 1000 - 1;
    assert.equal(await client.getAccessToken({ resource: shopping }), first);
    assert.equal(provider.tokenRequests.length, 1);
    provider.time += 1;
    const renewed = await Promise.all(Array.from({ length: 10 }, () => client.getAccessToken({ resource: shopping })));
    assert.notEqual(renewed[0], first);
    assert.equal(new Set(renewed).size, 1);
    assert.equal(provider.tokenRequests.length, 2);
  });

  it('keeps a 10% margin for a short-lived token, and treats one without expires_in as a 60-second token', async () => {
    const provider = await m2mProvider();
    const client = m2mClient(provider);
    provider.accessTokenLifetime = 100;
    const short = await client.getAccessToken({ resource: shopping });
    provider.time += 89_999;
    assert.equal(await client.getAccessToken({ resource: shopping }), short);
    provider.time += 1;
    provider.accessTokenLifetime = undefined;
    const unknown = await client.getAccessToken({ resource: shopping });
    assert.notEqual(unknown, short);
    provider.time += 54_000;
    assert.notEqual(await client.getAccessToken({ resource: shopping }), unknown);
    assert.equal(provider.tokenRequests.length, 3);
  });

  it('caches per resource, organization and set of scopes (in any order)', async () => {
    const provider = await m2mProvider();
    const client = m2mClient(provider);
    const both = await client.getAccessToken({ resource: shopping, scopes: ['shopping:write', 'shopping:read'] });
    assert.equal(provider.tokenRequests.at(-1)?.get('scope'), 'shopping:read shopping:write');
    assert.equal(
      await client.getAccessToken({ resource: shopping, scopes: ['shopping:read', 'shopping:write'] }),
      both,
    );
    await client.getAccessToken({ resource: shopping, scopes: ['shopping:read'] });
    await client.getAccessToken({ resource: shopping });
    await client.getAccessToken({ resource: shopping, organizationId: 'org-acme' });
    await client.getAccessToken({ organizationId: 'org-acme' });
    assert.equal(provider.tokenRequests.length, 5);
  });

  it('replaces a token the API refused, with one request for all the callers that report it', async () => {
    const provider = await m2mProvider();
    const client = m2mClient(provider);
    const refused = await client.getAccessToken({ resource: shopping });
    const tokens = await Promise.all(
      Array.from({ length: 50 }, () => client.getAccessToken({ resource: shopping }, { rejected: refused })),
    );
    assert.equal(new Set(tokens).size, 1);
    assert.notEqual(tokens[0], refused);
    assert.equal(provider.tokenRequests.length, 2);
    assert.equal(await client.getAccessToken({ resource: shopping }), tokens[0]);
  });

  it('clearCache forgets the tokens in memory', async () => {
    const provider = await m2mProvider();
    const client = m2mClient(provider);
    const first = await client.getAccessToken({ resource: shopping });
    client.clearCache();
    assert.notEqual(await client.getAccessToken({ resource: shopping }), first);
  });
});

describe('M2mClient shared store and lock', () => {
  it('instances sharing a store and a lock make one token request for all their callers', async () => {
    const provider = await m2mProvider();
    const store = new MemoryStorage();
    const lock = new InProcessRefreshLock();
    const instances = [1, 2, 3].map(() => m2mClient(provider, { store, lock }));
    const tokens = await Promise.all(
      instances.flatMap((client) => Array.from({ length: 30 }, () => client.getAccessToken({ resource: shopping }))),
    );
    assert.equal(provider.tokenRequests.length, 1);
    assert.equal(new Set(tokens).size, 1);
  });

  it('a new instance reads a valid token from the store, and asks again once it expired', async () => {
    const provider = await m2mProvider();
    const store = new MemoryStorage();
    const token = await m2mClient(provider, { store }).getAccessToken({ resource: shopping });
    assert.equal(await m2mClient(provider, { store }).getAccessToken({ resource: shopping }), token);
    assert.equal(provider.tokenRequests.length, 1);
    provider.time += 3600 * 1000;
    assert.notEqual(await m2mClient(provider, { store }).getAccessToken({ resource: shopping }), token);
    assert.equal(provider.tokenRequests.length, 2);
  });

  it('keys the store by a hash of issuer, app and request: no resource in the keys, no tokens across apps', async () => {
    const provider = await m2mProvider();
    const store = new MemoryStorage();
    const keys: string[] = [];
    const recording = {
      get: (key: string) => store.get(key),
      set: (key: string, value: string) => {
        keys.push(key);
        store.set(key, value);
      },
      delete: (key: string) => store.delete(key),
    };
    const token = await m2mClient(provider, { store: recording }).getAccessToken({ resource: shopping });
    assert.equal(keys.length, 1);
    assert.match(keys[0] ?? '', /^logto\.m2m\.[A-Za-z0-9_-]{43}$/);
    const otherApp = new M2mClient(
      { endpoint: provider.endpoint, appId: 'other-m2m', appSecret: 'other-secret' },
      { fetch: provider.fetch, now: provider.now, store: recording },
    );
    assert.notEqual(await otherApp.getAccessToken({ resource: shopping }), token);
    assert.equal(provider.tokenRequests.length, 2);
  });

  it('ignores a corrupt or malformed store entry', async () => {
    const provider = await m2mProvider();
    const store = new MemoryStorage();
    const keys: string[] = [];
    const recording = {
      get: (key: string) => {
        keys.push(key);
        return store.get(key);
      },
      set: (key: string, value: string) => store.set(key, value),
      delete: (key: string) => store.delete(key),
    };
    await m2mClient(provider, { store: recording }).getAccessToken({ resource: shopping });
    const key = keys[0] ?? '';
    for (const corrupt of ['not json', '{"token":1,"expiresAt":"x"}', 'null', '[]']) {
      store.set(key, corrupt);
      const token = await m2mClient(provider, { store }).getAccessToken({ resource: shopping });
      assert.equal(typeof token, 'string');
    }
    assert.equal(provider.tokenRequests.length, 5, 'each corrupt entry made a new request');
  });

  it('surfaces a store failure to the callers, and works again once the store does', async () => {
    const provider = await m2mProvider();
    const store = new MemoryStorage();
    let down = true;
    const flaky = {
      get: (key: string) => {
        if (down) throw new Error('store unreachable');
        return store.get(key);
      },
      set: (key: string, value: string) => store.set(key, value),
      delete: (key: string) => store.delete(key),
    };
    const client = m2mClient(provider, { store: flaky });
    await assert.rejects(client.getAccessToken({ resource: shopping }), /store unreachable/);
    down = false;
    assert.equal(typeof (await client.getAccessToken({ resource: shopping })), 'string');
  });

  it('refuses a lock without a store', async () => {
    const provider = await m2mProvider();
    assert.throws(() => m2mClient(provider, { lock: new InProcessRefreshLock() }), { code: 'invalid_config' });
  });
});

describe('M2mClient errors', () => {
  it('refuses a request without resource and organization, a malformed resource or scope, before any request', async () => {
    const provider = await m2mProvider();
    const client = m2mClient(provider);
    await rejectsWith(client.getAccessToken({}), 'invalid_config');
    await rejectsWith(client.getAccessToken({ scopes: ['shopping:read'] }), 'invalid_config');
    await rejectsWith(client.getAccessToken({ resource: 'shopping' }), 'invalid_config');
    await rejectsWith(client.getAccessToken({ resource: `${shopping}#x` }), 'invalid_config');
    await rejectsWith(client.getAccessToken({ organizationId: '' }), 'invalid_config');
    await rejectsWith(client.getAccessToken({ resource: shopping, scopes: ['a b'] }), 'invalid_config');
    assert.equal(provider.tokenRequests.length, 0);
  });

  it('refuses a configuration without secret, and keeps the secret out of its public fields', async () => {
    const provider = await m2mProvider();
    assert.throws(() => new M2mClient({ endpoint: provider.endpoint, appId: 'sample-m2m', appSecret: '' }), {
      code: 'invalid_config',
    });
    assert.throws(() => m2mClient(provider, { timeoutMs: 0 }), { code: 'invalid_config' });
    const client = m2mClient(provider);
    assert.doesNotMatch(JSON.stringify(client), /sample-m2m-secret/);
    assert.doesNotMatch(inspect(client, { depth: 5 }), /sample-m2m-secret/);
  });

  it('explains wrong credentials (invalid_client) with the provider error and Logto code', async () => {
    const provider = await m2mProvider();
    provider.tokenHandler = () =>
      json(
        { code: 'oidc.invalid_client', error: 'invalid_client', error_description: 'client authentication failed' },
        401,
      );
    await rejectsWith(m2mClient(provider).getAccessToken({ resource: shopping }), 'token_request_failed', (error) => {
      assert.equal(error.error, 'invalid_client');
      assert.equal(error.logtoCode, 'oidc.invalid_client');
      assert.equal(error.status, 401);
      assert.match(error.message, /secret/);
    });
  });

  it('explains an unknown resource (invalid_target)', async () => {
    const provider = await m2mProvider();
    provider.tokenHandler = () =>
      json({ code: 'oidc.invalid_target', error: 'invalid_target', error_description: 'unknown' }, 400);
    await rejectsWith(
      m2mClient(provider).getAccessToken({ resource: 'https://unknown.example/api' }),
      'token_request_failed',
      (error) => {
        assert.equal(error.error, 'invalid_target');
        assert.match(error.message, /unknown\.example/);
      },
    );
  });

  it('turns an organization that does not include the app into organization_access_denied', async () => {
    const provider = await m2mProvider();
    provider.tokenHandler = () =>
      json({ code: 'oidc.access_denied', error: 'access_denied', error_description: 'not associated' }, 400);
    await rejectsWith(
      m2mClient(provider).getAccessToken({ organizationId: 'org-initech' }),
      'organization_access_denied',
      (error) => assert.equal(error.logtoCode, 'oidc.access_denied'),
    );
  });

  it('never caches a failure: the next call asks again and succeeds', async () => {
    const provider = await m2mProvider();
    const client = m2mClient(provider);
    const working = provider.tokenHandler;
    provider.tokenHandler = () => new Response('down', { status: 503 });
    const failures = await Promise.allSettled(
      Array.from({ length: 20 }, () => client.getAccessToken({ resource: shopping })),
    );
    assert.ok(failures.every((result) => result.status === 'rejected'));
    assert.equal(provider.tokenRequests.length, 1, 'concurrent callers share the failed request too');
    provider.tokenHandler = working;
    assert.equal(typeof (await client.getAccessToken({ resource: shopping })), 'string');
    assert.equal(provider.tokenRequests.length, 2);
  });

  it('bounds each request with timeoutMs and reports a timeout as token_request_failed', async () => {
    const provider = await m2mProvider();
    const signals: (AbortSignal | null | undefined)[] = [];
    const hanging = deferred<Response>();
    const timingOut: typeof fetch = async (input, init) => {
      const url = new Request(input, init).url;
      if (!url.endsWith('/oidc/token')) return provider.fetch(input, init);
      signals.push(init?.signal);
      return Promise.race([
        hanging.promise,
        Promise.reject(new DOMException('The operation timed out.', 'TimeoutError')),
      ]);
    };
    await rejectsWith(
      m2mClient(provider, { fetch: timingOut, timeoutMs: 1234 }).getAccessToken({ resource: shopping }),
      'token_request_failed',
      (error) => assert.match(error.message, /timed out/),
    );
    assert.ok(signals[0] instanceof AbortSignal, 'the token request carries an abort signal');
  });

  it('reports an unreachable identity server as discovery_failed', async () => {
    const provider = await m2mProvider();
    const down: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };
    await rejectsWith(m2mClient(provider, { fetch: down }).getAccessToken({ resource: shopping }), 'discovery_failed');
  });
});
