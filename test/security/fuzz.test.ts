// Property-based fuzzing (fast-check) of every parser that reads attacker-controlled input:
// the Authorization header, the sign-in callback URL, the session cookie, access tokens, and
// return-to targets. At least 10 000 generated inputs per target. Providers are in-process fakes
// behind an injected `fetch`, so the runs stay fast. A failure prints its seed and path, and
// FUZZ_SEED / FUZZ_PATH replay it (see test/fixtures/fuzz-seed.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiAuthError, createAccessTokenVerifier, extractBearerToken } from '@logto-kit/api';
import { JwksCache, LogtoClient, LogtoError, MemoryStorage, verifyIdToken } from '@logto-kit/client';
import { CookieSealer, parseCookieHeader, SessionManager, safeReturnTo } from '@logto-kit/express';
import fc from 'fast-check';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { fuzzParameters } from '../fixtures/fuzz-seed.ts';

const numRuns = 10_000;
const b64 = (text: string) => Buffer.from(text).toString('base64url');

/** Characters that matter to URL, header, cookie and JWT parsers, to bias generated strings. */
const interesting = fc.constantFrom(
  '/',
  '\\',
  '%',
  '%2F',
  '%2f',
  '%5C',
  '%25',
  '%09',
  '%0a',
  '%00',
  '\t',
  '\n',
  '\r',
  ' ',
  '\u0000',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '@',
  ':',
  '.',
  '..',
  '?',
  '#',
  '=',
  ';',
  ',',
  '"',
  "'",
  'evil.example',
  'http',
  'https://',
  'javascript:',
  'data:',
  'Bearer',
  'bearer',
  'Basic',
  'eyJ',
  'a',
  'Z',
  '0',
  '-',
  '_',
  '+',
  '~',
);
const biasedString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.oneof(interesting, fc.string({ maxLength: 3 })), { maxLength: 14 }).map((pieces) => pieces.join('')),
);

describe('security fuzzing (fast-check, 10 000 runs per target)', () => {
  it('Authorization header parser: only a well-formed Bearer header yields a token; anything else is one of the three ApiAuthError codes', () => {
    const header = fc.oneof(
      biasedString,
      fc
        .tuple(fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Token', ''), biasedString, biasedString)
        .map(([scheme, gap, token]) => `${scheme}${gap}${token}`),
      fc.constant(undefined),
      fc.constant(null),
    );
    fc.assert(
      fc.property(header, (value) => {
        let token: string;
        try {
          token = extractBearerToken(value);
        } catch (error) {
          assert.ok(error instanceof ApiAuthError, `only ApiAuthError, got ${String(error)}`);
          assert.ok(
            [
              'auth.authorization_header_missing',
              'auth.authorization_token_invalid_format',
              'auth.authorization_token_type_not_supported',
            ].includes(error.code),
          );
          assert.equal(error.status, 401);
          return;
        }
        assert.ok(token.length > 0);
        assert.doesNotMatch(token, /\s/);
        assert.match(String(value).trim(), /^bearer\s+\S+$/i);
      }),
      fuzzParameters(numRuns),
    );
  });

  it('return-to validator: nothing accepted resolves off-origin, for any base URL', () => {
    const bases = ['https://app.example', 'http://127.0.0.1:3000/some/deep/page', 'https://app.example:8443/a?b#c'];
    const pathPieces = fc
      .array(fc.constantFrom('/', '.', '..', '\\', '%2F', '%5C', '%2E', 'evil.example', '@', ':', '\t', 'a'), {
        maxLength: 8,
      })
      .map((pieces) => pieces.join(''));
    const target = fc.oneof(
      pathPieces,
      pathPieces.map((value) => `/${value}`),
      biasedString,
      biasedString.map((value) => `/${value}`),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      biasedString.map((value) => encodeURIComponent(value)),
    );
    fc.assert(
      fc.property(target, (value) => {
        const accepted = safeReturnTo(value);
        if (accepted === undefined) return;
        assert.ok(accepted.startsWith('/'), accepted);
        for (const base of bases) {
          assert.equal(
            new URL(accepted, base).origin,
            new URL(base).origin,
            `${JSON.stringify(accepted)} from ${base}`,
          );
        }
        // A second pass (e.g. the callback re-checking the stored target) accepts it unchanged.
        assert.equal(safeReturnTo(accepted), accepted);
      }),
      // Found by this property: dot-segment removal exposed an encoded `//`.
      fuzzParameters(numRuns, { examples: [['/../%2F'], ['/a/../%2F%2Fevil.example'], ['/./%5Cevil.example']] }),
    );
  });

  it('cookie decoder: arbitrary Cookie headers and mutated sealed cookies never throw and never open a session', async () => {
    const secret = 'fuzzing-session-secret-0123456789abcdef';
    const manager = new SessionManager({ secrets: [secret] });
    const sealer = new CookieSealer({ secrets: [secret] });
    const valid = await sealer.seal('logto_session', { idToken: 'x'.repeat(50) }, Date.now() + 3_600_000);
    const mutated = fc
      .tuple(fc.nat({ max: valid.length - 1 }), fc.string({ minLength: 0, maxLength: 3 }), fc.nat({ max: 3 }))
      .map(([index, insert, remove]) => `${valid.slice(0, index)}${insert}${valid.slice(index + remove)}`)
      .filter((value) => value !== valid);
    const header = fc.oneof(
      biasedString,
      biasedString.map((value) => `logto_session=${value}`),
      mutated.map((value) => `logto_session=${value}`),
      fc
        .tuple(mutated, biasedString)
        .map(([first, second]) => `logto_session=${first}; logto_session.1=${second}; other=1`),
    );
    await fc.assert(
      fc.asyncProperty(header, async (value) => {
        const session = await manager.load({ cookies: parseCookieHeader(value), secure: false });
        if (session.keys().length === 0) return;
        // The only way in is the very same sealed bytes: the original split differently across
        // chunks, or spelled differently in base64url's unused trailing bits.
        const cookies = parseCookieHeader(value);
        let joined = cookies.get('logto_session') ?? '';
        for (let index = 1; cookies.has(`logto_session.${index}`); index += 1) {
          joined += cookies.get(`logto_session.${index}`);
        }
        const opened = await sealer.unseal('logto_session', joined);
        assert.ok(opened.ok);
        assert.deepEqual(opened.value, { idToken: 'x'.repeat(50) });
      }),
      fuzzParameters(numRuns),
    );
  });

  it('access-token verifier: arbitrary strings and mutated valid tokens are never accepted, and fail only with ApiAuthError', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    const issuer = 'https://fuzz.example/oidc';
    const audience = 'https://api.fuzz.example';
    const jwksFetch = (async () =>
      Response.json({ keys: [{ ...jwk, kid, alg: 'ES256', use: 'sig' }] })) as unknown as typeof fetch;
    const verifier = createAccessTokenVerifier(
      { issuer, jwksUri: 'https://fuzz.example/oidc/jwks' },
      { audience, fetch: jwksFetch, cache: false },
    );
    const now = Math.floor(Date.now() / 1000);
    const valid = await new SignJWT({
      iss: issuer,
      sub: 'user-1',
      aud: audience,
      iat: now,
      exp: now + 3600,
      scope: 'a',
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
      .sign(privateKey);
    await verifier.verify(valid); // the unmutated token is accepted: the mutations below are what is refused

    const alphabet = fc.constantFrom(
      ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ '.split(''),
    );
    const mutatedToken = fc
      .tuple(fc.nat({ max: valid.length - 1 }), fc.array(alphabet, { maxLength: 3 }), fc.nat({ max: 2 }))
      .map(([index, insert, remove]) => `${valid.slice(0, index)}${insert.join('')}${valid.slice(index + remove)}`)
      .filter((token) => token !== valid);
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const structured = fc
      .tuple(fc.jsonValue(), fc.jsonValue(), fc.boolean())
      .map(
        ([h, p, keepSignature]) =>
          `${b64(JSON.stringify(h) ?? '')}.${b64(JSON.stringify(p) ?? '')}.${keepSignature ? signature : ''}`,
      );
    const reassembled = fc.constantFrom(
      `${header}.${payload}`,
      `${header}..${signature}`,
      `.${payload}.${signature}`,
      `${header}.${payload}.${signature}.${signature}`,
      `${b64('{"alg":"none","typ":"at+jwt"}')}.${payload}.`,
      `${header}.${payload}.${signature.slice(0, -2)}`,
    );
    const token = fc.oneof(biasedString, mutatedToken, mutatedToken, structured, reassembled);
    await fc.assert(
      fc.asyncProperty(token, async (candidate) => {
        try {
          await verifier.verify(candidate);
        } catch (error) {
          assert.ok(error instanceof ApiAuthError, `only ApiAuthError, got ${String(error)}`);
          assert.equal(error.code, 'invalid_token');
          return;
        }
        assert.fail(`accepted a token that was not issued: ${candidate}`);
      }),
      fuzzParameters(numRuns),
    );
  });

  it('ID-token verifier: mutated and re-shaped valid ID tokens are never accepted, and fail only with LogtoError', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    const issuer = 'https://id-token-fuzz.example/oidc';
    const jwks = new JwksCache(`${issuer}/jwks`, {
      fetch: (async () =>
        Response.json({ keys: [{ ...jwk, kid, alg: 'ES256', use: 'sig' }] })) as unknown as typeof fetch,
    });
    const expected = { issuer, clientId: 'fuzz-app', jwks, nonce: 'nonce-1', now: Date.now, clockToleranceSeconds: 60 };
    const now = Math.floor(Date.now() / 1000);
    const valid = await new SignJWT({
      iss: issuer,
      sub: 'user-1',
      aud: 'fuzz-app',
      iat: now,
      exp: now + 3600,
      nonce: 'nonce-1',
    })
      .setProtectedHeader({ alg: 'ES256', kid })
      .sign(privateKey);
    await verifyIdToken(valid, expected); // the unmutated token is accepted: the mutations below are what is refused

    const alphabet = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.='.split(''));
    const mutated = fc
      .tuple(fc.nat({ max: valid.length - 1 }), fc.array(alphabet, { maxLength: 3 }), fc.nat({ max: 2 }))
      .map(([index, insert, remove]) => `${valid.slice(0, index)}${insert.join('')}${valid.slice(index + remove)}`);
    const [, , signature] = valid.split('.') as [string, string, string];
    const reshaped = fc
      .tuple(fc.jsonValue(), fc.jsonValue())
      .map(([h, p]) => `${b64(JSON.stringify(h) ?? '')}.${b64(JSON.stringify(p) ?? '')}.${signature}`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated, mutated, reshaped, biasedString), async (candidate) => {
        // Base64url's unused trailing bits may spell the same bytes differently: the same token, not a forgery.
        const sameToken =
          candidate.split('.').length === 3 &&
          candidate.split('.').every((part, index) => {
            const original = valid.split('.')[index] ?? '';
            return (
              Buffer.from(part, 'base64url').equals(Buffer.from(original, 'base64url')) && /^[A-Za-z0-9_-]*$/.test(part)
            );
          });
        try {
          await verifyIdToken(candidate, expected);
        } catch (error) {
          assert.ok(error instanceof LogtoError, `only LogtoError, got ${String(error)}`);
          return;
        }
        assert.ok(sameToken, `accepted an ID token that was not issued: ${candidate}`);
      }),
      fuzzParameters(numRuns),
    );
  });

  it('sign-in callback: only the sign-in it answers, with a valid ID token signed by a published key, signs the user in; everything else is a LogtoError', async () => {
    const endpoint = 'https://callback-fuzz.example';
    const issuer = `${endpoint}/oidc`;
    const redirectUri = 'https://app.example/callback';
    const appId = 'fuzz-app';
    const trusted = await generateKeyPair('ES256', { extractable: true });
    const attacker = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = await exportJWK(trusted.publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    let tokenAnswer: { status: number; body: string } = { status: 400, body: '{"error":"invalid_grant"}' };
    const fetchImpl = (async (input: RequestInfo | URL) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.endsWith('/.well-known/openid-configuration')) {
        return Response.json({
          issuer,
          authorization_endpoint: `${issuer}/auth`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
        });
      }
      if (url.endsWith('/jwks')) return Response.json({ keys: [{ ...publicJwk, kid, alg: 'ES256', use: 'sig' }] });
      return new Response(tokenAnswer.body, { status: tokenAnswer.status });
    }) as typeof fetch;
    const config = { endpoint, appId, appSecret: 'fuzz-secret' };

    /** An ID token for the sign-in in progress: all right, or wrong in exactly one way. */
    const idTokenShape = fc.constantFrom(
      'valid',
      'signed by another key',
      'another issuer',
      'another audience',
      'another nonce',
      'expired',
      'no subject',
    );
    type IdTokenShape = typeof idTokenShape extends fc.Arbitrary<infer T> ? T : never;
    const signIdToken = (shape: IdTokenShape, nonce: string) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        iss: shape === 'another issuer' ? `${issuer}/` : issuer,
        aud: shape === 'another audience' ? 'another-app' : appId,
        nonce: shape === 'another nonce' ? `${nonce}x` : nonce,
        iat: now - 10,
        exp: shape === 'expired' ? now - 3600 : now + 3600,
        ...(shape === 'no subject' ? {} : { sub: 'user-1' }),
      })
        .setProtectedHeader({ alg: 'ES256', kid })
        .sign((shape === 'signed by another key' ? attacker : trusted).privateKey);
    };

    const query = fc
      .array(
        fc.tuple(fc.constantFrom('code', 'state', 'iss', 'error', 'error_description', 'x', 'STATE'), biasedString),
        { maxLength: 5 },
      )
      .map((pairs) => pairs.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&'));
    const callback = fc.record({
      prefix: fc.constantFrom(
        redirectUri,
        redirectUri,
        redirectUri,
        'https://app.example/other',
        'https://evil.example/callback',
        '',
        'callback',
      ),
      query,
      raw: fc.oneof(
        fc.constant(undefined),
        fc.constant(undefined),
        biasedString,
        fc.webUrl({ withQueryParameters: true }),
      ),
      useRealState: fc.boolean(),
      answerStatus: fc.constantFrom(200, 200, 400, 500),
      answerBody: fc.oneof(
        fc.jsonValue().map((value) => JSON.stringify(value) ?? ''),
        biasedString,
        fc
          .record({
            access_token: fc.oneof(fc.string(), fc.integer()),
            token_type: fc.constantFrom('Bearer', 'bearer', 'MAC', ''),
            id_token: fc.oneof(biasedString, fc.constant(`${b64('{"alg":"ES256"}')}.${b64('{}')}.sig`)),
            expires_in: fc.oneof(fc.integer(), fc.string()),
          })
          .map((body) => JSON.stringify(body)),
      ),
      // A token response with an ID token signed for this sign-in, right or wrong in each claim.
      signed: fc.option(idTokenShape, { freq: 2 }),
    });

    const signInAndCallBack = async (run: {
      readonly prefix: string;
      readonly query: string;
      readonly raw: string | undefined;
      readonly useRealState: boolean;
      readonly answerStatus: number;
      readonly answerBody: string;
      readonly signed: IdTokenShape | null;
    }) => {
      const client = new LogtoClient(config, { storage: new MemoryStorage(), fetch: fetchImpl });
      const authorization = new URL(await client.signIn(redirectUri));
      const state = authorization.searchParams.get('state') ?? '';
      const nonce = authorization.searchParams.get('nonce') ?? '';
      const body =
        run.signed === null
          ? run.answerBody
          : JSON.stringify({
              access_token: 'access-token',
              token_type: 'Bearer',
              expires_in: 3600,
              id_token: await signIdToken(run.signed, nonce),
            });
      tokenAnswer = { status: run.answerStatus, body };
      const url =
        run.raw ?? `${run.prefix}?${run.useRealState ? `state=${encodeURIComponent(state)}&code=c&` : ''}${run.query}`;
      await client.handleSignInCallback(url);
      return url;
    };

    // The keys are real: the sign-in the callback answers, with a valid ID token, is accepted.
    await signInAndCallBack({
      prefix: redirectUri,
      query: '',
      raw: undefined,
      useRealState: true,
      answerStatus: 200,
      answerBody: '',
      signed: 'valid',
    });

    await fc.assert(
      fc.asyncProperty(callback, async (run) => {
        let url: string;
        try {
          url = await signInAndCallBack(run);
        } catch (error) {
          assert.ok(error instanceof LogtoError, `only LogtoError, got ${String(error)}`);
          return;
        }
        assert.ok(
          run.raw === undefined && run.useRealState && run.answerStatus === 200 && run.signed === 'valid',
          `a callback signed the user in without a valid ID token for its sign-in (${run.signed}): ${url}`,
        );
      }),
      fuzzParameters(numRuns),
    );
  });
});
