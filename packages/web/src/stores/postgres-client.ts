/**
 * The little of a PostgreSQL client the session store uses, structurally, so
 * `@logto-kit/express` depends on no PostgreSQL library: pass your own `pg` `Pool`.
 */

/** A query result: its rows and how many rows the statement touched. */
export interface PgQueryResult {
  rows: Record<string, unknown>[];
  rowCount: number | null;
}

/** A `pg` `Pool` (or `Client`), or anything with its `query(text, values)`. */
export interface PgPoolLike {
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
}

/**
 * Quotes a table name given as `name` or `schema.name`; refuses anything else, since an
 * identifier cannot be a query parameter.
 */
export function quoteTableName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/.test(name)) {
    throw new TypeError(
      `Invalid table name ${JSON.stringify(name)}: use letters, digits and underscores, optionally "schema.table".`,
    );
  }
  return name
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');
}

/** Whether a `CREATE … IF NOT EXISTS` lost a race with another instance creating the same thing. */
export function isConcurrentCreate(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // unique_violation (on the catalog), duplicate_table, duplicate_object
  return code === '23505' || code === '42P07' || code === '42710';
}
