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
import { once } from 'node:events';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { createAccessTokenVerifier } from '@logto-kit/api';
import { requireAuth } from '@logto-kit/express';
import autocannon from 'autocannon';
import express, { type RequestHandler } from 'express';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { derSignatureOf } from '../packages/api/src/signature.node.ts';
import { type Alg, audience, generateKey, hashOf, signToken, startJwksServer } from './local-provider.ts';
import { targetMark } from './targets.ts';

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

/** What {@link interleaved} measured. */
interface Interleaved {
  /** Operations per second of each case, from its 10th-percentile batch. */
  rates: Record<string, number>;
  /**
   * How fast `of` runs relative to `to` (above 1: faster): the median over the rounds of `to`'s
   * time per operation divided by `of`'s, the two batches of a round having run a few milliseconds
   * apart, so that a machine slowed down for a while by other work slows both alike.
   */
  relative(of: string, to: string): number;
}

/**
 * The cases take turns batch by batch for `ms` milliseconds, in a rotating order, so that all of
 * them run under the same conditions. Each case's rate comes from its 10th-percentile batch;
 * the ratio of two cases comes from the rounds, pair by pair (see {@link Interleaved.relative}).
 */
async function interleaved(cases: Record<string, () => Promise<number> | number>, ms: number): Promise<Interleaved> {
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
  const percentile = (values: number[], at: number) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length * at)] ?? Number.NaN;
  return {
    rates: Object.fromEntries(Object.entries(batches).map(([name, perOp]) => [name, 1000 / percentile(perOp, 0.1)])),
    relative(of, to) {
      const ofTimes = batches[of] ?? [];
      const toTimes = batches[to] ?? [];
      return percentile(
        ofTimes.map((time, round) => (toTimes[round] ?? Number.NaN) / time),
        0.5,
      );
    },
  };
}

const poolSize = 2000;
// Each algorithm is measured in several new processes, each for this long, and the median process
// counts: two copies of the same function, measured alike, differ by up to 2% in one process, by
// another amount in the next (the machine code V8 makes of each and where it lands).
const processes = 5;
const ceilingMs = 2000;
const joseMs = 1500;

async function freshTokens(alg: Alg): Promise<Record<string, number>> {
  const key = generateKey(alg);
  const provider = await startJwksServer([key]);
  const tokens = Array.from({ length: poolSize }, (_, i) => signToken(key, provider.issuer, `t${i}`));

  // A bare key: `crypto.verify` given `{ key, dsaEncoding }` spends nearly a third of an ES256 check
  // on trying the options as a key first, so the least a verifier does passes ECDSA signatures as
  // DER (converted as @logto-kit/api converts them, into a reused buffer).
  const verifyKey = key.publicKey;
  const signatureForNode = alg.startsWith('ES') ? derSignatureOf : (signature: Uint8Array) => signature;

  // The ceiling: only the signature check, on bytes decoded in advance.
  const raw = tokens.map((token) => {
    const dot = token.lastIndexOf('.');
    return {
      input: Buffer.from(token.slice(0, dot)),
      signature: Buffer.from(signatureForNode(Buffer.from(token.slice(dot + 1), 'base64url'))),
    };
  });

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
      if (!verify(hashOf[alg], input, verifyKey, signatureForNode(Buffer.from(signature, 'base64url')))) {
        throw new Error('failed');
      }
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
  const againstCeiling = await interleaved(
    { 'crypto.verify': ceiling, 'decode + crypto.verify + JSON.parse': decodeAndVerify, '@logto-kit/api': ours },
    ceilingMs,
  );
  const againstJose = await interleaved({ '@logto-kit/api': ours, 'jose jwtVerify': jose }, joseMs);
  provider.server.close();
  return {
    ...againstCeiling.rates,
    '@logto-kit/api / (decode + crypto.verify + JSON.parse)': againstCeiling.relative(
      '@logto-kit/api',
      'decode + crypto.verify + JSON.parse',
    ),
    '@logto-kit/api / crypto.verify': againstCeiling.relative('@logto-kit/api', 'crypto.verify'),
    '@logto-kit/api / jose jwtVerify': againstJose.relative('@logto-kit/api', 'jose jwtVerify'),
  };
}

/** `freshTokens(alg)` in a new process: each result, then the median over {@link processes} processes. */
async function freshTokensInProcesses(
  alg: Alg,
): Promise<{ median: Record<string, number>; each: Record<string, number>[] }> {
  const each: Record<string, number>[] = [];
  for (let run = 0; run < processes; run += 1) {
    const child = spawn(
      process.execPath,
      ['--conditions=@logto-kit/source', new URL(import.meta.url).pathname, 'fresh-process', alg],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`the ${alg} measurement process exited (${code})`);
    each.push(JSON.parse(output) as Record<string, number>);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  const names = Object.keys(each[0] ?? {});
  return {
    median: Object.fromEntries(names.map((name) => [name, median(each.map((r) => r[name] ?? Number.NaN))])),
    each,
  };
}

async function freshTokenVerification(): Promise<void> {
  console.log(
    `\n(b) A new token on every verification (pool of ${poolSize}), in process, one core; cases interleaved batch by batch (${ceilingMs / 1000} s against crypto.verify, ${joseMs / 1000} s against jose); rates from each case's 10th-percentile batch, ratios the median over rounds of adjacent batches; each the median of ${processes} processes`,
  );
  const rows: Record<string, string | number>[] = [];
  const results: [Alg, Record<string, number>, Record<string, number>[]][] = [];
  for (const alg of ['ES384', 'ES256', 'RS256'] as const) {
    const { median: result, each } = await freshTokensInProcesses(alg);
    const ours = result['@logto-kit/api'] ?? 0;
    rows.push({
      alg,
      'crypto.verify/s': Math.round(result['crypto.verify'] ?? 0),
      'decode+verify+parse/s': Math.round(result['decode + crypto.verify + JSON.parse'] ?? 0),
      '@logto-kit/api/s': Math.round(ours),
      'jose jwtVerify/s': Math.round(ours / (result['@logto-kit/api / jose jwtVerify'] ?? Number.NaN)),
    });
    results.push([alg, result, each]);
  }
  console.table(rows);
  const target = '@logto-kit/api / (decode + crypto.verify + JSON.parse)';
  for (const [alg, result, each] of results) {
    const ratio = (name: string) => result[name] ?? Number.NaN;
    report(`${alg}: ${target}`, ratio(target), 0.97);
    console.log(
      `    each process: ${each.map((r) => (r[target] ?? Number.NaN).toFixed(3)).join(', ')}; beside it: @logto-kit/api / raw crypto.verify = ${ratio('@logto-kit/api / crypto.verify').toFixed(3)}×; @logto-kit/api / jose jwtVerify = ${ratio('@logto-kit/api / jose jwtVerify').toFixed(2)}×`,
    );
  }
}

function report(name: string, ratio: number, target: number): void {
  console.log(`  ${name} = ${ratio.toFixed(3)}× (target ≥ ${target}×) ${targetMark(ratio >= target)}`);
}

if (process.argv[2] === 'serve') {
  const [, , , kind, issuer, jwksUri] = process.argv;
  serve(kind as ServerKind, issuer ?? '', jwksUri ?? '');
} else if (process.argv[2] === 'fresh-process') {
  process.stdout.write(JSON.stringify(await freshTokens(process.argv[3] as Alg)));
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
