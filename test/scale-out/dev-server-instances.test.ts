/**
 * Two dev-server instances on one PostgreSQL database (a fresh schema per run), behind a load
 * balancer the test steers: one issuer, one signing key, and the authorization-code flow works
 * across instances (authorize at A, redeem the code and refresh at B, refresh again at A).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LogtoClient, MemoryStorage } from '@logto-kit/client';
import { type DevServer, startDevServer } from '@logto-kit/dev-server';
import { CookieJar, signInThroughForms } from '@logto-kit/dev-server/testing';
import pg from 'pg';

const schema = `logto_kit_scale_${randomBytes(6).toString('hex')}`;
const database = `postgres://postgres@127.0.0.1:5432/test?schema=${schema}`;

type Name = 'A' | 'B';
let a: DevServer;
let b: DevServer;
let balancer: Server;
let publicUrl: string;
/** Which instance serves a request; by default they alternate. */
let route: (req: IncomingMessage) => Name | undefined = () => undefined;
const served: { name: Name; path: string }[] = [];

async function startBalancer(): Promise<Server> {
  let turn = 0;
  const server = createServer((req, res) => {
    const name = route(req) ?? (turn++ % 2 === 0 ? 'A' : 'B');
    served.push({ name, path: new URL(req.url ?? '/', 'http://x').pathname });
    const target = name === 'A' ? a : b;
    const upstream = request(
      {
        host: '127.0.0.1',
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'x-forwarded-proto': 'http', 'x-forwarded-host': req.headers.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

before(async () => {
  balancer = await startBalancer();
  publicUrl = `http://127.0.0.1:${(balancer.address() as AddressInfo).port}`;
  // Started together on an empty schema: the first signing key must be created once.
  [a, b] = await Promise.all([
    startDevServer({ port: 0, host: '127.0.0.1', database, issuerBaseUrl: publicUrl }),
    startDevServer({ port: 0, host: '127.0.0.1', database, issuerBaseUrl: publicUrl }),
  ]);
});

after(async () => {
  await Promise.all([a?.close(), b?.close()]);
  balancer?.closeAllConnections();
  await new Promise((resolve) => balancer?.close(resolve));
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

async function jwks(server: DevServer): Promise<unknown> {
  return (await fetch(`http://127.0.0.1:${server.port}/oidc/jwks`)).json();
}

describe('two dev-server instances on one PostgreSQL database', () => {
  it('serve one issuer with the same single signing key', async () => {
    const [keysA, keysB] = await Promise.all([jwks(a), jwks(b)]);
    assert.deepEqual(keysA, keysB);
    assert.equal((keysA as { keys: unknown[] }).keys.length, 1, 'one key, though both started at once');
    assert.equal(a.issuer, b.issuer);
  });

  it('authorize at A, redeem the code and refresh at B, refresh again at A', async () => {
    const client = new LogtoClient(
      {
        endpoint: publicUrl,
        appId: 'sample-web-app',
        appSecret: 'sample-web-app-secret',
        scopes: ['shopping:read', 'store:read'],
        resources: ['https://shopping.your-app.com/api', 'https://store.your-app.com/api'],
      },
      { storage: new MemoryStorage() },
    );
    let tokenAt: Name = 'B';
    route = (req) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/oidc/auth') return 'A';
      if (path === '/oidc/token') return tokenAt;
      return undefined;
    };
    served.length = 0;
    const authorizationUrl = await client.signIn('http://localhost:3000/callback');
    const callbackUrl = await signInThroughForms(
      authorizationUrl,
      { username: 'demo', password: 'demo-password' },
      { cookieJar: new CookieJar() },
    );
    await client.handleSignInCallback(callbackUrl);
    const signInPages = served.filter((entry) => entry.path === '/sign-in' || entry.path.startsWith('/interaction'));
    assert.ok(new Set(signInPages.map((entry) => entry.name)).size === 2, 'the sign-in pages were served by both');
    assert.ok(served.some((entry) => entry.path === '/oidc/auth' && entry.name === 'A'));
    assert.ok(
      served.some((entry) => entry.path === '/oidc/token' && entry.name === 'B'),
      'the code was redeemed at B',
    );
    const sub = (await client.getIdTokenClaims()).sub;

    const refreshToken = await client.getRefreshToken();
    const shopping = await client.getAccessTokenClaims('https://shopping.your-app.com/api');
    assert.equal(shopping.sub, sub);
    // A confidential app's refresh token is not rotated before 70% of its lifetime, as in Logto.
    assert.equal(await client.getRefreshToken(), refreshToken, 'B handed the same refresh token back');

    tokenAt = 'A';
    const store = await client.getAccessTokenClaims('https://store.your-app.com/api');
    assert.equal(store.sub, sub, 'A accepts the refresh token B used');
    assert.deepEqual(
      served.filter((entry) => entry.path === '/oidc/token').map((entry) => entry.name),
      ['B', 'B', 'A'],
    );
    route = () => undefined;
  });

  it('logto-kit dev --database starts an instance on the same database, with the same keys', async () => {
    const bin = fileURLToPath(new URL('../../packages/dev-server/src/cli.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--conditions=@logto-kit/source', bin, 'dev', '--port', '0', '--host', '127.0.0.1', '--database', database],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let output = '';
      const issuer = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /issuer\s+(\S+)/.exec(output);
          if (match?.[1]) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`the CLI exited with ${code}: ${output}`)));
      });
      assert.match(output, /storage\s+PostgreSQL postgres:\/\/postgres@127\.0\.0\.1:5432\/test/);
      assert.deepEqual(await (await fetch(`${issuer}/jwks`)).json(), await jwks(a));
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  });
});
