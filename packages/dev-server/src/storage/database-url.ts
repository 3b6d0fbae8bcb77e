import type { PostgresStoreOptions } from './postgres-store.ts';

/**
 * The PostgreSQL store options for a database URL, `postgres://user:password@host:port/database`
 * (or `postgresql://`). An optional `schema` query parameter names the schema of the dev
 * server's tables (default `logto_kit_dev`); it is not passed on to the connection.
 *
 * @throws {TypeError} when the URL is not a PostgreSQL URL.
 */
export function postgresOptionsFromUrl(databaseUrl: string): PostgresStoreOptions {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new TypeError(
      `--database must be a PostgreSQL URL such as postgres://user@localhost:5432/logto, got "${databaseUrl}"`,
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new TypeError(`--database must be a postgres:// or postgresql:// URL, got a ${url.protocol} URL`);
  }
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  return { connectionString: url.href, ...(schema === null ? {} : { schema }) };
}

/** The URL without its password, for printing. */
export function redactDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.href;
  } catch {
    return '(invalid URL)';
  }
}
