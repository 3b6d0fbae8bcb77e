// `npm run bench -- api`: what protecting an API with @logto-kit/api costs.
//
// (a) A reused token over HTTP (autocannon against an Express server in a child process): the
//     `requireAuth` route vs the same route unprotected vs express-oauth2-jwt-bearer.
//     Targets: ≥ 0.85× unprotected, ≥ 5× express-oauth2-jwt-bearer. (What `requireAuth()` adds in
//     CPU time per request on each framework: `npm run bench -- require-auth`.)
// (b) A new token on every request (in process, one core): our verification rate vs "decode +
//     crypto.verify + JSON.parse", the least any JWT verifier does, for ES384, ES256 and RS256;
//     the raw `crypto.verify` ceiling and plain `jose` `jwtVerify` printed beside it.
//     Target: ≥ 0.97× decode + crypto.verify + JSON.parse.
//
// Everything is local: generated keys, a JWKS server on port 0, no dev server.
import { type ChildProcess, spawn } from 'node:child_process';
import { verify } from 'node:crypto';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { createAccessTokenVerifier } from '@logto-kit/api';
import { requireAuth } from '@logto-kit/express';
import autocannon from 'autocannon';
import express, { type RequestHandler } from 'express';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { type Alg, audience, generateKey, hashOf, signToken, startJwksServer } from './local-provider.ts';

// ── (a) server side, run in a child process ─────────────────────────────────────────────────────

type ServerKind = 'unprotected' | 'logto-kit' | 'express-oauth2-jwt-bearer';

// Loaded without its types: it declares its own `req.auth` on Express's Request, as we do.
type Auth0Middleware = (options: Record<string, unknown>) => RequestHandler;
const loadAuth0 = () => createRequire(import.meta.url)('express-oauth2-jwt-bearer') as { auth: Auth0Middleware };

const products = [{ id: 1, name: 'Logto T-shirt', price: 25 }];

function serve(kind: ServerKind, issuer: string, jwksUri: string): void {
  const guard: RequestHandler[] =
    kind === 'logto-kit'
      ? [requireAuth({ issuer, jwksUri, audience, scopes: ['shopping:read'] })]
      : kind === 'express-oauth2-jwt-bearer'
        ? [loadAuth0().auth({ issuer, jwksUri, audience, tokenSigningAlg: 'ES384' })]
        : [];
  const app = express();
  app.get('/api/products', ...guard, (req, res) => {
    res.json({ sub: (req.auth as { sub?: string } | undefined)?.sub ?? 'anonymous', products });
  });
  const server = app.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
  });
}

function startChild(kind: ServerKind, issuer: string, jwksUri: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=@logto-kit/source', new URL(import.meta.url).pathname, 'serve', kind, issuer, jwksUri],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${kind} server exited (${code})`)));
    child.stdout?.once('data', (chunk: Buffer) => {
      child.removeAllListeners('exit');
      const { port } = JSON.parse(chunk.toString()) as { port: number };
      resolve({ child, url: `http://127.0.0.1:${port}/api/products` });
    });
  });
}

async function load(url: string, token: string, seconds: number): Promise<{ rps: number; non2xx: number }> {
  const result = await autocannon({
    url,
    connections: 32,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
  });
  return { rps: result.requests.total / seconds, non2xx: result.non2xx + result.errors };
}

async function reusedTokenOverHttp(): Promise<void> {
  const key = generateKey('ES384');
  const provider = await startJwksServer([key]);
  const token = signToken(key, provider.issuer, 'reused');
  const kinds: readonly ServerKind[] = ['unprotected', 'logto-kit', 'express-oauth2-jwt-bearer'];
  const servers = await Promise.all(kinds.map((kind) => startChild(kind, provider.issuer, provider.jwksUri)));
  const rates = new Map<ServerKind, number>();
  console.log('\n(a) One reused ES384 token, Express, autocannon 32 connections, best of 3 interleaved rounds of 3 s');
  try {
    for (const server of servers) await load(server.url, token, 1); // warm-up
    for (let round = 0; round < 3; round += 1) {
      for (const [index, kind] of kinds.entries()) {
        const { rps, non2xx } = await load(servers[index]?.url ?? '', token, 3);
        if (non2xx > 0) throw new Error(`${kind}: ${non2xx} requests did not answer 2xx; the token was refused`);
        rates.set(kind, Math.max(rates.get(kind) ?? 0, rps));
      }
    }
  } finally {
    for (const server of servers) server.child.kill();
    provider.server.close();
  }

  const unprotected = rates.get('unprotected') ?? 0;
  const ours = rates.get('logto-kit') ?? 0;
  const auth0 = rates.get('express-oauth2-jwt-bearer') ?? 0;
  console.table(kinds.map((kind) => ({ server: kind, 'requests/s': Math.round(rates.get(kind) ?? 0) })));
  report('requireAuth / unprotected', ours / unprotected, 0.85);
  report('requireAuth / express-oauth2-jwt-bearer', ours / auth0, 5);
}

// ── (b) a new token on every request, in process ────────────────────────────────────────────────

/**
 * Operations per second of each case. The cases take turns batch by batch for `ms` milliseconds, in
 * a rotating order, so that all of them run under the same conditions; each case's rate comes from
 * its 10th-percentile batch, so that batches slowed down by other processes on the machine do not
 * count.
 */
async function interleavedRates(
  cases: Record<string, () => Promise<number> | number>,
  ms: number,
): Promise<Record<string, number>> {
  const batches = Object.fromEntries(Object.keys(cases).map((name) => [name, [] as number[]]));
  const entries = Object.entries(cases);
  const start = performance.now();
  // Each round starts with the next case, so that no case always follows the same other one (and
  // finds the processor's caches as that one left them).
  for (let round = 0; performance.now() - start < ms; round += 1) {
    for (let i = 0; i < entries.length; i += 1) {
      const [name, run] = entries[(round + i) % entries.length] ?? [];
      if (name === undefined || run === undefined) continue;
      const batchStart = performance.now();
      const count = await run();
      batches[name]?.push((performance.now() - batchStart) / count);
    }
  }
  const fast = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 10)] ?? Number.NaN;
  return Object.fromEntries(Object.entries(batches).map(([name, perOp]) => [name, 1000 / fast(perOp)]));
}

const poolSize = 2000;

async function freshTokens(alg: Alg): Promise<Record<string, number>> {
  const key = generateKey(alg);
  const provider = await startJwksServer([key]);
  const tokens = Array.from({ length: poolSize }, (_, i) => signToken(key, provider.issuer, `t${i}`));

  // The ceiling: only the signature check, on bytes decoded in advance.
  const raw = tokens.map((token) => {
    const dot = token.lastIndexOf('.');
    return { input: Buffer.from(token.slice(0, dot)), signature: Buffer.from(token.slice(dot + 1), 'base64url') };
  });
  const verifyKey = alg.startsWith('ES') ? { key: key.publicKey, dsaEncoding: 'ieee-p1363' as const } : key.publicKey;

  // Default settings, but a cache half the pool's size: cycling through the pool, a token comes back
  // only after 2000 others, beyond the cache's reach, so every verification is a miss, as with a new
  // token on every request.
  const verifier = createAccessTokenVerifier(
    { issuer: provider.issuer, jwksUri: provider.jwksUri },
    { audience, cache: { maxEntries: poolSize / 2 } },
  );
  const requirements = { scopes: ['shopping:read'] };
  await verifier.verify(tokens[0] ?? '', requirements); // loads the keys once

  const keySet = createLocalJWKSet({ keys: [key.jwk] });
  const joseOptions = { issuer: provider.issuer, audience, algorithms: [alg], typ: 'at+jwt' };

  // Each case walks the pool with its own cursor, so one case never warms the cache for another.
  const batch = alg === 'ES384' ? 4 : 20; // about 4 ms per batch for ES384, under 2 ms for the others
  const cursor = () => {
    let i = 0;
    return () => {
      i = (i + 1) % poolSize;
      return i;
    };
  };
  const [nextRaw, nextDecoded, nextOurs, nextJose] = [cursor(), cursor(), cursor(), cursor()];
  const ceiling = () => {
    for (let n = 0; n < batch; n += 1) {
      const { input, signature } = raw[nextRaw()] ?? raw[0]!;
      if (!verify(hashOf[alg], input, verifyKey, signature)) throw new Error('raw verify failed');
    }
    return batch;
  };
  // The least any JWT verifier does: decode the token, check its signature, parse its payload; no
  // header, claim or scope check, no result.
  const decodeAndVerify = () => {
    for (let n = 0; n < batch; n += 1) {
      const token = tokens[nextDecoded()] ?? '';
      const [header = '', payload = '', signature = ''] = token.split('.');
      const input = Buffer.from(`${header}.${payload}`, 'latin1');
      if (!verify(hashOf[alg], input, verifyKey, Buffer.from(signature, 'base64url'))) throw new Error('failed');
      JSON.parse(Buffer.from(payload, 'base64url').toString());
    }
    return batch;
  };
  const ours = async () => {
    for (let n = 0; n < batch; n += 1) await verifier.verify(tokens[nextOurs()] ?? '', requirements);
    return batch;
  };
  const jose = async () => {
    for (let n = 0; n < batch; n += 1) await jwtVerify(tokens[nextJose()] ?? '', keySet, joseOptions);
    return batch;
  };

  // Each comparison interleaves only its own cases, so that the garbage one library leaves behind is
  // not collected in another's batches.
  const againstCeiling = await interleavedRates(
    { 'crypto.verify': ceiling, 'decode + crypto.verify + JSON.parse': decodeAndVerify, '@logto-kit/api': ours },
    4000,
  );
  const againstJose = await interleavedRates({ '@logto-kit/api': ours, 'jose jwtVerify': jose }, 3000);
  provider.server.close();
  return {
    ...againstCeiling,
    'jose jwtVerify / @logto-kit/api':
      (againstJose['jose jwtVerify'] ?? Number.NaN) / (againstJose['@logto-kit/api'] ?? Number.NaN),
  };
}

async function freshTokenVerification(): Promise<void> {
  console.log(
    `\n(b) A new token on every verification (pool of ${poolSize}), in process, one core; cases interleaved batch by batch (4 s against crypto.verify, 3 s against jose), 10th-percentile batch`,
  );
  const rows: Record<string, string | number>[] = [];
  const ratios: [Alg, number, number, number][] = [];
  for (const alg of ['ES384', 'ES256', 'RS256'] as const) {
    const result = await freshTokens(alg);
    const ceiling = result['crypto.verify'] ?? 0;
    const decoded = result['decode + crypto.verify + JSON.parse'] ?? 0;
    const ours = result['@logto-kit/api'] ?? 0;
    const joseShare = result['jose jwtVerify / @logto-kit/api'] ?? Number.NaN;
    rows.push({
      alg,
      'crypto.verify/s': Math.round(ceiling),
      'decode+verify+parse/s': Math.round(decoded),
      '@logto-kit/api/s': Math.round(ours),
      'jose jwtVerify/s': Math.round(ours * joseShare),
    });
    ratios.push([alg, ours / ceiling, decoded / ceiling, 1 / joseShare]);
  }
  console.table(rows);
  for (const [alg, ofCeiling, decodedOfCeiling, ofJose] of ratios) {
    report(`${alg}: @logto-kit/api / (decode + crypto.verify + JSON.parse)`, ofCeiling / decodedOfCeiling, 0.97);
    console.log(
      `    beside it: @logto-kit/api / raw crypto.verify = ${ofCeiling.toFixed(3)}×; decode + crypto.verify + JSON.parse alone / raw crypto.verify = ${decodedOfCeiling.toFixed(3)}×; @logto-kit/api / jose jwtVerify = ${ofJose.toFixed(2)}×`,
    );
  }
}

function report(name: string, ratio: number, target: number): void {
  console.log(`  ${name} = ${ratio.toFixed(3)}× (target ≥ ${target}×) ${ratio >= target ? '✔' : '✖'}`);
}

if (process.argv[2] === 'serve') {
  const [, , , kind, issuer, jwksUri] = process.argv;
  serve(kind as ServerKind, issuer ?? '', jwksUri ?? '');
} else {
  // `npm run bench -- api:fresh` (or `api:reused`) runs one part only.
  const only = process.argv[2];
  if (only !== undefined && only !== 'fresh' && only !== 'reused') {
    console.error(`unknown part "${only}" of the api benchmark: use fresh or reused`);
    process.exit(1);
  }
  if (only !== 'fresh') await reusedTokenOverHttp();
  if (only !== 'reused') await freshTokenVerification();
}
