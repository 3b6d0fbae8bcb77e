// End-to-end refusals of a hostile identity provider: each row drives a full sign-in through
// `@logto-kit/express` (app /sign-in → provider authorize → app /callback) against a provider told
// to misbehave in one way, and checks that the user is not signed in and the error code is the
// specific one. Positive rows check that legitimate variations still sign in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StorageKey } from '@logto-kit/client';
import { SignJWT } from 'jose';
import {
  encodeJson,
  type HostileAlgorithm,
  type HostileProvider,
  type IdTokenRequest,
  type Misbehaviour,
  startHostileProvider,
} from '../fixtures/hostile-provider.ts';
import { Browser, errorCodeOf, startWebApp } from './web-harness.ts';

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Re-signs honest claims, changed by `change`, with the provider's signing key. */
const claims =
  (change: (claims: Record<string, unknown>) => Record<string, unknown>) =>
  ({ claims }: IdTokenRequest): Record<string, unknown> =>
    change({ ...claims });

const without =
  (name: string) =>
  (values: Record<string, unknown>): Record<string, unknown> => {
    const { [name]: _dropped, ...rest } = values;
    return rest;
  };

/** On refresh only. */
const onRefresh =
  (change: (claims: Record<string, unknown>) => Record<string, unknown>) =>
  ({ grant, claims }: IdTokenRequest): Record<string, unknown> =>
    grant === 'refresh_token' ? change({ ...claims }) : claims;

/**
 * An ID token signed by a key the provider does not publish, under the published key's `kid`. The
 * impostor key is made before the sign-in, so the token endpoint answers within the client's timeout.
 */
async function forgedSignature(provider: HostileProvider): Promise<Misbehaviour> {
  const impostor = await provider.createKey(provider.signingKey.alg);
  return { idToken: ({ claims }, p) => p.sign(claims, { key: impostor, header: { kid: p.signingKey.kid } }) };
}

interface RefusalRow {
  readonly name: string;
  readonly alg?: HostileAlgorithm;
  /** Where the refusal shows: the callback (default), the sign-in start, userinfo, or a token refresh. */
  readonly stage?: 'sign-in' | 'callback' | 'userinfo' | 'refresh';
  /** The misbehaviour, or how to prepare it for a provider. */
  readonly misbehave: Misbehaviour | ((provider: HostileProvider) => Promise<Misbehaviour>);
  readonly code: string;
  /** More checks of the answer that shows the refusal. */
  readonly check?: (body: string) => void;
}

const refusals: readonly RefusalRow[] = [
  {
    name: 'a bad ID-token signature (RS256)',
    alg: 'RS256',
    misbehave: forgedSignature,
    code: 'id_token_invalid_signature',
  },
  {
    name: 'a bad ID-token signature (ES256)',
    alg: 'ES256',
    misbehave: forgedSignature,
    code: 'id_token_invalid_signature',
  },
  {
    name: 'a bad ID-token signature (ES384)',
    alg: 'ES384',
    misbehave: forgedSignature,
    code: 'id_token_invalid_signature',
  },
  {
    name: 'an unsigned ID token (alg: none)',
    misbehave: { idToken: ({ claims }) => `${encodeJson({ alg: 'none', typ: 'JWT' })}.${encodeJson(claims)}.` },
    code: 'unsupported_algorithm',
  },
  {
    name: 'an ID token MACed with the client secret (HS256)',
    misbehave: {
      idToken: ({ claims }, provider) =>
        new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(provider.clientSecret)),
    },
    code: 'unsupported_algorithm',
  },
  {
    name: 'an ID token MACed with the public key (HS256 key confusion)',
    misbehave: {
      idToken: ({ claims }, provider) =>
        new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256', kid: provider.signingKey.kid })
          .sign(new TextEncoder().encode(provider.signingKey.publicPem)),
    },
    code: 'unsupported_algorithm',
  },
  {
    name: 'a wrong iss',
    misbehave: { idTokenClaims: claims((c) => ({ ...c, iss: 'https://evil.example/oidc' })) },
    code: 'id_token_invalid_claims',
  },
  { name: 'a missing aud', misbehave: { idTokenClaims: claims(without('aud')) }, code: 'id_token_invalid_claims' },
  {
    name: 'a wrong aud',
    misbehave: { idTokenClaims: claims((c) => ({ ...c, aud: 'another-app' })) },
    code: 'id_token_invalid_claims',
  },
  {
    name: 'an extra untrusted aud without azp',
    misbehave: { idTokenClaims: claims((c) => ({ ...c, aud: [c.aud, 'untrusted-app'] })) },
    code: 'id_token_invalid_claims',
  },
  {
    name: 'an extra aud with azp naming another app',
    misbehave: { idTokenClaims: claims((c) => ({ ...c, aud: [c.aud, 'untrusted-app'], azp: 'untrusted-app' })) },
    code: 'id_token_invalid_claims',
  },
  { name: 'a missing sub', misbehave: { idTokenClaims: claims(without('sub')) }, code: 'id_token_invalid_claims' },
  {
    name: 'an empty sub',
    misbehave: { idTokenClaims: claims((c) => ({ ...c, sub: '' })) },
    code: 'id_token_invalid_claims',
  },
  { name: 'a missing exp', misbehave: { idTokenClaims: claims(without('exp')) }, code: 'id_token_invalid_claims' },
  {
    name: 'an nbf in the future',
    misbehave: { idTokenClaims: claims((c) => ({ ...c, nbf: nowSeconds() + 3600 })) },
    code: 'id_token_invalid_claims',
  },
  { name: 'a missing iat', misbehave: { idTokenClaims: claims(without('iat')) }, code: 'id_token_invalid_claims' },
  {
    name: 'an iat far in the future',
    misbehave: { idTokenClaims: claims((c) => ({ ...c, iat: nowSeconds() + 3600, exp: nowSeconds() + 7200 })) },
    code: 'id_token_iat_in_future',
  },
  {
    name: 'an ID token expired beyond the clock tolerance',
    misbehave: { idTokenClaims: claims((c) => ({ ...c, iat: nowSeconds() - 3900, exp: nowSeconds() - 300 })) },
    code: 'id_token_expired',
  },
  {
    name: 'a wrong nonce',
    misbehave: { idTokenClaims: claims((c) => ({ ...c, nonce: 'attacker-nonce' })) },
    code: 'id_token_nonce_mismatch',
  },
  { name: 'a missing nonce', misbehave: { idTokenClaims: claims(without('nonce')) }, code: 'id_token_nonce_mismatch' },
  {
    name: 'a userinfo sub that differs from the ID token’s',
    stage: 'userinfo',
    misbehave: { userinfo: (body) => ({ ...body, sub: 'someone-else' }) },
    code: 'userinfo_sub_mismatch',
  },
  {
    name: 'a discovery document naming another issuer',
    stage: 'sign-in',
    misbehave: { discovery: (document) => ({ ...document, issuer: 'https://evil.example/oidc' }) },
    code: 'discovery_issuer_mismatch',
  },
  {
    name: 'a discovery document with a javascript: token endpoint',
    stage: 'sign-in',
    misbehave: { discovery: (document) => ({ ...document, token_endpoint: 'javascript:alert(1)' }) },
    code: 'discovery_failed',
  },
  {
    name: 'a provider error whose description carries HTML (shown escaped)',
    misbehave: {
      authorizationResponse: (params) => {
        params.delete('code');
        params.set('error', 'access_denied');
        params.set('error_description', '<script>alert(document.cookie)</script><img src=x onerror=alert(1)>');
      },
    },
    code: 'callback_provider_error',
    check: (body) => {
      assert.doesNotMatch(body, /<script>|<img/);
      assert.match(body, /&#60;script&#62;/);
    },
  },
  {
    name: 'an RFC 9207 iss parameter naming another issuer (advertised)',
    misbehave: {
      discovery: (document) => ({ ...document, authorization_response_iss_parameter_supported: true }),
      authorizationResponse: (params) => params.set('iss', 'https://evil.example/oidc'),
    },
    code: 'callback_iss_mismatch',
  },
  {
    name: 'a missing RFC 9207 iss parameter although advertised',
    misbehave: { discovery: (document) => ({ ...document, authorization_response_iss_parameter_supported: true }) },
    code: 'callback_iss_mismatch',
  },
  {
    name: 'an RFC 9207 iss parameter naming another issuer (not advertised)',
    misbehave: { authorizationResponse: (params) => params.set('iss', 'https://evil.example/oidc') },
    code: 'callback_iss_mismatch',
  },
  {
    name: 'a refreshed ID token with another iss',
    stage: 'refresh',
    misbehave: { idTokenClaims: onRefresh((c) => ({ ...c, iss: 'https://evil.example/oidc' })) },
    code: 'id_token_invalid_claims',
  },
  {
    name: 'a refreshed ID token with another sub',
    stage: 'refresh',
    misbehave: { idTokenClaims: onRefresh((c) => ({ ...c, sub: 'someone-else' })) },
    code: 'id_token_sub_changed',
  },
];

async function assertSignedOut(browser: Browser): Promise<void> {
  const me = await browser.get('/me');
  assert.equal(me.status, 401, 'a protected route still answers 401');
  const keys = JSON.parse((await browser.get('/session-keys')).body) as string[];
  assert.ok(!keys.includes(StorageKey.IdToken), 'the session holds no ID token');
  assert.ok(!keys.includes(StorageKey.RefreshToken), 'the session holds no refresh token');
}

async function signInHonestly(browser: Browser): Promise<void> {
  const { callback } = await browser.signIn();
  assert.equal(callback?.status, 302, `the honest sign-in succeeds: ${callback?.body}`);
  assert.equal((await browser.get('/me')).status, 200);
}

describe('security: a hostile provider cannot sign a user in (full sign-in through @logto-kit/express)', () => {
  for (const row of refusals) {
    it(`refuses ${row.name} with ${row.code}`, async () => {
      const provider = await startHostileProvider({ alg: row.alg ?? 'ES384' });
      const app = await startWebApp(provider);
      try {
        const browser = new Browser(app.url);
        const stage = row.stage ?? 'callback';
        const misbehaviour = typeof row.misbehave === 'function' ? await row.misbehave(provider) : row.misbehave;
        if (stage === 'sign-in' || stage === 'callback') {
          provider.misbehave = misbehaviour;
          const { start, callback } = await browser.signIn();
          const answer = stage === 'sign-in' ? start : callback;
          assert.ok(answer, 'the flow reached the failing step');
          assert.ok(answer.status >= 400, `refused with an error status, got ${answer.status}`);
          assert.equal(errorCodeOf(answer), row.code);
          row.check?.(answer.body);
          if (stage === 'sign-in') assert.equal(provider.hits.authorize, 0, 'no authorization request was made');
          await assertSignedOut(browser);
          return;
        }
        await signInHonestly(browser);
        provider.misbehave = misbehaviour;
        const path = stage === 'userinfo' ? '/me/userinfo' : '/me/api-token';
        const answer = await browser.get(path);
        assert.equal(answer.status, 401);
        assert.equal(errorCodeOf(answer), row.code);
        assert.doesNotMatch(answer.body, /someone-else|accessToken/, 'nothing of the hostile answer is served');
        if (row.code === 'id_token_sub_changed') await assertSignedOut(browser);
        else {
          const me = JSON.parse((await browser.get('/me')).body) as { sub: string; iss: string };
          assert.equal(me.sub, 'user-hostile-1', 'the session keeps the original user');
          assert.equal(me.iss, provider.issuer, 'the session keeps the original issuer');
        }
      } finally {
        await app.close();
        await provider.close();
      }
    });
  }
});

interface AcceptanceRow {
  readonly name: string;
  readonly run: (provider: HostileProvider, browser: Browser) => Promise<void>;
}

const acceptances: readonly AcceptanceRow[] = [
  {
    name: 'an ID token without kid when the provider publishes a single key',
    run: async (provider, browser) => {
      provider.misbehave = { idToken: ({ claims }, p) => p.sign(claims, { header: { kid: null } }) };
      await signInHonestly(browser);
    },
  },
  {
    name: 'a key rotated between two sign-ins (old key retired)',
    run: async (provider, browser) => {
      await signInHonestly(browser);
      await provider.rotate({ retire: true });
      await signInHonestly(browser);
      assert.equal(provider.hits.jwks, 2, 'the unknown kid caused exactly one JWKS refetch');
    },
  },
  {
    name: 'a key rotated just before the ID token is signed (unknown kid → one refetch)',
    run: async (provider, browser) => {
      await signInHonestly(browser);
      const before = provider.hits.jwks;
      provider.misbehave = {
        idToken: async ({ claims }, p) => {
          await p.rotate();
          return p.sign(claims);
        },
      };
      await signInHonestly(browser);
      assert.equal(provider.hits.jwks, before + 1);
    },
  },
  {
    name: 'an ID token expired within the clock tolerance (60 s)',
    run: async (provider, browser) => {
      provider.misbehave = {
        idTokenClaims: claims((c) => ({ ...c, iat: nowSeconds() - 3630, exp: nowSeconds() - 30 })),
      };
      await signInHonestly(browser);
    },
  },
  {
    name: 'an ID token issued slightly in the future, within the clock tolerance',
    run: async (provider, browser) => {
      provider.misbehave = { idTokenClaims: claims((c) => ({ ...c, iat: nowSeconds() + 30 })) };
      await signInHonestly(browser);
    },
  },
  {
    name: 'token_type "bearer" (lower case)',
    run: async (provider, browser) => {
      provider.misbehave = { tokenResponse: (body) => ({ ...body, token_type: 'bearer' }) };
      await signInHonestly(browser);
    },
  },
  {
    name: 'token_type "BEARER" (upper case)',
    run: async (provider, browser) => {
      provider.misbehave = { tokenResponse: (body) => ({ ...body, token_type: 'BEARER' }) };
      await signInHonestly(browser);
    },
  },
  {
    name: 'a token response without expires_in',
    run: async (provider, browser) => {
      provider.misbehave = { tokenResponse: ({ expires_in: _dropped, ...body }) => body };
      await signInHonestly(browser);
      const token = await browser.get('/me/api-token');
      assert.equal(token.status, 200);
    },
  },
];

describe('security: legitimate provider variations still sign in', () => {
  for (const row of acceptances) {
    it(`accepts ${row.name}`, async () => {
      const provider = await startHostileProvider();
      const app = await startWebApp(provider);
      try {
        await row.run(provider, new Browser(app.url));
      } finally {
        await app.close();
        await provider.close();
      }
    });
  }
});
