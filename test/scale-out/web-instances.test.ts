/**
 * Several web-app instances (separate processes) behind one public URL, sharing sessions in the
 * machine's real Redis through a TCP proxy the test can cut: a sign-in at one instance is seen
 * by the other, a burst of requests with an expired access token refreshes exactly once at the
 * provider, and a Redis outage answers 503 without signing anyone out.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type DevServer, startDevServer } from '@logto-kit/dev-server';
import { demoWorldFor } from '@logto-kit/dev-server/testing';
import { Redis } from 'ioredis';
import pg from 'pg';
import { AppCookies, type AppInstance, get, percentile, signInAcross, startInstance, TcpProxy } from './support.ts';

// The instances' shared public URL: redirect URIs are compared as strings and never fetched, so
// the test plays the load balancer and sends each request to the instance it chooses.
const publicUrl = 'http://app.scale-out.test';
const secret = 'scale-out-test-session-secret-0123456789abcdef';
const redisPrefix = `logto-kit-test:${randomBytes(6).toString('hex')}:`;
const accessTokenSeconds = 120;

let devServer: DevServer;
let proxy: TcpProxy;
let redisA: AppInstance;
let redisB: AppInstance;
let cookieOnly: AppInstance;
const refreshRequests = { succeeded: 0, failed: 0 };

function isRefresh(ctx: unknown): boolean {
  const params = (ctx as { oidc?: { params?: { grant_type?: unknown } } }).oidc?.params;
  return params?.grant_type === 'refresh_token';
}

before(async () => {
  devServer = await startDevServer({
    port: 0,
    memory: true,
    lifetimes: { accessToken: accessTokenSeconds },
    config: demoWorldFor(publicUrl),
  });
  // Every refresh that reaches the token endpoint, whatever its outcome.
  devServer.provider.on('grant.success', (ctx: unknown) => {
    if (isRefresh(ctx)) refreshRequests.succeeded += 1;
  });
  devServer.provider.on('grant.error', (ctx: unknown) => {
    if (isRefresh(ctx)) refreshRequests.failed += 1;
  });
  proxy = await TcpProxy.start(6379);
  const common = { endpoint: devServer.url, baseUrl: publicUrl, secret };
  [redisA, redisB, cookieOnly] = await Promise.all([
    startInstance({ ...common, redisPort: proxy.port, redisPrefix }),
    startInstance({ ...common, redisPort: proxy.port, redisPrefix }),
    startInstance(common),
  ]);
});

after(async () => {
  await Promise.all([redisA?.stop(), redisB?.stop(), cookieOnly?.stop()]);
  await proxy?.close();
  await devServer?.close();
  const redis = new Redis({ host: '127.0.0.1', port: 6379 });
  const keys = await redis.keys(`${redisPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

async function whoami(instance: AppInstance, cookies: AppCookies): ReturnType<typeof get> {
  return get(`${instance.url}/whoami`, cookies, { accept: 'application/json' });
}

describe('web-app instances sharing a Redis session store', () => {
  it('a sign-in started at one instance completes at the other and is seen by both', async () => {
    const cookies = await signInAcross(redisA, redisB, publicUrl);
    for (const instance of [redisA, redisB]) {
      const answer = await whoami(instance, cookies);
      assert.equal(answer.status, 200, answer.body);
      assert.ok(JSON.parse(answer.body).sub);
    }
    const pids = new Set(
      await Promise.all(
        [redisA, redisB].map(async (instance) => JSON.parse((await whoami(instance, cookies)).body).pid),
      ),
    );
    assert.equal(pids.size, 2, 'two processes answered');
    assert.equal((await whoami(redisA, new AppCookies())).status, 401, 'no cookie, no session');
  });

  it('200 concurrent requests over both instances with an expired access token refresh exactly once', async () => {
    const cookies = await signInAcross(redisA, redisA, publicUrl);
    const warm = await get(`${redisB.url}/token`, cookies, { accept: 'application/json' });
    assert.equal(warm.status, 200, warm.body);
    const before = { ...refreshRequests };

    // Ten minutes later by the clients' clocks: the cached 120 s access token has expired.
    await Promise.all([redisA, redisB].map((instance) => instance.setClockOffset(10 * 60 * 1000)));
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, n) =>
        get(`${(n % 2 ? redisA : redisB).url}/token`, cookies, { accept: 'application/json' }),
      ),
    );
    const refreshes = refreshRequests.succeeded - before.succeeded + (refreshRequests.failed - before.failed);
    const statuses = new Map<number, number>();
    for (const answer of answers) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    const tokens = new Set(answers.map((answer) => (answer.status === 200 ? JSON.parse(answer.body).token : '')));
    console.log(
      `scale-out: 200 concurrent requests over 2 instances with an expired access token → ${refreshes} refresh request(s) at the token endpoint; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    assert.deepEqual([...statuses], [[200, 200]], 'every request succeeded: no sign-out, no error');
    assert.equal(refreshes, 1, 'exactly one refresh reached the provider');
    assert.equal(tokens.size, 1, 'everyone got the one refreshed token');
    assert.notEqual([...tokens][0], JSON.parse(warm.body).token, 'it is a new token');
    // Still signed in afterwards, at both instances.
    for (const instance of [redisA, redisB]) assert.equal((await whoami(instance, cookies)).status, 200);
    await Promise.all([redisA, redisB].map((instance) => instance.setClockOffset(0)));
  });

  it('answers 503 while Redis is unreachable and serves the same session again once it is back', async () => {
    const cookies = await signInAcross(redisB, redisA, publicUrl);
    assert.equal((await whoami(redisA, cookies)).status, 200);
    proxy.cut();
    try {
      const api = await whoami(redisA, cookies);
      assert.equal(api.status, 503, api.body);
      assert.match(api.contentType, /json/);
      const page = await get(`${redisB.url}/whoami`, cookies, { accept: 'text/html' });
      assert.equal(page.status, 503);
      assert.match(page.contentType, /html/);
      assert.match(page.body, /unavailable/i);
      const signInPage = await get(`${redisB.url}/sign-in`, cookies, { accept: 'text/html' });
      assert.equal(signInPage.status, 503, 'no sign-in can start without the store either');
    } finally {
      proxy.restore();
    }
    // The clients reconnect by themselves; bounded wait for it.
    for (const instance of [redisA, redisB]) {
      let answer = await whoami(instance, cookies);
      for (let attempt = 0; attempt < 200 && answer.status === 503; attempt += 1)
        answer = await whoami(instance, cookies);
      assert.equal(answer.status, 200, 'recovered, still signed in');
    }
  });

  it('measures request latency: Redis store vs cookie sessions', async () => {
    const redisCookies = await signInAcross(redisA, redisA, publicUrl);
    const cookieCookies = await signInAcross(cookieOnly, cookieOnly, publicUrl);
    const rounds = 300;
    const measure = async (instance: AppInstance, cookies: AppCookies, count = rounds): Promise<number[]> => {
      const times: number[] = [];
      for (let n = 0; n < count; n += 1) {
        const started = performance.now();
        const answer = await whoami(instance, cookies);
        times.push(performance.now() - started);
        assert.equal(answer.status, 200);
      }
      return times;
    };
    await measure(redisA, redisCookies, 50); // warm-up
    await measure(cookieOnly, cookieCookies, 50);
    const chunksBefore = proxy.chunksRelayed;
    const redisTimes = await measure(redisA, redisCookies);
    const redisChunks = proxy.chunksRelayed - chunksBefore;
    const cookieTimes = await measure(cookieOnly, cookieCookies);
    const format = (times: number[]) =>
      `p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms`;
    console.log(`scale-out: authenticated request latency over ${rounds} sequential requests each`);
    console.log(`scale-out:   Redis session store  ${format(redisTimes)}`);
    console.log(`scale-out:   cookie session       ${format(cookieTimes)}`);
    // What was measured is the store: every Redis-backed request read the session from Redis.
    assert.ok(redisChunks >= rounds, `${redisChunks} Redis requests for ${rounds} requests`);
    // A session read from a local Redis costs well under a millisecond; the bound leaves room for a
    // loaded machine but fails if the store adds a round trip of its own per request (or a delay).
    const overhead = percentile(redisTimes, 50) - percentile(cookieTimes, 50);
    assert.ok(overhead < 10, `the Redis store adds ${overhead.toFixed(2)} ms per request at the median`);
  });
});

describe('web-app instances sharing a PostgreSQL session store (and the Redis refresh lock)', () => {
  const schema = `logto_kit_scale_${randomBytes(6).toString('hex')}`;
  let pgA: AppInstance;
  let pgB: AppInstance;

  before(async () => {
    const options = {
      endpoint: devServer.url,
      baseUrl: publicUrl,
      secret,
      redisPort: 6379,
      redisPrefix: `${redisPrefix}pg:`,
      postgresTable: `${schema}.sessions`,
    };
    await withPostgres((client) => client.query(`CREATE SCHEMA "${schema}"`));
    [pgA, pgB] = await Promise.all([startInstance(options), startInstance(options)]);
  });

  after(async () => {
    await Promise.all([pgA?.stop(), pgB?.stop()]);
    await withPostgres((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  });

  it('share a sign-in, and a burst over both with an expired access token refreshes once', async () => {
    const cookies = await signInAcross(pgA, pgB, publicUrl);
    for (const instance of [pgA, pgB]) assert.equal((await whoami(instance, cookies)).status, 200);
    assert.equal((await get(`${pgA.url}/token`, cookies, { accept: 'application/json' })).status, 200);
    const before = refreshRequests.succeeded + refreshRequests.failed;
    await Promise.all([pgA, pgB].map((instance) => instance.setClockOffset(10 * 60 * 1000)));
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, n) =>
        get(`${(n % 2 ? pgA : pgB).url}/token`, cookies, { accept: 'application/json' }),
      ),
    );
    const refreshes = refreshRequests.succeeded + refreshRequests.failed - before;
    console.log(
      `scale-out: PostgreSQL sessions, 100 concurrent requests over 2 instances → ${refreshes} refresh request(s)`,
    );
    assert.deepEqual(
      answers.map((answer) => answer.status).filter((status) => status !== 200),
      [],
    );
    assert.equal(refreshes, 1);
    assert.equal(new Set(answers.map((answer) => JSON.parse(answer.body).token)).size, 1);
  });
});

async function withPostgres<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
