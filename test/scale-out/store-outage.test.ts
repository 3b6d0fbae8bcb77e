/**
 * A store outage in the middle of concurrent refreshes, over two web-app instances sharing the
 * store: the provider answers a refresh, and at that moment the store is cut (a TCP proxy) for
 * ten seconds of the provider's clock, so a refresh token spent before the outage is past the
 * provider's 3-second reuse window afterwards. Whatever the requests answered meanwhile (200, or
 * 503 with `Retry-After`), every user is still signed in afterwards, at both instances, and their
 * tokens refresh again — whether the provider rotates the refresh token on every use (Logto's
 * public clients) or keeps it (Logto's confidential apps until 70% of its lifetime).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { setTimeout as pause } from 'node:timers/promises';
import { type DevServer, startDevServer } from '@logto-kit/dev-server';
import { demoWorldFor } from '@logto-kit/dev-server/testing';
import { Redis } from 'ioredis';
import pg from 'pg';
import { AppCookies, type AppInstance, get, signInAcross, startInstance, TcpProxy } from './support.ts';

const publicUrl = 'http://app.store-outage.test';
const secret = 'store-outage-test-session-secret-0123456789abcdef';
const run = randomBytes(6).toString('hex');
const redisPrefix = `logto-kit-test:${run}:outage:`;
const schema = `logto_kit_outage_${run}`;
const accessTokenSeconds = 120;
const users = 4;
/** The outage, by the provider's clock. */
const outageMs = 10_000;

after(async () => {
  const redis = new Redis({ host: '127.0.0.1', port: 6379 });
  const keys = await redis.keys(`${redisPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

function isRefresh(ctx: unknown): boolean {
  return (ctx as { oidc?: { params?: { grant_type?: unknown } } }).oidc?.params?.grant_type === 'refresh_token';
}

/** Asks again while the answer is 503 (the instances reconnect to the store by themselves). */
async function once503IsOver(ask: () => ReturnType<typeof get>): ReturnType<typeof get> {
  let answer = await ask();
  for (let attempt = 0; attempt < 250 && answer.status === 503; attempt += 1) {
    await pause(20);
    answer = await ask();
  }
  return answer;
}

async function pendingWrites(instance: AppInstance): Promise<number> {
  return JSON.parse((await get(`${instance.url}/pending`, new AppCookies())).body).pending ?? 0;
}

type StoreKind = 'Redis' | 'PostgreSQL';

async function scenario(kind: StoreKind, rotateRefreshToken: boolean): Promise<void> {
  let providerOffsetMs = 0;
  const devServer: DevServer = await startDevServer({
    port: 0,
    memory: true,
    lifetimes: { accessToken: accessTokenSeconds },
    config: demoWorldFor(publicUrl),
    now: () => Date.now() + providerOffsetMs,
    // The sample app is confidential: Logto keeps its refresh token (until 70% of its lifetime);
    // rotating on every use is what Logto does for public clients.
    rotateRefreshTokenOnEveryUse: rotateRefreshToken,
  });
  const refreshes = { succeeded: 0, failed: 0 };
  // The store goes away the moment the provider answers the first refresh of the burst.
  let outage = false;
  let proxy: TcpProxy | undefined;
  devServer.provider.on('grant.success', (ctx: unknown) => {
    if (!isRefresh(ctx)) return;
    refreshes.succeeded += 1;
    if (outage) {
      outage = false;
      proxy?.cut();
      providerOffsetMs += outageMs;
    }
  });
  devServer.provider.on('grant.error', (ctx: unknown) => {
    if (isRefresh(ctx)) refreshes.failed += 1;
  });
  const instances: AppInstance[] = [];
  try {
    const common = { endpoint: devServer.url, baseUrl: publicUrl, secret, lockTtlMs: 1000 };
    const prefix = `${redisPrefix}${kind}-${rotateRefreshToken}:`;
    if (kind === 'Redis') {
      proxy = await TcpProxy.start(6379);
      instances.push(
        ...(await Promise.all(
          [0, 1].map(() => startInstance({ ...common, redisPort: proxy!.port, redisPrefix: prefix })),
        )),
      );
    } else {
      proxy = await TcpProxy.start(5432);
      const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
      await client.connect();
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await client.end();
      const postgres = { postgresTable: `${schema}.sessions_${rotateRefreshToken}`, postgresPort: proxy.port };
      instances.push(
        ...(await Promise.all(
          [0, 1].map(() => startInstance({ ...common, ...postgres, redisPort: 6379, redisPrefix: prefix })),
        )),
      );
    }
    const [a, b] = instances as [AppInstance, AppInstance];
    const sessions: AppCookies[] = [];
    for (let user = 0; user < users; user += 1) sessions.push(await signInAcross(user % 2 ? a : b, user % 2 ? b : a));
    for (const cookies of sessions) {
      assert.equal((await get(`${a.url}/token`, cookies, { accept: 'application/json' })).status, 200);
    }

    // The cached access tokens expire; every user asks both instances at once, twice.
    await Promise.all(instances.map((instance) => instance.setClockOffset((accessTokenSeconds + 60) * 1000)));
    outage = true;
    const burst = await Promise.all(
      sessions.flatMap((cookies) =>
        [a, b, a, b].map(async (instance) => {
          const response = await fetch(`${instance.url}/token`, {
            headers: { cookie: cookies.header(), accept: 'application/json' },
          });
          await response.text();
          return { status: response.status, retryAfter: response.headers.get('retry-after') };
        }),
      ),
    );
    assert.ok(proxy.isCut, 'the outage began during the burst');
    const statuses: Record<number, number> = {};
    for (const answer of burst) statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    const kept = (await Promise.all(instances.map(pendingWrites))).reduce((sum, count) => sum + count, 0);
    assert.deepEqual(
      burst.filter((answer) => answer.status !== 200 && answer.status !== 503),
      [],
      'nobody is signed out during the outage',
    );
    for (const answer of burst.filter(({ status }) => status === 503)) assert.equal(answer.retryAfter, '5');

    // The store answers again (ten seconds later by the provider's clock).
    proxy.restore();
    for (const instance of instances) {
      let pending = await pendingWrites(instance);
      for (let attempt = 0; attempt < 250 && pending > 0; attempt += 1) {
        await pause(20);
        pending = await pendingWrites(instance);
      }
      assert.equal(pending, 0, 'the kept tokens reached the store');
    }
    const afterOutage: number[] = [];
    for (const cookies of sessions) {
      for (const instance of [b, a]) {
        const answer = await once503IsOver(() => get(`${instance.url}/token`, cookies, { accept: 'application/json' }));
        afterOutage.push(answer.status);
      }
    }
    // And their refresh tokens still work: another expiry, another refresh, at both instances.
    await Promise.all(instances.map((instance) => instance.setClockOffset((2 * accessTokenSeconds + 120) * 1000)));
    const nextRefresh: number[] = [];
    for (const cookies of sessions) {
      for (const instance of [a, b]) {
        const answer = await once503IsOver(() => get(`${instance.url}/token`, cookies, { accept: 'application/json' }));
        nextRefresh.push(answer.status);
      }
      nextRefresh.push((await get(`${b.url}/whoami`, cookies, { accept: 'application/json' })).status);
    }
    console.log(
      `store outage (${kind}, refresh token ${rotateRefreshToken ? 'rotated on every use' : 'kept'}): ${users} users × 4 concurrent requests over 2 instances → statuses ${JSON.stringify(statuses)}, ${kept} session(s) with new tokens kept in memory during the ${outageMs / 1000}-s outage; afterwards ${afterOutage.filter((status) => status === 200).length}/${afterOutage.length} token requests and ${nextRefresh.filter((status) => status === 200).length}/${nextRefresh.length} requests after another refresh succeeded; refreshes at the provider: ${refreshes.succeeded} answered, ${refreshes.failed} refused`,
    );
    assert.deepEqual(new Set(afterOutage), new Set([200]), 'still signed in after the outage, at both instances');
    assert.deepEqual(new Set(nextRefresh), new Set([200]), 'and the stored refresh tokens still work');
    assert.equal(refreshes.failed, 0, 'no refresh token was refused');
  } finally {
    await Promise.all(instances.map((instance) => instance.stop()));
    await proxy?.close();
    await devServer.close();
  }
}

for (const kind of ['Redis', 'PostgreSQL'] as const) {
  describe(`a ${kind} store outage in the middle of concurrent refreshes, two instances`, () => {
    it('keeps every user signed in with working tokens when the provider rotates the refresh token on every use', () =>
      scenario(kind, true));
    it('keeps every user signed in with working tokens when the provider keeps the refresh token', () =>
      scenario(kind, false));
  });
}
