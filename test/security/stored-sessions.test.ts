// Server-side sessions against someone who can write to the store (a shared Redis or PostgreSQL)
// and against a repeated callback: a stored value the library did not seal for that session id
// reads as absent, and one pending sign-in redeems its code at most once. Real Redis and
// PostgreSQL; every run uses its own key prefix and schema.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { StorageKey } from '@logto-kit/client';
import { MemoryStore, PostgresStore, RedisStore, type SessionStore } from '@logto-kit/express';
import { Redis } from 'ioredis';
import pg from 'pg';
import { encodeJson, type HostileProvider, startHostileProvider } from '../fixtures/hostile-provider.ts';
import { Browser, sessionSecret, startWebApp } from './web-harness.ts';

const run = randomBytes(6).toString('hex');
const redisPrefix = `logto-kit-test:${run}:stored:`;
const schema = `logto_kit_stored_${run}`;
let redis: Redis;
let pool: pg.Pool;
let provider: HostileProvider;

before(async () => {
  redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  await redis.connect();
  pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 4 });
  await pool.query(`CREATE SCHEMA ${schema}`);
  provider = await startHostileProvider();
});

after(async () => {
  const keys = await redis.keys(`logto-kit-test:${run}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await pool.query(`DROP SCHEMA ${schema} CASCADE`);
  await pool.end();
  await provider.close();
});

/** Raw access to one store's entries, as someone with write access to the backend has it. */
interface Backend {
  readonly name: string;
  store(): SessionStore;
  /** The ids of the entries now held. */
  ids(): Promise<string[]>;
  /** The raw text held for `id` (whatever its format). */
  read(id: string): Promise<string>;
  /** Replaces the raw text held for `id`. */
  write(id: string, raw: string): Promise<void>;
  /** A raw value in the store's plain (unsealed) format holding `data`. */
  plain(data: Record<string, string>): string;
}

let tables = 0;
function redisBackend(): Backend {
  tables += 1;
  const prefix = `${redisPrefix}${tables}:`;
  return {
    name: 'Redis',
    store: () => new RedisStore({ client: redis, prefix }),
    ids: async () => (await redis.keys(`${prefix}*`)).map((key) => key.slice(prefix.length)),
    read: async (id) => (await redis.get(`${prefix}${id}`))!,
    write: async (id, raw) => {
      await redis.set(`${prefix}${id}`, raw, 'PX', 600_000);
    },
    plain: (data) => `1\n${JSON.stringify(data)}`,
  };
}

function postgresBackend(): Backend {
  tables += 1;
  const table = `${schema}.sessions_${tables}`;
  return {
    name: 'PostgreSQL',
    store: () => new PostgresStore({ pool, tableName: table }),
    ids: async () => {
      // The store creates its table on its first write: no table, no entry.
      const exists = (await pool.query('SELECT to_regclass($1) AS t', [table])).rows[0]?.t;
      return exists ? (await pool.query(`SELECT id FROM ${table}`)).rows.map((row) => String(row.id)) : [];
    },
    read: async (id) => String((await pool.query(`SELECT data FROM ${table} WHERE id = $1`, [id])).rows[0]?.data),
    write: async (id, raw) => {
      await pool.query(`UPDATE ${table} SET data = $2 WHERE id = $1`, [id, raw]);
    },
    plain: (data) => JSON.stringify(data),
  };
}

/** An unsigned ID token (`alg: none`) for `sub`, from the provider's issuer to the app. */
function unsignedIdToken(claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: provider.issuer, aud: provider.clientId, iat: now, exp: now + 3600, ...claims };
  return `${encodeJson({ alg: 'none', typ: 'JWT' })}.${encodeJson(payload)}.`;
}

/** The `sub` the app shows for the browser, or its status when it shows none. */
async function shownAs(browser: Browser): Promise<string | number> {
  const me = await browser.get('/me');
  return me.status === 200 ? String((JSON.parse(me.body) as { sub?: unknown }).sub) : me.status;
}

async function signedIn(
  app: { url: string },
  backend: Backend,
  known: Set<string>,
  sub?: string,
): Promise<[Browser, string]> {
  const browser = new Browser(app.url);
  provider.misbehave = sub ? { idTokenClaims: ({ claims }) => ({ ...claims, sub }) } : {};
  const { callback } = await browser.signIn();
  provider.misbehave = {};
  assert.equal(callback?.status, 302);
  // Claims of completed sign-ins (`claim.…`) are not sessions.
  const id = (await backend.ids()).find((candidate) => !known.has(candidate) && !candidate.startsWith('claim.'));
  assert.ok(id, 'the signed-in session has a store entry');
  known.add(id);
  return [browser, id];
}

for (const makeBackend of [redisBackend, postgresBackend]) {
  describe(`security: values in a shared ${makeBackend === redisBackend ? 'Redis' : 'PostgreSQL'} store`, () => {
    it('treats a stored value replaced by an unsealed one (alg none ID token, another sub, no sub) as absent', async () => {
      const backend = makeBackend();
      const app = await startWebApp(provider, { session: { secrets: [sessionSecret], store: backend.store() } });
      try {
        const [attacker, id] = await signedIn(app, backend, new Set());
        const own = await shownAs(attacker);
        assert.equal(typeof own, 'string', 'signed in as themselves first');
        for (const claims of [{ sub: 'someone-else' }, {}]) {
          await backend.write(id, backend.plain({ [StorageKey.IdToken]: unsignedIdToken(claims) }));
          assert.equal(await shownAs(attacker), 401, `forged ${JSON.stringify(claims)}`);
        }
        const [, another] = await signedIn(app, backend, new Set([id]));
        assert.doesNotMatch(await backend.read(another), /logto\.idToken|eyJ/, 'no token is readable in the store');
      } finally {
        await app.close();
      }
    });

    it('keeps the store empty under a flood of 2000 anonymous sign-in starts, and the last one still completes', async () => {
      const backend = makeBackend();
      const app = await startWebApp(provider, { session: { secrets: [sessionSecret], store: backend.store() } });
      try {
        const flood = 2000;
        for (let sent = 0; sent < flood; sent += 50) {
          await Promise.all(
            Array.from({ length: 50 }, async () => {
              const response = await fetch(`${app.url}/sign-in`, { redirect: 'manual' });
              await response.arrayBuffer();
              assert.equal(response.status, 302);
            }),
          );
        }
        const held = (await backend.ids()).length;
        console.log(`${backend.name} store after ${flood} anonymous sign-in starts: ${held} entries`);
        assert.equal(held, 0);
        const browser = new Browser(app.url);
        const { callback } = await browser.signIn();
        assert.equal(callback?.status, 302);
        assert.equal(typeof (await shownAs(browser)), 'string', 'signed in');
      } finally {
        await app.close();
      }
    });

    it('treats a sealed value moved to another session id as absent', async () => {
      const backend = makeBackend();
      const app = await startWebApp(provider, { session: { secrets: [sessionSecret], store: backend.store() } });
      try {
        const known = new Set<string>();
        const [victim, victimId] = await signedIn(app, backend, known, 'victim');
        const [attacker, attackerId] = await signedIn(app, backend, known, 'attacker');
        const victimSub = await shownAs(victim);
        assert.equal(victimSub, 'victim');
        assert.equal(await shownAs(attacker), 'attacker');
        await backend.write(attackerId, await backend.read(victimId));
        assert.equal(await shownAs(attacker), 401);
        assert.equal(await shownAs(victim), victimSub, 'the victim is unaffected');
      } finally {
        await app.close();
      }
    });

    it('keeps stored sessions across a secret rotation (new secret first, old one kept) and drops them once the old one is removed', async () => {
      const backend = makeBackend();
      const oldSecret = sessionSecret;
      const newSecret = 'rotated-session-secret-0123456789abcdef';
      const first = await startWebApp(provider, { session: { secrets: [oldSecret], store: backend.store() } });
      const [browser] = await signedIn(first, backend, new Set());
      const sub = await shownAs(browser);
      await first.close();
      const rotated = await startWebApp(provider, {
        session: { secrets: [newSecret, oldSecret], store: backend.store() },
      });
      try {
        const moved = new Browser(rotated.url);
        for (const [name, value] of browser.cookies()) moved.cookies().set(name, value);
        assert.equal(await shownAs(moved), sub, 'still signed in after the rotation');
      } finally {
        await rotated.close();
      }
      // Both the cookie's id and the stored value were sealed with the old secret only.
      const dropped = await startWebApp(provider, { session: { secrets: [newSecret], store: backend.store() } });
      try {
        const moved = new Browser(dropped.url);
        for (const [name, value] of browser.cookies()) moved.cookies().set(name, value);
        assert.equal(await shownAs(moved), 401);
      } finally {
        await dropped.close();
      }
    });
  });
}

/** Sends the same callback `count` times at once with the browser's cookies; the answers in order. */
async function concurrentCallbacks(browser: Browser, callbackUrl: string, count: number): Promise<Response[]> {
  const cookie = [...browser.cookies()].map(([name, value]) => `${name}=${value}`).join('; ');
  return Promise.all(
    Array.from({ length: count }, () => fetch(callbackUrl, { redirect: 'manual', headers: { cookie } })),
  );
}

const sessionKinds: [string, () => SessionStore | undefined][] = [
  ['a Redis store', () => redisBackend().store()],
  ['a PostgreSQL store', () => postgresBackend().store()],
  ['a memory store', () => new MemoryStore()],
  ['cookie sessions', () => undefined],
];

for (const [kind, makeStore] of sessionKinds) {
  describe(`security: a repeated callback with ${kind}`, () => {
    it('exchanges the code once for 5 identical concurrent callbacks; one signs in, the others change no cookie, and the winner’s session keeps working', async () => {
      const store = makeStore();
      const app = await startWebApp(provider, { session: { secrets: [sessionSecret], ...(store ? { store } : {}) } });
      try {
        const browser = new Browser(app.url);
        const callbackUrl = await browser.startSignIn();
        const tokenRequests = provider.hits.token;
        const answers = await concurrentCallbacks(browser, callbackUrl, 5);
        assert.equal(provider.hits.token - tokenRequests, 1, 'one token request');
        const winners = answers.filter((answer) => answer.status === 302);
        assert.equal(winners.length, 1);
        for (const loser of answers.filter((answer) => answer.status !== 302)) {
          assert.equal(loser.status, 400);
          assert.deepEqual(loser.headers.getSetCookie(), [], 'a loser sets no cookie');
        }
        const winner = new Browser(app.url);
        for (const line of winners[0]!.headers.getSetCookie()) {
          const [pair = ''] = line.split(';');
          const separator = pair.indexOf('=');
          if (pair.slice(separator + 1)) winner.cookies().set(pair.slice(0, separator), pair.slice(separator + 1));
        }
        assert.equal((await winner.get('/me')).status, 200);
        assert.equal((await winner.get('/me/api-token')).status, 200, 'the refresh token works');
      } finally {
        await app.close();
      }
    });
  });
}
