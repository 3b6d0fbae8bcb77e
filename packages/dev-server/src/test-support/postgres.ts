// A throwaway PostgreSQL schema per test run, on the local test database, when one is reachable.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { PostgresStoreOptions } from '../storage/postgres-store.ts';

/** The local test database (trust authentication); `LOGTO_KIT_POSTGRES_URL` overrides it. */
export const postgresUrl = process.env.LOGTO_KIT_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Fails the calling test file with instructions when the test database does not answer: the
 * PostgreSQL tests never skip silently.
 */
export async function requirePostgres(): Promise<void> {
  if (await postgresAvailable()) return;
  throw new Error(
    `PostgreSQL is not reachable at ${postgresUrl}. Start it (on Debian: pg_ctlcluster <version> main start) ` +
      'or point LOGTO_KIT_POSTGRES_URL at a database the tests may use.',
  );
}

/** Whether the test database answers. */
async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh, uniquely named schema (as store options and as a `database` URL), and a function that drops it. */
export function freshSchema(): { options: PostgresStoreOptions; url: string; drop(): Promise<void> } {
  const schema = `logto_kit_test_${randomBytes(6).toString('hex')}`;
  const url = new URL(postgresUrl);
  url.searchParams.set('schema', schema);
  return {
    options: { connectionString: postgresUrl, schema },
    url: url.href,
    async drop() {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
