// The JWT attack catalogue against the API guard, over HTTP, through every adapter: the
// `requireAuth` of Express, Hono (on @hono/node-server) and Fastify, and the fetch-style
// `authenticateRequest`. One row per vector: the Authorization header to send and the expected
// status, code and WWW-Authenticate challenge.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { getRequestListener } from '@hono/node-server';
import {
  type AccessTokenVerifier,
  ApiAuthError,
  authErrorResponse,
  authenticateRequest,
  createAccessTokenVerifier,
} from '@logto-kit/api';
import { requireAuth } from '@logto-kit/express';
import { requireAuth as fastifyRequireAuth } from '@logto-kit/fastify';
import { requireAuth as honoRequireAuth } from '@logto-kit/hono';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { SignJWT } from 'jose';
import {
  encodeJson,
  type HostileKey,
  type HostileProvider,
  signRaw,
  startHostileProvider,
} from '../fixtures/hostile-provider.ts';

const audience = 'https://api.security.test';
const readScope = 'read:things';

/** What a row can build its Authorization header from. */
interface Context {
  readonly provider: HostileProvider;
  /** A key the provider does not publish. */
  readonly attacker: HostileKey;
  /** A valid access token for the things API, with claims and header changed. */
  token(claims?: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  /** Honest claims, changed. */
  claims(overrides?: Record<string, unknown>): Record<string, unknown>;
  /** One valid token for the things API, made once and sent twice before the rows run, so it is in the verified-token cache. */
  readonly accepted: string;
}

interface Expectation {
  readonly status: number;
  readonly code: string;
  /** The WWW-Authenticate header: exact string or pattern. */
  readonly challenge: string | RegExp;
}

interface AttackRow {
  readonly name: string;
  /** The route: the things API (default) or the projects of organization `org-a`. */
  readonly route?: 'things' | 'organization';
  readonly authorization: (context: Context) => Promise<string | undefined> | string | undefined;
  readonly expect: Expectation | 'accepted';
}

const invalidToken: Expectation = { status: 401, code: 'invalid_token', challenge: /^Bearer error="invalid_token"/ };
const bearer = (token: string) => `Bearer ${token}`;
const b64 = (text: string) => Buffer.from(text).toString('base64url');
const seconds = () => Math.floor(Date.now() / 1000);

/** The header and payload of a token `ctx.token()` would make, as JSON text, for hand-built variants. */
function parts(context: Context, claims: Record<string, unknown> = context.claims()) {
  const { provider } = context;
  return {
    header: { alg: provider.signingKey.alg, typ: 'at+jwt', kid: provider.signingKey.kid },
    payload: claims,
  };
}

/** A correctly signed token whose payload names `aud` twice: `first`, then `last`. */
function duplicateAud(context: Context, first: string, last: string): string {
  const { header, payload } = parts(context);
  const { aud: _aud, ...rest } = payload;
  const json = `{"aud":${JSON.stringify(first)},${JSON.stringify(rest).slice(1, -1)},"aud":${JSON.stringify(last)}}`;
  return bearer(signRaw(`${encodeJson(header)}.${b64(json)}`, context.provider.signingKey));
}

const rows: readonly AttackRow[] = [
  { name: 'a valid access token', authorization: (c) => bearer(c.accepted), expect: 'accepted' },
  {
    name: 'a valid token from the verified-token cache at a route for an organization',
    route: 'organization',
    authorization: (c) => bearer(c.accepted),
    expect: invalidToken,
  },
  {
    name: 'a valid organization token',
    route: 'organization',
    authorization: async (c) => bearer(await c.token({ aud: 'urn:logto:organization:org-a', scope: 'read:projects' })),
    expect: 'accepted',
  },
  {
    name: 'no Authorization header',
    authorization: () => undefined,
    expect: { status: 401, code: 'auth.authorization_header_missing', challenge: 'Bearer' },
  },
  {
    name: 'the Basic scheme',
    authorization: () => `Basic ${btoa('user:password')}`,
    expect: {
      status: 401,
      code: 'auth.authorization_token_type_not_supported',
      challenge: /^Bearer error="invalid_request"/,
    },
  },
  {
    name: 'a header of one part',
    authorization: async (c) => await c.token(),
    expect: {
      status: 401,
      code: 'auth.authorization_token_invalid_format',
      challenge: /^Bearer error="invalid_request"/,
    },
  },
  {
    name: 'three header parts',
    authorization: async (c) => `Bearer ${await c.token()} extra`,
    expect: {
      status: 401,
      code: 'auth.authorization_token_invalid_format',
      challenge: /^Bearer error="invalid_request"/,
    },
  },
  {
    name: 'alg: none',
    authorization: (c) => bearer(`${encodeJson({ alg: 'none', typ: 'at+jwt' })}.${encodeJson(c.claims())}.`),
    expect: invalidToken,
  },
  {
    name: 'HS256 keyed with the public key (key confusion)',
    authorization: async (c) =>
      bearer(
        await new SignJWT(c.claims())
          .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: c.provider.signingKey.kid })
          .sign(new TextEncoder().encode(c.provider.signingKey.publicPem)),
      ),
    expect: invalidToken,
  },
  {
    name: 'an embedded jwk (attacker key) under the real kid',
    authorization: async (c) =>
      bearer(
        await c.provider.sign(c.claims(), {
          key: c.attacker,
          header: { typ: 'at+jwt', kid: c.provider.signingKey.kid, jwk: c.attacker.publicJwk },
        }),
      ),
    expect: invalidToken,
  },
  {
    name: 'an embedded jwk (attacker key) under its own kid',
    authorization: async (c) =>
      bearer(
        await c.provider.sign(c.claims(), { key: c.attacker, header: { typ: 'at+jwt', jwk: c.attacker.publicJwk } }),
      ),
    expect: invalidToken,
  },
  {
    name: 'a jku pointing at the attacker’s key set',
    authorization: async (c) =>
      bearer(
        await c.provider.sign(c.claims(), {
          key: c.attacker,
          header: { typ: 'at+jwt', kid: c.attacker.kid, jku: 'https://attacker.example/jwks.json' },
        }),
      ),
    expect: invalidToken,
  },
  {
    name: 'an x5u pointing at the attacker’s certificate',
    authorization: async (c) =>
      bearer(
        await c.provider.sign(c.claims(), {
          key: c.attacker,
          header: { typ: 'at+jwt', kid: c.provider.signingKey.kid, x5u: 'https://attacker.example/cert.pem' },
        }),
      ),
    expect: invalidToken,
  },
  {
    name: 'an embedded x5c chain',
    authorization: async (c) =>
      bearer(
        await c.provider.sign(c.claims(), {
          key: c.attacker,
          header: { typ: 'at+jwt', kid: c.provider.signingKey.kid, x5c: [b64('not really a certificate')] },
        }),
      ),
    expect: invalidToken,
  },
  {
    name: 'an unknown kid',
    authorization: async (c) =>
      bearer(await c.provider.sign(c.claims(), { key: c.attacker, header: { typ: 'at+jwt' } })),
    expect: invalidToken,
  },
  {
    name: 'a wrong iss',
    authorization: async (c) => bearer(await c.token({ iss: 'https://evil.example/oidc' })),
    expect: invalidToken,
  },
  {
    name: 'the issuer as an array',
    authorization: async (c) => bearer(await c.token({ iss: [c.provider.issuer] })),
    expect: invalidToken,
  },
  {
    name: 'a wrong aud',
    authorization: async (c) => bearer(await c.token({ aud: 'https://other-api.example' })),
    expect: invalidToken,
  },
  { name: 'an empty aud array', authorization: async (c) => bearer(await c.token({ aud: [] })), expect: invalidToken },
  {
    name: 'an expired token',
    authorization: async (c) => bearer(await c.token({ iat: seconds() - 7200, exp: seconds() - 3600 })),
    expect: invalidToken,
  },
  {
    name: 'a non-numeric exp',
    authorization: async (c) => bearer(await c.token({ exp: String(seconds() + 3600) })),
    expect: invalidToken,
  },
  {
    name: 'a missing exp',
    authorization: async (c) => bearer(await c.token({ exp: undefined })),
    expect: invalidToken,
  },
  {
    name: 'an nbf in the future',
    authorization: async (c) => bearer(await c.token({ nbf: seconds() + 3600 })),
    expect: invalidToken,
  },
  {
    name: 'an ID token used as an access token',
    authorization: async (c) => bearer(await c.token({ aud: audience, nonce: 'n', scope: undefined }, { typ: 'JWT' })),
    expect: invalidToken,
  },
  {
    name: 'an access token without typ',
    authorization: async (c) => bearer(await c.token({}, { typ: undefined })),
    expect: invalidToken,
  },
  {
    name: 'a crit header, correctly signed',
    authorization: (c) => {
      const { header, payload } = parts(c);
      return bearer(
        signRaw(`${encodeJson({ ...header, crit: ['exp'], exp: 1 })}.${encodeJson(payload)}`, c.provider.signingKey),
      );
    },
    expect: invalidToken,
  },
  {
    name: 'malformed base64 in the header',
    authorization: async (c) => bearer(`!!!${(await c.token()).slice(3)}`),
    expect: invalidToken,
  },
  {
    name: 'non-canonical base64url (padding), correctly signed',
    authorization: (c) => {
      const { header, payload } = parts(c);
      return bearer(signRaw(`${encodeJson(header)}.${encodeJson(payload)}==`, c.provider.signingKey));
    },
    expect: invalidToken,
  },
  {
    name: 'non-canonical base64url (standard alphabet), correctly signed',
    authorization: (c) => {
      const { header } = parts(c);
      // A `~` in a claim value makes `_` or `-` likely; spelling them `/` and `+` is still decodable.
      const canonical = encodeJson(c.claims({ note: '~~~???>>>' }));
      const payload = canonical.replace(/_/g, '/').replace(/-/g, '+');
      assert.notEqual(payload, canonical);
      return bearer(signRaw(`${encodeJson(header)}.${payload}`, c.provider.signingKey));
    },
    expect: invalidToken,
  },
  {
    name: 'a JSON-array payload, correctly signed',
    authorization: (c) => {
      const { header, payload } = parts(c);
      return bearer(signRaw(`${encodeJson(header)}.${encodeJson([payload])}`, c.provider.signingKey));
    },
    expect: invalidToken,
  },
  {
    // RFC 7519 §4 / RFC 7515 §5.2: duplicate names are either refused or the lexically last one
    // is used. logto-kit uses the last one (ECMAScript JSON.parse), consistently: these two rows pin it.
    name: 'a duplicate aud whose last value is another API, correctly signed',
    authorization: (c) => duplicateAud(c, audience, 'https://other-api.example'),
    expect: invalidToken,
  },
  {
    name: 'a duplicate aud whose last value is this API, correctly signed (the last one counts)',
    authorization: (c) => duplicateAud(c, 'https://other-api.example', audience),
    expect: 'accepted',
  },
  {
    name: 'a duplicate iss whose last value is another issuer, correctly signed',
    authorization: (c) => {
      const { header, payload } = parts(c);
      const json = JSON.stringify(payload).replace(/\}$/, ',"iss":"https://evil.example/oidc"}');
      return bearer(signRaw(`${encodeJson(header)}.${b64(json)}`, c.provider.signingKey));
    },
    expect: invalidToken,
  },
  {
    name: 'a duplicate alg whose last value is none, correctly signed',
    authorization: (c) => {
      const { header, payload } = parts(c);
      const headerJson = JSON.stringify(header).replace(/\}$/, ',"alg":"none"}');
      return bearer(signRaw(`${b64(headerJson)}.${encodeJson(payload)}`, c.provider.signingKey));
    },
    expect: invalidToken,
  },
  {
    name: 'a nested JWE (five parts)',
    authorization: () =>
      bearer(
        [
          encodeJson({ alg: 'RSA-OAEP', enc: 'A256GCM', cty: 'JWT' }),
          b64('key'),
          b64('iv'),
          b64('cipher'),
          b64('tag'),
        ].join('.'),
      ),
    expect: invalidToken,
  },
  {
    name: 'a 9 KB token (over the 8 KB limit), correctly signed',
    authorization: async (c) => bearer(await c.token({ padding: 'x'.repeat(9 * 1024) })),
    expect: invalidToken,
  },
  {
    name: 'a missing sub',
    authorization: async (c) => bearer(await c.token({ sub: undefined })),
    expect: invalidToken,
  },
  {
    name: 'an organization token for another organization',
    route: 'organization',
    authorization: async (c) => bearer(await c.token({ aud: 'urn:logto:organization:org-b', scope: 'read:projects' })),
    expect: invalidToken,
  },
  {
    name: 'a scope that only contains the required one as a substring',
    authorization: async (c) => bearer(await c.token({ scope: 'read:things2 xread:things read:thing' })),
    expect: {
      status: 403,
      code: 'insufficient_scope',
      challenge: /^Bearer error="insufficient_scope", error_description="[^"]*", scope="read:things"$/,
    },
  },
  {
    name: 'a scope claim that is an array, not a space-separated string',
    authorization: async (c) => bearer(await c.token({ scope: [readScope] })),
    expect: invalidToken,
  },
  {
    name: 'a missing scope',
    authorization: async (c) => bearer(await c.token({ scope: 'write:things' })),
    expect: {
      status: 403,
      code: 'insufficient_scope',
      challenge: /^Bearer error="insufficient_scope", error_description="[^"]*", scope="read:things"$/,
    },
  },
];

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly challenge: string | null;
}

interface Adapter {
  readonly name: string;
  start(verifier: AccessTokenVerifier): Promise<Server>;
}

const adapters: readonly Adapter[] = [
  {
    name: 'requireAuth (Express)',
    async start(verifier) {
      const app = express();
      app.get('/things', requireAuth({ verifier, scopes: [readScope] }), (req, res) => {
        res.json({ sub: req.auth?.sub });
      });
      app.get(
        '/organizations/:id/projects',
        requireAuth({ verifier, organizationId: (req) => req.params.id, scopes: ['read:projects'] }),
        (req, res) => {
          res.json({ sub: req.auth?.sub });
        },
      );
      return listen(createServer(app));
    },
  },
  {
    name: 'requireAuth (Hono on @hono/node-server)',
    async start(verifier) {
      const app = new Hono();
      app.get('/things', honoRequireAuth({ verifier, scopes: [readScope] }), (c) => c.json({ sub: c.get('auth').sub }));
      app.get(
        '/organizations/:id/projects',
        honoRequireAuth({ verifier, organizationId: (c) => c.req.param('id'), scopes: ['read:projects'] }),
        (c) => c.json({ sub: c.get('auth').sub }),
      );
      return listen(createServer(getRequestListener(app.fetch)));
    },
  },
  {
    name: 'requireAuth (Fastify)',
    async start(verifier) {
      const app = Fastify();
      app.get('/things', { preHandler: fastifyRequireAuth({ verifier, scopes: [readScope] }) }, async (request) => ({
        sub: request.auth?.sub,
      }));
      app.get<{ Params: { id: string } }>(
        '/organizations/:id/projects',
        {
          preHandler: fastifyRequireAuth({
            verifier,
            organizationId: (request) => (request.params as { id: string }).id,
            scopes: ['read:projects'],
          }),
        },
        async (request) => ({ sub: request.auth?.sub }),
      );
      await app.ready();
      return listen(createServer((req, res) => app.routing(req, res)));
    },
  },
  {
    name: 'authenticateRequest (fetch Request)',
    async start(verifier) {
      return listen(
        createServer((req, res) => {
          const headers = new Headers();
          for (let index = 0; index < req.rawHeaders.length; index += 2) {
            headers.append(req.rawHeaders[index]!, req.rawHeaders[index + 1]!);
          }
          const request = new Request(`http://api.test${req.url}`, { headers });
          const organization = /^\/organizations\/([^/]+)\/projects$/.exec(new URL(request.url).pathname)?.[1];
          const requirements = organization
            ? { organizationId: organization, scopes: ['read:projects'] }
            : { scopes: [readScope] };
          authenticateRequest(request, { verifier, ...requirements })
            .then(
              (auth) => Response.json({ sub: auth.sub }),
              (error: unknown) => {
                if (error instanceof ApiAuthError) return authErrorResponse(error);
                throw error;
              },
            )
            .then(async (response) => {
              res.writeHead(response.status, Object.fromEntries(response.headers));
              res.end(await response.text());
            })
            .catch(() => {
              res.writeHead(500);
              res.end('uncaught');
            });
        }),
      );
    },
  },
];

async function listen(server: Server): Promise<Server> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

async function call(server: Server, path: string, authorization: string | undefined): Promise<Answer> {
  const { port } = server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    headers: authorization === undefined ? {} : { authorization },
  });
  return { status: response.status, body: await response.text(), challenge: response.headers.get('www-authenticate') };
}

/** A GET with these raw headers (name, value, name, value…), repeated names kept. */
function callWithHeaders(server: Server, path: string, headers: string[]): Promise<{ status: number; body: string }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('security: the API guard refuses the JWT attack catalogue over HTTP', () => {
  let provider: HostileProvider;
  let context: Context;
  before(async () => {
    provider = await startHostileProvider({ alg: 'ES384' });
    const attacker = await provider.createKey('ES384');
    const claims = (overrides: Record<string, unknown> = {}) => {
      const now = seconds();
      const base: Record<string, unknown> = {
        iss: provider.issuer,
        sub: 'user-1',
        aud: audience,
        exp: now + 3600,
        iat: now,
        jti: `jti-${now}`,
        client_id: 'hostile-app',
        scope: readScope,
        ...overrides,
      };
      return Object.fromEntries(Object.entries(base).filter(([, value]) => value !== undefined));
    };
    context = {
      provider,
      attacker,
      claims,
      accepted: await provider.sign(claims(), { header: { typ: 'at+jwt' } }),
      token: (overrides = {}, header = {}) => {
        const protectedHeader = Object.fromEntries(
          Object.entries({ typ: 'at+jwt', ...header }).filter(([, value]) => value !== undefined),
        );
        return provider.sign(claims(overrides), { header: protectedHeader });
      },
    };
  });
  after(() => provider.close());

  for (const adapter of adapters) {
    describe(adapter.name, () => {
      let server: Server;
      before(async () => {
        server = await adapter.start(createAccessTokenVerifier({ endpoint: provider.endpoint }, { audience }));
        // A token is cached on its second verification.
        for (let i = 0; i < 2; i += 1)
          assert.equal((await call(server, '/things', bearer(context.accepted))).status, 200);
      });
      after(async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      });

      for (const row of rows) {
        const outcome = row.expect === 'accepted' ? 'accepts' : `refuses with ${row.expect.status} ${row.expect.code}`;
        it(`${outcome}: ${row.name}`, async () => {
          const authorization = await row.authorization(context);
          const path = row.route === 'organization' ? '/organizations/org-a/projects' : '/things';
          const answer = await call(server, path, authorization);
          if (row.expect === 'accepted') {
            assert.equal(answer.status, 200, answer.body);
            assert.deepEqual(JSON.parse(answer.body), { sub: 'user-1' });
            return;
          }
          assert.equal(answer.status, row.expect.status, answer.body);
          const body = JSON.parse(answer.body) as { code: string; message: string };
          assert.equal(body.code, row.expect.code);
          assert.equal(typeof body.message, 'string');
          if (typeof row.expect.challenge === 'string') assert.equal(answer.challenge, row.expect.challenge);
          else assert.match(answer.challenge ?? '', row.expect.challenge);
          const token = authorization?.split(' ')[1];
          if (token && token.length > 20) assert.ok(!answer.body.includes(token), 'the answer never echoes the token');
        });
      }
    });
  }

  it('never accepts two Authorization headers, the accepted token in each (Node refuses the request, or the guard does)', async () => {
    for (const adapter of adapters) {
      const server = await adapter.start(createAccessTokenVerifier({ endpoint: provider.endpoint }, { audience }));
      try {
        for (let i = 0; i < 2; i += 1)
          assert.equal((await call(server, '/things', bearer(context.accepted))).status, 200);
        const twice = ['Authorization', bearer(context.accepted), 'Authorization', bearer(context.accepted)];
        const { status, body } = await callWithHeaders(server, '/things', twice);
        assert.ok(status === 400 || status === 401, `${adapter.name}: ${status} ${body}`);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    }
  });

  it('refuses a 100 KB token: Node answers 431 over HTTP, and authenticateRequest refuses it before any crypto', async () => {
    const token = await context.token({ padding: 'x'.repeat(100 * 1024) });
    const server = await adapters[0]!.start(createAccessTokenVerifier({ endpoint: provider.endpoint }, { audience }));
    try {
      const answer = await call(server, '/things', bearer(token));
      assert.equal(answer.status, 431);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    const verifier = createAccessTokenVerifier({ endpoint: provider.endpoint }, { audience });
    const request = new Request('http://api.test/things', { headers: { authorization: bearer(token) } });
    await assert.rejects(authenticateRequest(request, { verifier, scopes: [readScope] }), (error: unknown) => {
      assert.ok(error instanceof ApiAuthError);
      assert.equal(error.code, 'invalid_token');
      assert.match(error.message, /longer than/);
      return true;
    });
  });
});
