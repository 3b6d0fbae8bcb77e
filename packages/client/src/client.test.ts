import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base64url, decodeJwt, SignJWT } from 'jose';
import { LogtoClient, type LogtoClientOptions } from './client.ts';
import { type LogtoConfig, Prompt } from './config.ts';
import { LogtoError, type LogtoErrorCode } from './errors.ts';
import { codeChallengeS256 } from './pkce.ts';
import type { RefreshLock } from './refresh-lock.ts';
import { UserScope } from './scopes.ts';
import { MemoryStorage, StorageKey } from './storage.ts';
import { json } from './test-support/fake-fetch.ts';
import { createFakeProvider, type FakeProvider, startSignIn } from './test-support/fake-provider.ts';

async function setup(config: Partial<LogtoConfig> = {}, options: LogtoClientOptions = {}) {
  const provider = await createFakeProvider();
  const storage = new MemoryStorage();
  const client = new LogtoClient(
    { endpoint: provider.endpoint, appId: provider.appId, appSecret: provider.appSecret, ...config },
    { storage, fetch: provider.fetch, now: provider.now, ...options },
  );
  return { provider, client, storage };
}

async function signedIn(config: Partial<LogtoConfig> = {}, options: LogtoClientOptions = {}) {
  const context = await setup(config, options);
  const { callbackUrl } = await startSignIn(context.client, context.provider);
  await context.client.handleSignInCallback(callbackUrl);
  return context;
}

function rejectsWith(promise: Promise<unknown>, code: LogtoErrorCode): Promise<void> {
  return assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof LogtoError, `expected a LogtoError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

/** Signs in with the ID token `provider` issues after `tamper` ran, and expects `code`. */
async function callbackRejects(tamper: (provider: FakeProvider) => void | Promise<void>, code: LogtoErrorCode) {
  const { client, provider } = await setup();
  const { callbackUrl } = await startSignIn(client, provider);
  await tamper(provider);
  await rejectsWith(client.handleSignInCallback(callbackUrl), code);
  assert.equal(await client.isAuthenticated(), false);
}

describe('LogtoClient configuration', () => {
  it('refuses a missing appSecret and says where to find it', async () => {
    const provider = await createFakeProvider();
    assert.throws(
      () => new LogtoClient({ endpoint: provider.endpoint, appId: 'app' }),
      (error: unknown) =>
        error instanceof LogtoError && error.code === 'invalid_config' && /Logto Console/.test(error.message),
    );
  });

  it('keeps the app secret out of its public fields', async () => {
    const { client, provider } = await setup();
    assert.doesNotMatch(JSON.stringify(client), new RegExp(provider.appSecret));
    assert.doesNotMatch((await import('node:util')).inspect(client, { depth: 5 }), new RegExp(provider.appSecret));
  });

  it('refuses an endpoint that is not an absolute URL', () => {
    assert.throws(() => new LogtoClient({ endpoint: 'localhost:3001', appId: 'a', appSecret: 's' }), {
      code: 'invalid_config',
    });
  });

  it('checks a configuration again when it was changed after an earlier client accepted it', () => {
    const config: LogtoConfig = { endpoint: 'http://localhost:3001', appId: 'a', appSecret: 's' };
    new LogtoClient(config);
    config.endpoint = 'localhost:3001';
    assert.throws(() => new LogtoClient(config), { code: 'invalid_config' });
  });

  it('refuses an invalid frozen configuration every time', () => {
    const config = Object.freeze({ endpoint: 'localhost:3001', appId: 'a', appSecret: 's' });
    assert.throws(() => new LogtoClient(config), { code: 'invalid_config' });
    assert.throws(() => new LogtoClient(config), { code: 'invalid_config' });
  });
});

describe('LogtoClient.signIn', () => {
  it('builds the authorization URL with every protocol parameter', async () => {
    const { client, provider } = await setup({
      scopes: [UserScope.Email, UserScope.Organizations],
      resources: ['https://shopping.your-app.com/api'],
    });
    const url = new URL(await client.signIn('https://app.example.com/callback'));
    assert.equal(`${url.origin}${url.pathname}`, `${provider.issuer}/auth`);
    const params = url.searchParams;
    assert.equal(params.get('client_id'), provider.appId);
    assert.equal(params.get('redirect_uri'), 'https://app.example.com/callback');
    assert.equal(params.get('response_type'), 'code');
    assert.equal(params.get('scope'), 'openid offline_access profile email urn:logto:scope:organizations');
    assert.deepEqual(params.getAll('resource'), [
      'https://shopping.your-app.com/api',
      'urn:logto:resource:organizations',
    ]);
    assert.equal(params.get('prompt'), 'consent');
    assert.equal(params.get('code_challenge_method'), 'S256');
    for (const name of ['state', 'nonce', 'code_challenge']) {
      assert.match(params.get(name) ?? '', /^[\w-]{43}$/, `${name} carries 256 bits`);
    }
    assert.notEqual(params.get('state'), params.get('nonce'));
  });

  it('derives code_challenge from the stored verifier (S256)', async () => {
    const { client, storage } = await setup();
    const url = new URL(await client.signIn('https://app.example.com/callback'));
    const state = url.searchParams.get('state') ?? '';
    const pending = JSON.parse(storage.get(StorageKey.SignInPrefix + state) ?? '{}') as { codeVerifier: string };
    assert.equal(url.searchParams.get('code_challenge'), await codeChallengeS256(pending.codeVerifier));
  });

  it('sends the optional Logto parameters when given', async () => {
    const { client } = await setup({ prompt: ['login', 'consent'] });
    const url = new URL(
      await client.signIn({
        redirectUri: 'https://app.example.com/callback',
        interactionMode: 'signUp',
        firstScreen: 'register',
        loginHint: 'demo@example.com',
        identifiers: ['email', 'username'],
        directSignIn: { method: 'social', target: 'google' },
        organizationId: 'org-acme',
        extraParams: { ui_locales: 'de' },
      }),
    );
    const params = url.searchParams;
    assert.equal(params.get('interaction_mode'), 'signUp');
    assert.equal(params.get('first_screen'), 'register');
    assert.equal(params.get('login_hint'), 'demo@example.com');
    assert.equal(params.get('identifier'), 'email username');
    assert.equal(params.get('direct_sign_in'), 'social:google');
    assert.equal(params.get('organization_id'), 'org-acme');
    assert.equal(params.get('ui_locales'), 'de');
    assert.equal(params.get('prompt'), 'login consent');
  });

  it('refuses extraParams that would override a protocol parameter', async () => {
    const { client } = await setup();
    await rejectsWith(
      client.signIn({ redirectUri: 'https://app.example.com/callback', extraParams: { state: 'fixed' } }),
      'invalid_config',
    );
  });

  it('computes the RFC 7636 appendix B challenge', async () => {
    assert.equal(
      await codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'),
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });
});

describe('LogtoClient.handleSignInCallback', () => {
  it('exchanges the code with client_secret_basic, no resource, and stores the tokens', async () => {
    const { client, provider } = await setup({ resources: ['https://shopping.your-app.com/api'] });
    const { callbackUrl, authorizationUrl } = await startSignIn(client, provider);
    await client.handleSignInCallback(callbackUrl);
    const request = provider.tokenRequests[0];
    assert.ok(request);
    assert.equal(request.get('grant_type'), 'authorization_code');
    assert.equal(request.get('code'), 'code-1');
    assert.equal(request.get('redirect_uri'), 'https://app.example.com/callback');
    assert.equal(
      await codeChallengeS256(request.get('code_verifier') ?? ''),
      authorizationUrl.searchParams.get('code_challenge'),
    );
    assert.equal(request.has('resource'), false);
    assert.equal(request.has('client_secret'), false);
    assert.equal(provider.authorizations[0], `Basic ${btoa('app-1:secret-1')}`);
    assert.equal(await client.isAuthenticated(), true);
    assert.equal((await client.getIdTokenClaims()).sub, 'user-1');
    assert.equal(await client.getRefreshToken(), 'rt-1');
    assert.equal(await client.getAccessToken(), 'opaque-access-token');
  });

  it('form-urlencodes the client id and secret before Basic encoding (RFC 6749 §2.3.1)', async () => {
    const provider = await createFakeProvider();
    const client = new LogtoClient(
      { endpoint: provider.endpoint, appId: 'app:1 é', appSecret: 'p@ss:w/rd+' },
      { fetch: provider.fetch, now: provider.now },
    );
    provider.appId = 'app:1 é';
    const { callbackUrl } = await startSignIn(client, provider);
    await client.handleSignInCallback(callbackUrl);
    assert.equal(provider.authorizations[0], `Basic ${btoa('app%3A1+%C3%A9:p%40ss%3Aw%2Frd%2B')}`);
  });

  it('returns the postRedirectUri of the sign-in', async () => {
    const { client, provider } = await setup();
    const url = new URL(
      await client.signIn({ redirectUri: 'https://app.example.com/callback', postRedirectUri: '/protected' }),
    );
    provider.nonce = url.searchParams.get('nonce') ?? undefined;
    const result = await client.handleSignInCallback(
      `https://app.example.com/callback?code=c&state=${url.searchParams.get('state')}`,
    );
    assert.deepEqual(result, { postRedirectUri: '/protected' });
  });

  it('refuses a callback whose state matches no sign-in', async () => {
    const { client, provider } = await setup();
    await startSignIn(client, provider);
    await rejectsWith(
      client.handleSignInCallback('https://app.example.com/callback?code=c&state=forged'),
      'callback_state_mismatch',
    );
    await rejectsWith(
      client.handleSignInCallback('https://app.example.com/callback?code=c'),
      'callback_state_mismatch',
    );
    assert.equal(provider.tokenRequests.length, 0);
  });

  it('refuses a state this client could not have generated without touching the storage', async () => {
    const { client, provider, storage } = await setup();
    await startSignIn(client, provider);
    storage.set(`${StorageKey.SignInPrefix}../../x`, 'keep');
    await rejectsWith(
      client.handleSignInCallback('https://app.example.com/callback?code=c&state=../../x'),
      'callback_state_mismatch',
    );
    assert.equal(storage.get(`${StorageKey.SignInPrefix}../../x`), 'keep');
  });

  it('refuses a replayed callback', async () => {
    const { client, provider } = await setup();
    const { callbackUrl } = await startSignIn(client, provider);
    await client.handleSignInCallback(callbackUrl);
    await rejectsWith(client.handleSignInCallback(callbackUrl), 'callback_state_mismatch');
    assert.equal(provider.tokenRequests.length, 1);
  });

  it('refuses a callback after the sign-in expired (10 minutes)', async () => {
    const { client, provider } = await setup();
    const { callbackUrl } = await startSignIn(client, provider);
    provider.time += 10 * 60 * 1000;
    await rejectsWith(client.handleSignInCallback(callbackUrl), 'callback_state_mismatch');
  });

  it('keeps several sign-ins in flight apart', async () => {
    const { client, provider } = await setup();
    const first = await startSignIn(client, provider, 'https://app.example.com/callback');
    const firstNonce = provider.nonce;
    const second = await startSignIn(client, provider, 'https://app.example.com/callback');
    const secondNonce = provider.nonce;
    assert.notEqual(first.state, second.state);
    provider.nonce = firstNonce;
    await client.handleSignInCallback(first.callbackUrl);
    provider.nonce = secondNonce;
    await client.handleSignInCallback(second.callbackUrl);
    assert.equal(await client.isAuthenticated(), true);
  });

  it('keeps concurrent sign-ins apart over an async storage', async () => {
    const inner = new MemoryStorage();
    const storage = {
      get: async (key: string) => inner.get(key),
      set: async (key: string, value: string) => inner.set(key, value),
      delete: async (key: string) => inner.delete(key),
    };
    const { client, provider } = await setup({}, { storage });
    const urls = await Promise.all(
      Array.from({ length: 5 }, () => client.signIn('https://app.example.com/callback').then((url) => new URL(url))),
    );
    for (const url of urls) {
      provider.nonce = url.searchParams.get('nonce') ?? undefined;
      await client.handleSignInCallback(
        `https://app.example.com/callback?code=c&state=${url.searchParams.get('state')}`,
      );
    }
    assert.equal(await client.isAuthenticated(), true);
  });

  it('reports the provider error with its error and description', async () => {
    const { client, provider } = await setup();
    const { state } = await startSignIn(client, provider);
    await assert.rejects(
      client.handleSignInCallback(
        `https://app.example.com/callback?error=access_denied&error_description=User+cancelled&state=${state}`,
      ),
      (error: unknown) => {
        assert.ok(error instanceof LogtoError);
        assert.equal(error.code, 'callback_provider_error');
        assert.equal(error.error, 'access_denied');
        assert.equal(error.errorDescription, 'User cancelled');
        return true;
      },
    );
  });

  it('refuses a callback without code', async () => {
    const { client, provider } = await setup();
    const { state } = await startSignIn(client, provider);
    await rejectsWith(
      client.handleSignInCallback(`https://app.example.com/callback?state=${state}`),
      'callback_missing_code',
    );
  });

  it('refuses a callback at another redirect URI, naming both', async () => {
    const { client, provider } = await setup();
    const { state } = await startSignIn(client, provider);
    await assert.rejects(
      client.handleSignInCallback(`https://evil.example.com/callback?code=c&state=${state}`),
      (error: unknown) => {
        assert.ok(error instanceof LogtoError);
        assert.equal(error.code, 'callback_redirect_uri_mismatch');
        assert.match(error.message, /https:\/\/evil\.example\.com\/callback/);
        assert.match(error.message, /https:\/\/app\.example\.com\/callback/);
        return true;
      },
    );
  });

  it('requires iss when the provider advertises RFC 9207, and refuses another issuer', async () => {
    const { client, provider } = await setup();
    provider.discoveryExtras = { authorization_response_iss_parameter_supported: true };
    const missing = await startSignIn(client, provider);
    await rejectsWith(client.handleSignInCallback(missing.callbackUrl), 'callback_iss_mismatch');
    const wrong = await startSignIn(client, provider);
    await rejectsWith(
      client.handleSignInCallback(`${wrong.callbackUrl}&iss=${encodeURIComponent('https://evil.example.com/oidc')}`),
      'callback_iss_mismatch',
    );
    const right = await startSignIn(client, provider);
    await client.handleSignInCallback(`${right.callbackUrl}&iss=${encodeURIComponent(provider.issuer)}`);
    assert.equal(await client.isAuthenticated(), true);
  });

  it('surfaces a refused code exchange as token_request_failed with the provider error', async () => {
    const { client, provider } = await setup();
    const { callbackUrl } = await startSignIn(client, provider);
    provider.tokenHandler = () =>
      new Response(JSON.stringify({ error: 'invalid_grant', error_description: 'code expired' }), { status: 400 });
    await assert.rejects(client.handleSignInCallback(callbackUrl), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.code, 'token_request_failed');
      assert.equal(error.error, 'invalid_grant');
      assert.equal(error.errorDescription, 'code expired');
      return true;
    });
  });
});

describe('ID token validation', () => {
  it('reports jwks_unavailable when the keys cannot be fetched, and signs in once they can', async () => {
    const { client, provider } = await setup();
    provider.jwksDown = true;
    const first = await startSignIn(client, provider);
    await rejectsWith(client.handleSignInCallback(first.callbackUrl), 'jwks_unavailable');
    provider.jwksDown = false;
    const second = await startSignIn(client, provider);
    await client.handleSignInCallback(second.callbackUrl);
    assert.equal(await client.isAuthenticated(), true);
  });

  for (const alg of ['RS256', 'PS384', 'ES256', 'ES384', 'ES512', 'EdDSA']) {
    it(`accepts an ID token signed with ${alg}`, async () => {
      const provider = await createFakeProvider(alg);
      const client = new LogtoClient(
        { endpoint: provider.endpoint, appId: provider.appId, appSecret: provider.appSecret },
        { fetch: provider.fetch, now: provider.now },
      );
      const { callbackUrl } = await startSignIn(client, provider);
      await client.handleSignInCallback(callbackUrl);
      assert.equal((await client.getIdTokenClaims()).sub, 'user-1');
    });
  }

  it('refuses a token whose header names another algorithm than its key', () =>
    callbackRejects(async (provider) => {
      const [, payload, signature] = (await provider.signIdToken()).split('.');
      const header = base64url.encode(JSON.stringify({ alg: 'ES256', kid: 'key-1' }));
      provider.idTokenOverride = `${header}.${payload}.${signature}`;
    }, 'id_token_invalid_signature'));

  it('refuses a forged signature', () =>
    callbackRejects(async (provider) => {
      const token = await provider.signIdToken();
      const [header, , signature] = token.split('.');
      const forged = base64url.encode(JSON.stringify({ ...decodeJwt(token), sub: 'admin' }));
      provider.idTokenOverride = `${header}.${forged}.${signature}`;
    }, 'id_token_invalid_signature'));

  it('refuses a token signed by a key the provider does not publish', () =>
    callbackRejects(async (provider) => {
      const { generateKeyPair } = await import('jose');
      const { privateKey } = await generateKeyPair('ES384');
      provider.idTokenOverride = await new SignJWT({
        iss: provider.issuer,
        aud: provider.appId,
        sub: 'user-1',
        nonce: provider.nonce,
        iat: Math.floor(provider.time / 1000),
        exp: Math.floor(provider.time / 1000) + 3600,
      })
        .setProtectedHeader({ alg: 'ES384', kid: 'key-1' })
        .sign(privateKey);
    }, 'id_token_invalid_signature'));

  it('refuses alg none', () =>
    callbackRejects((provider) => {
      const header = base64url.encode(JSON.stringify({ alg: 'none' }));
      const payload = base64url.encode(
        JSON.stringify({
          iss: provider.issuer,
          aud: provider.appId,
          sub: 'user-1',
          nonce: provider.nonce,
          iat: Math.floor(provider.time / 1000),
          exp: Math.floor(provider.time / 1000) + 3600,
        }),
      );
      provider.idTokenOverride = `${header}.${payload}.`;
    }, 'unsupported_algorithm'));

  it('refuses HS256 signed with the app secret', () =>
    callbackRejects(async (provider) => {
      provider.idTokenOverride = await new SignJWT({
        iss: provider.issuer,
        aud: provider.appId,
        sub: 'user-1',
        nonce: provider.nonce,
        iat: Math.floor(provider.time / 1000),
        exp: Math.floor(provider.time / 1000) + 3600,
      })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(provider.appSecret));
    }, 'unsupported_algorithm'));

  it('refuses another issuer', () =>
    callbackRejects((provider) => {
      provider.idTokenClaims = { iss: 'https://evil.example.com/oidc' };
    }, 'id_token_invalid_claims'));

  it('refuses an audience without the app id', () =>
    callbackRejects((provider) => {
      provider.idTokenClaims = { aud: 'another-app' };
    }, 'id_token_invalid_claims'));

  it('refuses several audiences without azp', () =>
    callbackRejects((provider) => {
      provider.idTokenClaims = { aud: [provider.appId, 'another-app'] };
    }, 'id_token_invalid_claims'));

  it('refuses several audiences whose azp is another app', () =>
    callbackRejects((provider) => {
      provider.idTokenClaims = { aud: [provider.appId, 'another-app'], azp: 'another-app' };
    }, 'id_token_invalid_claims'));

  it('accepts several audiences whose azp is the app id', async () => {
    const { client, provider } = await setup();
    const { callbackUrl } = await startSignIn(client, provider);
    provider.idTokenClaims = { aud: [provider.appId, 'another-app'], azp: provider.appId };
    await client.handleSignInCallback(callbackUrl);
    assert.equal(await client.isAuthenticated(), true);
  });

  it('refuses a missing nonce', () =>
    callbackRejects((provider) => {
      provider.nonce = undefined;
    }, 'id_token_nonce_mismatch'));

  it('refuses a nonce that differs', () =>
    callbackRejects((provider) => {
      provider.nonce = 'another-nonce';
    }, 'id_token_nonce_mismatch'));

  it('refuses an expired token', () =>
    callbackRejects((provider) => {
      const seconds = Math.floor(provider.time / 1000);
      provider.idTokenClaims = { iat: seconds - 7200, exp: seconds - 61 };
    }, 'id_token_expired'));

  it('accepts a token expired within the clock tolerance', async () => {
    const { client, provider } = await setup();
    const { callbackUrl } = await startSignIn(client, provider);
    const seconds = Math.floor(provider.time / 1000);
    provider.idTokenClaims = { iat: seconds - 3600, exp: seconds - 30 };
    await client.handleSignInCallback(callbackUrl);
    assert.equal(await client.isAuthenticated(), true);
  });

  it('refuses iat in the future beyond the tolerance', () =>
    callbackRejects((provider) => {
      const seconds = Math.floor(provider.time / 1000);
      provider.idTokenClaims = { iat: seconds + 120, exp: seconds + 3720 };
    }, 'id_token_iat_in_future'));

  it('applies a configured clock tolerance', async () => {
    const { client, provider } = await setup({ clockToleranceSeconds: 5 });
    const { callbackUrl } = await startSignIn(client, provider);
    const seconds = Math.floor(provider.time / 1000);
    provider.idTokenClaims = { iat: seconds + 30 };
    await rejectsWith(client.handleSignInCallback(callbackUrl), 'id_token_iat_in_future');
  });

  it('refuses an oversized token before parsing it', () =>
    callbackRejects(async (provider) => {
      provider.idTokenOverride = await provider.signIdToken({ padding: 'x'.repeat(40_000) });
    }, 'id_token_invalid_claims'));

  it('refuses a missing sub', () =>
    callbackRejects((provider) => {
      provider.idTokenClaims = { sub: undefined };
    }, 'id_token_invalid_claims'));

  it('refetches the JWKS once for an unknown kid (key rotation)', async () => {
    const { client, provider } = await setup();
    const { generateKeyPair, exportJWK } = await import('jose');
    // Load the first key set into the shared cache.
    const first = await startSignIn(client, provider);
    await client.handleSignInCallback(first.callbackUrl);
    const rotated = await generateKeyPair('ES384', { extractable: true });
    provider.keys = [
      ...provider.keys,
      { ...(await exportJWK(rotated.publicKey)), kid: 'key-2', alg: 'ES384', use: 'sig' },
    ];
    const second = await startSignIn(client, provider);
    provider.idTokenOverride = await new SignJWT({
      iss: provider.issuer,
      aud: provider.appId,
      sub: 'user-1',
      nonce: provider.nonce,
      iat: Math.floor(provider.time / 1000),
      exp: Math.floor(provider.time / 1000) + 3600,
    })
      .setProtectedHeader({ alg: 'ES384', kid: 'key-2' })
      .sign(rotated.privateKey);
    await client.handleSignInCallback(second.callbackUrl);
    assert.equal(await client.isAuthenticated(), true);
  });
});

describe('process-wide discovery and key caches', () => {
  it("a second client with its own fetch is served through that fetch, not the first client's", async () => {
    const { provider } = await signedIn();
    const urls: string[] = [];
    const ownFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      urls.push(String(input));
      return provider.fetch(input, init);
    }) as typeof fetch;
    const second = new LogtoClient(
      { endpoint: provider.endpoint, appId: provider.appId, appSecret: provider.appSecret },
      { storage: new MemoryStorage(), fetch: ownFetch, now: provider.now },
    );
    const { callbackUrl } = await startSignIn(second, provider);
    await second.handleSignInCallback(callbackUrl);
    assert.ok(urls.includes(`${provider.issuer}/.well-known/openid-configuration`), 'discovery through its own fetch');
    assert.ok(urls.includes(`${provider.issuer}/jwks`), 'the keys through its own fetch');
  });
});

describe('unknown kid rate limit', () => {
  it('does not refetch the JWKS again within the cooldown for another unknown kid', async () => {
    const provider = await createFakeProvider();
    let jwksRequests = 0;
    const countingFetch = provider.fetch;
    const rp = new LogtoClient(
      { endpoint: provider.endpoint, appId: provider.appId, appSecret: provider.appSecret },
      {
        fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
          if (String(input).endsWith('/jwks')) jwksRequests += 1;
          return countingFetch(input, init);
        }) as typeof fetch,
        now: provider.now,
      },
    );
    const first = await startSignIn(rp, provider);
    await rp.handleSignInCallback(first.callbackUrl);
    assert.equal(jwksRequests, 1);
    const unknownKid = async (kid: string) => {
      const attempt = await startSignIn(rp, provider);
      provider.idTokenOverride = await provider.signIdToken({}, { kid });
      return rp.handleSignInCallback(attempt.callbackUrl);
    };
    await rejectsWith(unknownKid('unknown-1'), 'id_token_invalid_signature');
    assert.equal(jwksRequests, 2, 'one refetch for the first unknown kid');
    await rejectsWith(unknownKid('unknown-2'), 'id_token_invalid_signature');
    assert.equal(jwksRequests, 2, 'no refetch within the cooldown');
  });
});

describe('tokens without kid', () => {
  it('tries each published key that fits the algorithm, and still refuses a foreign key', async () => {
    const { client, provider } = await setup();
    const { generateKeyPair, exportJWK } = await import('jose');
    const second = await generateKeyPair('ES384', { extractable: true });
    provider.keys = [
      ...provider.keys,
      { ...(await exportJWK(second.publicKey)), kid: 'key-2', alg: 'ES384', use: 'sig' },
    ];
    const sign = async (key: CryptoKey) =>
      new SignJWT({
        iss: provider.issuer,
        aud: provider.appId,
        sub: 'user-1',
        nonce: provider.nonce,
        iat: Math.floor(provider.time / 1000),
        exp: Math.floor(provider.time / 1000) + 3600,
      })
        .setProtectedHeader({ alg: 'ES384' })
        .sign(key);
    const good = await startSignIn(client, provider);
    provider.idTokenOverride = await sign(second.privateKey);
    await client.handleSignInCallback(good.callbackUrl);
    assert.equal(await client.isAuthenticated(), true);

    const foreign = await generateKeyPair('ES384');
    const bad = await startSignIn(client, provider);
    provider.idTokenOverride = await sign(foreign.privateKey);
    await rejectsWith(client.handleSignInCallback(bad.callbackUrl), 'id_token_invalid_signature');
  });
});

describe('LogtoClient.fetchUserInfo', () => {
  it('returns the userinfo claims, fetched with the opaque access token', async () => {
    const { client } = await signedIn();
    const userinfo = await client.fetchUserInfo();
    assert.equal(userinfo.sub, 'user-1');
    assert.deepEqual(userinfo.custom_data, { plan: 'pro' });
  });

  it('refreshes the access token once when userinfo refuses the cached one', async () => {
    const { client, provider } = await signedIn();
    provider.userinfoToken = 'opaque-1';
    const userinfo = await client.fetchUserInfo();
    assert.equal(userinfo.sub, 'user-1');
    assert.equal(provider.refreshCount, 1);
    assert.equal(await client.getAccessToken(), 'opaque-1');
  });

  it('gives up with userinfo_failed when the refreshed token is refused too', async () => {
    const { client, provider } = await signedIn();
    provider.userinfoToken = 'never-issued';
    await assert.rejects(client.fetchUserInfo(), { code: 'userinfo_failed', status: 401 });
    assert.equal(provider.refreshCount, 1);
  });

  it('refuses a userinfo response about another subject', async () => {
    const { client, provider } = await signedIn();
    provider.userinfo = { sub: 'user-2' };
    await rejectsWith(client.fetchUserInfo(), 'userinfo_sub_mismatch');
  });

  it('throws not_authenticated when signed out', async () => {
    const { client } = await setup();
    await rejectsWith(client.fetchUserInfo(), 'not_authenticated');
  });
});

describe('access tokens', () => {
  const shopping = 'https://shopping.your-app.com/api';

  it('gets a resource token with the refresh_token grant, then serves it from the cache', async () => {
    const { client, provider } = await signedIn({ resources: [shopping] });
    const token = await client.getAccessToken(shopping);
    const request = provider.tokenRequests.at(-1);
    assert.equal(request?.get('grant_type'), 'refresh_token');
    assert.equal(request?.get('resource'), shopping);
    assert.equal(request?.get('refresh_token'), 'rt-1');
    assert.equal((await client.getAccessTokenClaims(shopping)).aud, shopping);
    assert.equal(await client.getAccessToken(shopping), token);
    assert.equal(provider.refreshCount, 1);
    assert.equal(await client.getRefreshToken(), 'rt-2', 'the rotated refresh token is kept');
  });

  it('refreshes 60 s before expiry for a one-hour token (injected clock)', async () => {
    const { client, provider } = await signedIn();
    const token = await client.getAccessToken(shopping);
    provider.time += (3600 - 60) * 1000 - 1;
    assert.equal(await client.getAccessToken(shopping), token);
    provider.time += 1;
    assert.notEqual(await client.getAccessToken(shopping), token);
    assert.equal(provider.refreshCount, 2);
  });

  it('keeps a 10% margin for a short-lived token', async () => {
    const { client, provider } = await signedIn();
    provider.accessTokenLifetime = 100;
    await client.getAccessToken(shopping);
    provider.time += 89_999;
    await client.getAccessToken(shopping);
    assert.equal(provider.refreshCount, 1);
    provider.time += 1;
    await client.getAccessToken(shopping);
    assert.equal(provider.refreshCount, 2);
  });

  it('treats a token without expires_in as short-lived', async () => {
    const { client, provider } = await signedIn();
    provider.accessTokenLifetime = undefined;
    await client.getAccessToken(shopping);
    provider.time += 60_000;
    await client.getAccessToken(shopping);
    assert.equal(provider.refreshCount, 2);
  });

  it('refreshes the opaque token when it expires', async () => {
    const { client, provider } = await signedIn();
    assert.equal(await client.getAccessToken(), 'opaque-access-token');
    provider.time += 3600 * 1000;
    assert.equal(await client.getAccessToken(), 'opaque-1');
    assert.equal(provider.tokenRequests.at(-1)?.has('resource'), false);
  });

  it('sends exactly one token request for 100 concurrent callers on an expired token', async () => {
    const { client, provider, storage } = await signedIn();
    await client.getAccessToken(shopping);
    provider.time += 3600 * 1000;
    const before = provider.tokenRequests.length;
    // Per-request clients over one session, as a web framework creates them.
    const clients = Array.from(
      { length: 100 },
      () =>
        new LogtoClient(
          { endpoint: provider.endpoint, appId: provider.appId, appSecret: provider.appSecret },
          { storage, fetch: provider.fetch, now: provider.now },
        ),
    );
    const tokens = await Promise.all(clients.map((each) => each.getAccessToken(shopping)));
    assert.equal(provider.tokenRequests.length - before, 1);
    assert.equal(new Set(tokens).size, 1);
    assert.equal(await client.getRefreshToken(), provider.currentRefreshToken);
  });

  it('serializes refreshes for different resources on one refresh token', async () => {
    const { client, provider } = await signedIn();
    const resources = Array.from({ length: 10 }, (_, index) => `https://api-${index}.example.com`);
    await Promise.all(resources.map((resource) => client.getAccessToken(resource)));
    // Each request used the then-current refresh token: none was refused as reused.
    assert.equal(provider.refreshCount, 10);
    assert.equal(await client.getRefreshToken(), provider.currentRefreshToken);
  });

  it('on invalid_grant clears the session and throws not_authenticated', async () => {
    const { client, provider } = await signedIn();
    provider.currentRefreshToken = 'rotated-elsewhere';
    await assert.rejects(client.getAccessToken(shopping), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.code, 'not_authenticated');
      assert.equal(error.error, 'invalid_grant');
      return true;
    });
    assert.equal(await client.isAuthenticated(), false);
    assert.equal(await client.getRefreshToken(), null);
    await rejectsWith(client.getAccessToken(), 'not_authenticated');
  });

  it('throws not_authenticated for an unreadable stored ID token', async () => {
    const { client, storage } = await signedIn();
    storage.set(StorageKey.IdToken, 'garbage');
    await rejectsWith(client.getIdTokenClaims(), 'not_authenticated');
  });

  it('throws not_authenticated when signed out', async () => {
    const { client } = await setup();
    await rejectsWith(client.getAccessToken(shopping), 'not_authenticated');
    await rejectsWith(client.getIdTokenClaims(), 'not_authenticated');
  });

  it('refuses a refreshed ID token about another subject and clears the session', async () => {
    const { client, provider } = await signedIn();
    provider.idTokenOnRefresh = true;
    provider.sub = 'user-2';
    await rejectsWith(client.getAccessToken(shopping), 'id_token_sub_changed');
    assert.equal(await client.isAuthenticated(), false);
  });

  it('keeps a refreshed ID token about the same subject', async () => {
    const { client, provider } = await signedIn();
    provider.idTokenOnRefresh = true;
    provider.time += 1000;
    const before = await client.getIdToken();
    await client.getAccessToken(shopping);
    assert.notEqual(await client.getIdToken(), before);
  });

  it('compares token_type case-insensitively and refuses other types', async () => {
    const { client, provider } = await signedIn();
    provider.tokenHandler = () =>
      new Response(JSON.stringify({ access_token: 'x', token_type: 'DPoP', expires_in: 3600 }), { status: 200 });
    await rejectsWith(client.getAccessToken(shopping), 'token_request_failed');
    provider.tokenHandler = () =>
      new Response(JSON.stringify({ access_token: 'x', token_type: 'BEARER', expires_in: 3600 }), { status: 200 });
    assert.equal(await client.getAccessToken(shopping), 'x');
  });
});

describe('pluggable refresh lock', () => {
  it('serializes refreshes through a custom lock keyed by a hash, never the refresh token', async () => {
    // A lock as a distributed backend would provide it: set-if-absent, polled.
    const held = new Set<string>();
    const keys: string[] = [];
    const lock: RefreshLock = {
      async acquire(key) {
        keys.push(key);
        while (held.has(key)) await new Promise((resolve) => setImmediate(resolve));
        held.add(key);
        return () => {
          held.delete(key);
        };
      },
    };
    const { provider, storage } = await signedIn({}, { lock });
    provider.time += 3600 * 1000;
    // Two "processes": separate clients sharing the session storage and the lock backend.
    const processes = [0, 1].map(
      () =>
        new LogtoClient(
          { endpoint: provider.endpoint, appId: provider.appId, appSecret: provider.appSecret },
          { storage, fetch: provider.fetch, now: provider.now, lock },
        ),
    );
    const before = provider.tokenRequests.length;
    await Promise.all(
      processes.flatMap((each) => Array.from({ length: 10 }, () => each.getAccessToken('https://api.example.com'))),
    );
    assert.equal(provider.tokenRequests.length - before, 1);
    assert.ok(keys.length > 0);
    for (const key of keys) assert.ok(!key.includes('rt-'), `the lock key ${key} hides the refresh token`);
    assert.equal(held.size, 0, 'every hold was released');
  });
});

describe('organization tokens', () => {
  it('requests organization_id without resource', async () => {
    const { client, provider } = await signedIn({ scopes: [UserScope.Organizations] });
    const claims = await client.getOrganizationTokenClaims('org-acme');
    assert.equal(claims.aud, 'urn:logto:organization:org-acme');
    const request = provider.tokenRequests.at(-1);
    assert.equal(request?.get('organization_id'), 'org-acme');
    assert.equal(request?.has('resource'), false);
  });

  it('requests a resource token within an organization with both parameters', async () => {
    const { client, provider } = await signedIn({ scopes: [UserScope.Organizations] });
    await client.getAccessToken('https://shopping.your-app.com/api', 'org-acme');
    const request = provider.tokenRequests.at(-1);
    assert.equal(request?.get('resource'), 'https://shopping.your-app.com/api');
    assert.equal(request?.get('organization_id'), 'org-acme');
    await client.getAccessToken('https://shopping.your-app.com/api');
    assert.equal(provider.refreshCount, 2, 'cached apart from the token without organization');
  });

  it('turns a refused organization into organization_access_denied', async () => {
    const { client, provider } = await signedIn({ scopes: [UserScope.Organizations] });
    provider.tokenHandler = () =>
      new Response(JSON.stringify({ error: 'access_denied', error_description: 'not a member' }), { status: 403 });
    await assert.rejects(client.getOrganizationToken('org-other'), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.code, 'organization_access_denied');
      assert.equal(error.error, 'access_denied');
      assert.equal(error.status, 403);
      return true;
    });
    assert.equal(await client.isAuthenticated(), true, 'the session survives');
  });

  it('requires the organizations scope in the configuration', async () => {
    const { client } = await signedIn();
    await rejectsWith(client.getOrganizationToken('org-acme'), 'invalid_config');
  });
});

describe('LogtoClient.signOut', () => {
  it('revokes the refresh token, clears the tokens and returns the end-session URL', async () => {
    const { client, provider } = await signedIn();
    const idToken = await client.getIdToken();
    const url = new URL(await client.signOut('https://app.example.com/'));
    assert.equal(`${url.origin}${url.pathname}`, `${provider.issuer}/session/end`);
    assert.equal(url.searchParams.get('client_id'), provider.appId);
    assert.equal(url.searchParams.get('post_logout_redirect_uri'), 'https://app.example.com/');
    assert.equal(url.searchParams.get('id_token_hint'), null, 'the ID token stays out of the URL');
    assert.ok(idToken && !url.href.includes(idToken));
    assert.equal(provider.revocations[0]?.get('token'), 'rt-1');
    assert.equal(provider.revocations[0]?.get('token_type_hint'), 'refresh_token');
    assert.equal(await client.isAuthenticated(), false);
    assert.equal(await client.getRefreshToken(), null);
  });

  it('signs out locally even when revocation fails', async () => {
    const { client, provider } = await signedIn();
    provider.failRevocation = true;
    assert.match(await client.signOut(), /session\/end/);
    assert.equal(provider.revocations.length, 1);
    assert.equal(await client.isAuthenticated(), false);
  });
});

describe('misuse and outages', () => {
  it('refuses the claims of the opaque token with a hint', async () => {
    const { client } = await signedIn();
    await assert.rejects(client.getAccessTokenClaims(), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.code, 'invalid_config');
      assert.match(error.message, /resource/);
      return true;
    });
  });

  it('reports an unreachable identity server on sign-in as discovery_failed', async () => {
    const client = new LogtoClient(
      { endpoint: 'https://unreachable.example.com', appId: 'a', appSecret: 's' },
      {
        fetch: (async () => {
          throw new TypeError('fetch failed');
        }) as typeof fetch,
      },
    );
    await rejectsWith(client.signIn('https://app.example.com/callback'), 'discovery_failed');
  });

  it('refuses a relative redirect URI', async () => {
    const { client } = await setup();
    await rejectsWith(client.signIn('/callback'), 'invalid_config');
  });
});

describe('sign-out during an outage', () => {
  it('clears the local session and returns the end-session URL when the provider is unreachable', async () => {
    const provider = await createFakeProvider();
    let down = false;
    const storage = new MemoryStorage();
    const client = new LogtoClient(
      { endpoint: provider.endpoint, appId: provider.appId, appSecret: provider.appSecret },
      {
        storage,
        now: provider.now,
        fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
          if (down) throw new TypeError('fetch failed');
          return provider.fetch(input, init);
        }) as typeof fetch,
      },
    );
    const { callbackUrl } = await startSignIn(client, provider);
    await client.handleSignInCallback(callbackUrl);
    down = true;
    provider.time += 11 * 60 * 1000; // past the discovery TTL: the refetch fails, the stale document serves
    const url = new URL(await client.signOut('https://app.example.com/'));
    assert.equal(`${url.origin}${url.pathname}`, `${provider.issuer}/session/end`);
    assert.equal(await client.isAuthenticated(), false);
    assert.equal(await client.getRefreshToken(), null);
  });

  it('signs out locally even when discovery never succeeded, using Logto’s end-session path', async () => {
    const storage = new MemoryStorage();
    storage.set(StorageKey.IdToken, 'header.payload.signature');
    storage.set(StorageKey.RefreshToken, 'rt');
    const endpoint = `https://never-reached-${Math.random().toString(36).slice(2)}.example.com`;
    const client = new LogtoClient(
      { endpoint, appId: 'app', appSecret: 'secret' },
      {
        storage,
        fetch: (async () => {
          throw new TypeError('fetch failed');
        }) as typeof fetch,
      },
    );
    const url = new URL(await client.signOut('https://app.example.com/'));
    assert.equal(`${url.origin}${url.pathname}`, `${endpoint}/oidc/session/end`);
    assert.doesNotMatch(url.href, /header\.payload\.signature/, 'the ID token stays out of the URL');
    assert.equal(await client.isAuthenticated(), false);
    assert.equal(await client.getRefreshToken(), null);
  });
});

describe('async storage', () => {
  it('works with a storage whose methods return promises', async () => {
    const inner = new MemoryStorage();
    const storage = {
      get: async (key: string) => inner.get(key),
      set: async (key: string, value: string) => inner.set(key, value),
      delete: async (key: string) => inner.delete(key),
    };
    const { client, provider } = await setup({}, { storage });
    const { callbackUrl } = await startSignIn(client, provider);
    await client.handleSignInCallback(callbackUrl);
    assert.equal((await client.getIdTokenClaims()).name, 'Demo User');
  });
});

describe('official SDK options of signIn', () => {
  it('sends a per-call prompt instead of the configured one', async () => {
    const { client } = await setup({ prompt: 'consent' });
    const url = new URL(await client.signIn({ redirectUri: 'https://app.example.com/callback', prompt: Prompt.Login }));
    assert.equal(url.searchParams.get('prompt'), 'login');
    const both = new URL(
      await client.signIn({ redirectUri: 'https://app.example.com/callback', prompt: ['login', 'consent'] }),
    );
    assert.equal(both.searchParams.get('prompt'), 'login consent');
  });

  it('sends one_time_token', async () => {
    const { client } = await setup();
    const url = new URL(
      await client.signIn({
        redirectUri: 'https://app.example.com/callback',
        oneTimeToken: 'ott-1',
        loginHint: 'demo@example.com',
      }),
    );
    assert.equal(url.searchParams.get('one_time_token'), 'ott-1');
    assert.equal(url.searchParams.get('login_hint'), 'demo@example.com');
  });

  it('keeps the tokens when a sign-in starts, unless clearTokens is true', async () => {
    const { client } = await signedIn();
    await client.signIn({ redirectUri: 'https://app.example.com/callback' });
    assert.equal(await client.isAuthenticated(), true, 'default: replaced only when the callback succeeds');
    await client.signIn({ redirectUri: 'https://app.example.com/callback', clearTokens: true });
    assert.equal(await client.isAuthenticated(), false);
    assert.equal(await client.getRefreshToken(), null);
  });
});

describe('LogtoClient.isSignInRedirected', () => {
  it('is true for the callback of a sign-in in progress, and consumes nothing', async () => {
    const { client, provider } = await setup();
    const { callbackUrl } = await startSignIn(client, provider);
    assert.equal(await client.isSignInRedirected(callbackUrl), true);
    assert.equal(await client.isSignInRedirected(callbackUrl), true);
    await client.handleSignInCallback(callbackUrl);
    assert.equal(await client.isAuthenticated(), true);
    assert.equal(await client.isSignInRedirected(callbackUrl), false, 'a used sign-in is no longer in progress');
  });

  it('is false for another path or origin, an unknown state, an expired sign-in or a malformed URL', async () => {
    const { client, provider } = await setup();
    const { state, callbackUrl } = await startSignIn(client, provider);
    assert.equal(await client.isSignInRedirected(`https://app.example.com/other?code=c&state=${state}`), false);
    assert.equal(await client.isSignInRedirected(`https://evil.example.com/callback?code=c&state=${state}`), false);
    assert.equal(await client.isSignInRedirected('https://app.example.com/callback?code=c&state=x'), false);
    assert.equal(await client.isSignInRedirected('https://app.example.com/callback'), false);
    assert.equal(await client.isSignInRedirected('not a url'), false);
    provider.time += 10 * 60 * 1000;
    assert.equal(await client.isSignInRedirected(callbackUrl), false);
  });
});

describe('LogtoClient.clearAccessToken', () => {
  it('forgets the cached access tokens and keeps the session', async () => {
    const { client, provider } = await signedIn();
    const token = await client.getAccessToken('https://shopping.your-app.com/api');
    await client.clearAccessToken();
    assert.equal(await client.isAuthenticated(), true);
    assert.ok(await client.getRefreshToken());
    assert.notEqual(await client.getAccessToken('https://shopping.your-app.com/api'), token);
    assert.equal(provider.refreshCount, 2);
  });
});

describe('narrowed access tokens', () => {
  const shopping = 'https://shopping.your-app.com/api';

  it('sends the scopes as the refresh grant scope and caches per set of scopes', async () => {
    const { client, provider } = await signedIn();
    const narrowed = await client.getAccessToken(shopping, { scopes: ['shopping:write', 'shopping:read'] });
    assert.equal(provider.tokenRequests.at(-1)?.get('scope'), 'shopping:read shopping:write');
    assert.equal(decodeJwt(narrowed).scope, 'shopping:read shopping:write');
    const read = await client.getAccessTokenClaims(shopping, { scopes: ['shopping:read'] });
    assert.equal(read.scope, 'shopping:read');
    const full = await client.getAccessToken(shopping);
    assert.equal(provider.tokenRequests.at(-1)?.has('scope'), false, 'no scopes: every granted scope');
    assert.equal(provider.refreshCount, 3, 'three sets of scopes, three tokens');
    assert.equal(await client.getAccessToken(shopping, { scopes: ['shopping:read', 'shopping:write'] }), narrowed);
    assert.equal(await client.getAccessToken(shopping), full);
    assert.equal(provider.refreshCount, 3, 'each served from the cache afterwards');
  });

  it('narrows organization tokens and resource tokens within an organization', async () => {
    const { client, provider } = await signedIn({ scopes: [UserScope.Organizations] });
    const claims = await client.getOrganizationTokenClaims('org-acme', { scopes: ['read:projects'] });
    assert.equal(claims.scope, 'read:projects');
    assert.equal(provider.tokenRequests.at(-1)?.get('organization_id'), 'org-acme');
    await client.getAccessToken(shopping, { organizationId: 'org-acme', scopes: ['shopping:read'] });
    const request = provider.tokenRequests.at(-1);
    assert.equal(request?.get('resource'), shopping);
    assert.equal(request?.get('organization_id'), 'org-acme');
    assert.equal(request?.get('scope'), 'shopping:read');
  });

  it('refuses malformed scopes, and scopes without a resource, before any request', async () => {
    const { client, provider } = await signedIn();
    const before = provider.tokenRequests.length;
    await rejectsWith(client.getAccessToken(shopping, { scopes: ['a b'] }), 'invalid_config');
    await rejectsWith(client.getAccessToken(shopping, { scopes: [] }), 'invalid_config');
    await rejectsWith(client.getAccessToken(undefined, { scopes: ['shopping:read'] }), 'invalid_config');
    assert.equal(provider.tokenRequests.length, before);
  });

  it('reports a scope not granted at sign-in with the provider error and Logto code', async () => {
    const { client, provider } = await signedIn();
    provider.tokenHandler = () =>
      new Response(
        JSON.stringify({
          code: 'oidc.invalid_scope',
          message: 'Invalid scope.',
          error: 'invalid_scope',
          error_description: 'refresh token missing requested scope',
        }),
        { status: 400 },
      );
    await assert.rejects(client.getAccessToken(shopping, { scopes: ['shopping:write'] }), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.code, 'token_request_failed');
      assert.equal(error.error, 'invalid_scope');
      assert.equal(error.logtoCode, 'oidc.invalid_scope');
      return true;
    });
    assert.equal(await client.isAuthenticated(), true);
  });
});

describe("Logto's error code on errors", () => {
  it('keeps the code of a refused refresh token on the not_authenticated error', async () => {
    const { client, provider } = await signedIn();
    provider.tokenHandler = () =>
      new Response(
        JSON.stringify({ code: 'oidc.invalid_grant', message: 'Grant request is invalid.', error: 'invalid_grant' }),
        { status: 400 },
      );
    await assert.rejects(client.getAccessToken('https://shopping.your-app.com/api'), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.code, 'not_authenticated');
      assert.equal(error.error, 'invalid_grant');
      assert.equal(error.logtoCode, 'oidc.invalid_grant');
      return true;
    });
  });

  it('keeps the code of a refused organization on organization_access_denied', async () => {
    const { client, provider } = await signedIn({ scopes: [UserScope.Organizations] });
    provider.tokenHandler = () =>
      new Response(JSON.stringify({ code: 'oidc.access_denied', error: 'access_denied' }), { status: 403 });
    await assert.rejects(client.getOrganizationToken('org-other'), { logtoCode: 'oidc.access_denied' });
  });

  it('keeps the code of a refused userinfo request', async () => {
    const { client, provider } = await signedIn();
    provider.userinfoToken = 'another';
    provider.tokenHandler = () =>
      new Response(JSON.stringify({ access_token: 'opaque-x', token_type: 'Bearer', expires_in: 3600 }));
    await assert.rejects(client.fetchUserInfo(), {
      code: 'userinfo_failed',
      status: 401,
      error: 'invalid_token',
      logtoCode: 'oidc.invalid_token',
    });
  });
});

/** `provider.fetch` with the userinfo endpoint replaced by `userinfo`, and the requests it saw. */
function withUserinfo(provider: FakeProvider, userinfo: (request: Request) => Response | Promise<Response>) {
  const seen: Request[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (new URL(request.url).pathname !== '/oidc/me') return provider.fetch(input, init);
    seen.push(request);
    return userinfo(request);
  }) as typeof fetch;
  return { fetch: fetchImpl, seen };
}

/** An unsigned JWT, as a session storage could hold one from an earlier configuration. */
function unsignedJwt(payload: Record<string, unknown>): string {
  const part = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${part({ alg: 'ES384' })}.${part(payload)}.c2ln`;
}

describe('LogtoClient: callbacks refused field by field', () => {
  it('refuses a callback URL that is not absolute', async () => {
    const { client, provider } = await setup();
    const { state } = await startSignIn(client, provider);
    await rejectsWith(client.handleSignInCallback(`/callback?code=c&state=${state}`), 'callback_missing_code');
  });

  it('refuses a callback on the same origin at another path', async () => {
    const { client, provider } = await setup();
    const { state } = await startSignIn(client, provider);
    await rejectsWith(
      client.handleSignInCallback(`https://app.example.com/callback2?code=c&state=${state}`),
      'callback_redirect_uri_mismatch',
    );
  });

  it('checks an iss the response carries even when the provider does not advertise RFC 9207', async () => {
    const { client, provider } = await setup();
    const wrong = await startSignIn(client, provider);
    await rejectsWith(
      client.handleSignInCallback(`${wrong.callbackUrl}&iss=${encodeURIComponent('https://evil.example.com/oidc')}`),
      'callback_iss_mismatch',
    );
    const absent = await startSignIn(client, provider);
    await client.handleSignInCallback(absent.callbackUrl);
    assert.equal(await client.isAuthenticated(), true);
  });

  it('refuses a token response without an ID token', async () => {
    const { client, provider } = await setup();
    const { callbackUrl } = await startSignIn(client, provider);
    provider.tokenHandler = () => json({ access_token: 'a', token_type: 'Bearer', expires_in: 3600 });
    await assert.rejects(client.handleSignInCallback(callbackUrl), {
      code: 'token_request_failed',
      message: /no id_token/,
    });
    assert.equal(await client.isAuthenticated(), false);
  });

  it('returns no postRedirectUri field when the sign-in had none', async () => {
    const { client, provider } = await setup();
    const { callbackUrl } = await startSignIn(client, provider);
    assert.deepStrictEqual(await client.handleSignInCallback(callbackUrl), {});
  });

  it('writes only strings to the storage when the provider issues no refresh token', async () => {
    const provider = await createFakeProvider();
    const values = new Map<string, string>();
    const storage = {
      get: (key: string) => values.get(key) ?? null,
      set: (key: string, value: string) => {
        assert.equal(typeof value, 'string', `the value stored under ${key}`);
        values.set(key, value);
      },
      delete: (key: string) => {
        values.delete(key);
      },
    };
    const client = new LogtoClient(
      { endpoint: provider.endpoint, appId: provider.appId, appSecret: provider.appSecret },
      { storage, fetch: provider.fetch, now: provider.now },
    );
    const { callbackUrl } = await startSignIn(client, provider);
    provider.tokenHandler = async () =>
      json({ access_token: 'a', token_type: 'Bearer', expires_in: 3600, id_token: await provider.signIdToken() });
    await client.handleSignInCallback(callbackUrl);
    assert.equal(await client.isAuthenticated(), true);
    assert.equal(values.has(StorageKey.RefreshToken), false);
  });
});

describe('LogtoClient: sign-in options', () => {
  it('draws state, nonce and the PKCE verifier from the injected random source', async () => {
    const { client } = await setup({}, { random: (length) => new Uint8Array(length).fill(7) });
    const url = new URL(await client.signIn('https://app.example.com/callback'));
    const expected = base64url.encode(new Uint8Array(32).fill(7));
    assert.equal(url.searchParams.get('state'), expected);
    assert.equal(url.searchParams.get('nonce'), expected);
  });

  it('refuses extraParams that override a protocol parameter before any request', async () => {
    const provider = await createFakeProvider();
    let requests = 0;
    const client = new LogtoClient(
      { endpoint: provider.endpoint, appId: provider.appId, appSecret: provider.appSecret },
      {
        fetch: ((input: RequestInfo | URL, init?: RequestInit) => {
          requests += 1;
          return provider.fetch(input, init);
        }) as typeof fetch,
      },
    );
    await rejectsWith(
      client.signIn({ redirectUri: 'https://app.example.com/callback', extraParams: { state: 'x' } }),
      'invalid_config',
    );
    assert.equal(requests, 0, 'not even discovery');
  });

  it('bounds each request by timeoutMs also with the global fetch', async () => {
    const provider = await createFakeProvider();
    const original = globalThis.fetch;
    globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (new URL(new Request(input, init).url).pathname !== '/oidc/token') return provider.fetch(input, init);
      // A token endpoint that never answers: only the request's signal ends the wait.
      return new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    }) as typeof fetch;
    try {
      const client = new LogtoClient(
        { endpoint: provider.endpoint, appId: provider.appId, appSecret: provider.appSecret },
        { now: provider.now, timeoutMs: 20 },
      );
      const { callbackUrl } = await startSignIn(client, provider);
      const started = performance.now();
      await rejectsWith(client.handleSignInCallback(callbackUrl), 'token_request_failed');
      assert.ok(performance.now() - started < 2500, 'gave up after timeoutMs, not the default 5 s');
    } finally {
      globalThis.fetch = original;
    }
  });
});

describe('LogtoClient.signOut: what the provider advertises', () => {
  it('revokes nothing without a refresh token', async () => {
    const { client, provider } = await setup();
    assert.match(await client.signOut(), /session\/end/);
    assert.equal(provider.revocations.length, 0);
  });

  it('leaves post_logout_redirect_uri out when none is given', async () => {
    const { client } = await signedIn();
    const url = new URL(await client.signOut());
    assert.equal(url.searchParams.has('post_logout_redirect_uri'), false);
  });

  it('without an end-session endpoint, goes to the post-logout URI, or says what is missing', async () => {
    const { client, provider } = await setup();
    provider.discoveryExtras = { end_session_endpoint: undefined };
    assert.equal(await client.signOut('https://app.example.com/'), 'https://app.example.com/');
    await assert.rejects(client.signOut(), { code: 'discovery_failed', message: /end_session_endpoint/ });
  });
});

describe('LogtoClient.fetchUserInfo: endpoint and transport', () => {
  it('says so when the provider advertises no userinfo endpoint', async () => {
    const { client, provider } = await setup();
    provider.discoveryExtras = { userinfo_endpoint: undefined };
    const { callbackUrl } = await startSignIn(client, provider);
    await client.handleSignInCallback(callbackUrl);
    await assert.rejects(client.fetchUserInfo(), {
      code: 'userinfo_failed',
      message: /advertises no userinfo_endpoint/,
    });
  });

  it('asks for JSON with the bearer token', async () => {
    const { provider, storage } = await signedIn();
    const { fetch, seen } = withUserinfo(provider, () => json({ sub: provider.sub }));
    const client = new LogtoClient(
      { endpoint: provider.endpoint, appId: provider.appId, appSecret: provider.appSecret },
      { storage, fetch, now: provider.now },
    );
    await client.fetchUserInfo();
    assert.equal(seen[0]?.headers.get('accept'), 'application/json');
    assert.equal(seen[0]?.headers.get('authorization'), 'Bearer opaque-access-token');
  });

  it('retries after a 401 without a body', async () => {
    const { provider, storage } = await signedIn();
    let calls = 0;
    const { fetch } = withUserinfo(provider, () => {
      calls += 1;
      return calls === 1 ? new Response(null, { status: 401 }) : json({ sub: provider.sub });
    });
    const client = new LogtoClient(
      { endpoint: provider.endpoint, appId: provider.appId, appSecret: provider.appSecret },
      { storage, fetch, now: provider.now },
    );
    assert.equal((await client.fetchUserInfo()).sub, provider.sub);
    assert.equal(calls, 2);
  });

  it('keeps the cause of a userinfo network failure', async () => {
    const { provider, storage } = await signedIn();
    const cause = new TypeError('fetch failed');
    const { fetch } = withUserinfo(provider, () => Promise.reject(cause));
    const client = new LogtoClient(
      { endpoint: provider.endpoint, appId: provider.appId, appSecret: provider.appSecret },
      { storage, fetch, now: provider.now },
    );
    await assert.rejects(client.fetchUserInfo(), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.code, 'userinfo_failed');
      assert.equal(error.cause, cause);
      return true;
    });
  });
});

describe('LogtoClient: the session ending, and errors with their cause', () => {
  it('says the user is not signed in, with no request to the provider', async () => {
    const { client, provider } = await setup();
    await assert.rejects(client.getIdTokenClaims(), { code: 'not_authenticated', message: /not signed in/ });
    await assert.rejects(client.getAccessToken('https://api.example.com'), {
      code: 'not_authenticated',
      message: /not signed in\. Sign the user in again\./,
    });
    assert.equal(provider.tokenRequests.length, 0);
  });

  it('keeps the decoding error of an unreadable ID token as the cause', async () => {
    const { client, storage } = await signedIn();
    storage.set(StorageKey.IdToken, 'not-a-jwt');
    await assert.rejects(client.getIdTokenClaims(), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.code, 'not_authenticated');
      assert.ok(error.cause instanceof Error);
      return true;
    });
  });

  it('keeps the decoding error as the cause when asked for the claims of an opaque token', async () => {
    const { client } = await signedIn();
    await assert.rejects(client.getAccessTokenClaims(), (error: unknown) => {
      assert.ok(error instanceof LogtoError);
      assert.equal(error.code, 'invalid_config');
      assert.ok(error.cause instanceof Error);
      return true;
    });
  });

  it('serves a cached access token when there is no refresh token', async () => {
    const { client, storage, provider } = await signedIn();
    storage.delete(StorageKey.RefreshToken);
    assert.equal(await client.getAccessToken(), 'opaque-access-token');
    assert.equal(provider.tokenRequests.length, 1, 'only the code exchange');
  });

  it('keeps the refresh token when a refresh response carries none', async () => {
    const { client, provider } = await signedIn();
    provider.tokenHandler = () => json({ access_token: 'opaque-2', token_type: 'Bearer', expires_in: 60 });
    provider.time += 3600 * 1000;
    assert.equal(await client.getAccessToken(), 'opaque-2');
    assert.equal(await client.getRefreshToken(), 'rt-1');
  });

  it('refuses a refreshed ID token from another issuer than the stored one, for the same subject', async () => {
    const { client, provider, storage } = await signedIn();
    storage.set(
      StorageKey.IdToken,
      unsignedJwt({ iss: 'https://old-tenant.example.com/oidc', sub: provider.sub, aud: provider.appId }),
    );
    provider.idTokenOnRefresh = true;
    await rejectsWith(client.getAccessToken('https://api.example.com'), 'id_token_sub_changed');
    assert.equal(await client.isAuthenticated(), false);
  });

  it('keys the refresh lock by the SHA-256 of the refresh token', async () => {
    const keys: string[] = [];
    const lock: RefreshLock = {
      async acquire(key) {
        keys.push(key);
        return () => {};
      },
    };
    const { client } = await signedIn({}, { lock });
    await client.getAccessToken('https://api.example.com');
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('rt-1')));
    assert.deepEqual(keys, [`logto-refresh:${base64url.encode(digest)}`]);
  });
});

describe('organization tokens: configuration and refusals', () => {
  it('requires the organizations scope for getAccessToken with an organization too', async () => {
    const { client, provider } = await signedIn();
    await rejectsWith(client.getAccessToken('https://api.example.com', 'org-acme'), 'invalid_config');
    assert.equal(provider.tokenRequests.length, 1, 'only the code exchange');
  });

  it('narrows an organization token without a resource', async () => {
    const { client, provider } = await signedIn({ scopes: [UserScope.Organizations] });
    await client.getAccessToken(undefined, { organizationId: 'org-acme', scopes: ['read:data'] });
    const request = provider.tokenRequests.at(-1);
    assert.equal(request?.get('organization_id'), 'org-acme');
    assert.equal(request?.get('scope'), 'read:data');
  });

  it('tells a missing organizations scope from a missing membership', async () => {
    const { client, provider } = await signedIn({ scopes: [UserScope.Organizations] });
    provider.tokenHandler = () => json({ error: 'insufficient_scope' }, 403);
    await assert.rejects(client.getOrganizationToken('org-acme'), {
      code: 'organization_access_denied',
      message: /lacks the organizations scope/,
    });
    provider.tokenHandler = () => json({ error: 'access_denied' }, 403);
    await assert.rejects(client.getOrganizationToken('org-acme'), {
      code: 'organization_access_denied',
      message: /not a member/,
    });
  });

  it('leaves other refusals, and refusals of tokens without organization, as token_request_failed', async () => {
    const { client, provider } = await signedIn({ scopes: [UserScope.Organizations] });
    provider.tokenHandler = () => json({ error: 'invalid_target' }, 400);
    await rejectsWith(client.getOrganizationToken('org-acme'), 'token_request_failed');
    for (const error of ['access_denied', 'insufficient_scope']) {
      provider.tokenHandler = () => json({ error }, 403);
      await rejectsWith(client.getAccessToken('https://api.example.com'), 'token_request_failed');
    }
  });
});
