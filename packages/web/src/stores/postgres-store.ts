import type { SessionData, SessionStore, StoredSession } from '../session-store.ts';
import { isConcurrentCreate, type PgPoolLike, quoteTableName } from './postgres-client.ts';
import { parseSessionData } from './session-data.ts';
import { withBackend } from './session-store-error.ts';
import { randomVersion } from './versions.ts';

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /** Your `pg` `Pool`; the store never ends it. */
  pool: PgPoolLike;
  /** Table name, `name` or `schema.name`; created on first use. Defaults to `logto_kit_sessions`. */
  tableName?: string;
  /**
   * Bound on each query, in milliseconds (default 5000). A query that fails or takes longer
   * raises a `session_store_unavailable` `SessionStoreError` (503), never an empty session.
   */
  timeoutMs?: number;
  /** Expired rows are deleted at most this often, piggybacking on writes. Defaults to 10 minutes. */
  sweepIntervalMs?: number;
  /** Current time in milliseconds; injectable for tests. Defaults to `Date.now`. */
  now?: () => number;
}

/**
 * A {@link SessionStore} in PostgreSQL, shared by every instance of the application. Each row is
 * versioned: {@link PostgresStore.compareAndSet} is `UPDATE … WHERE version = $n` (or
 * `INSERT … ON CONFLICT`), atomic without explicit transactions. Expired rows are ignored when
 * read and swept now and then on write. The table is created on first use.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const store = new PostgresStore({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) });
 * app.use(createLogto({ ...config, session: { secrets, store } }));
 * ```
 */
export class PostgresStore implements SessionStore {
  readonly #pool: PgPoolLike;
  readonly #table: string;
  readonly #expiryIndex: string;
  readonly #timeoutMs: number;
  readonly #sweepIntervalMs: number;
  readonly #now: () => number;
  #ready: Promise<void> | undefined;
  #lastSweep = 0;

  constructor(options: PostgresStoreOptions) {
    this.#pool = options.pool;
    const tableName = options.tableName ?? 'logto_kit_sessions';
    this.#table = quoteTableName(tableName);
    this.#expiryIndex = quoteTableName(`${tableName.split('.').pop()!.slice(0, 50)}_expires_at`);
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#sweepIntervalMs = options.sweepIntervalMs ?? 10 * 60 * 1000;
    this.#now = options.now ?? Date.now;
  }

  async get(id: string): Promise<StoredSession | undefined> {
    const result = await this.#query(
      `SELECT data, version FROM ${this.#table} WHERE id = $1 AND expires_at > to_timestamp($2::double precision / 1000)`,
      [id, this.#now()],
    );
    const row = result.rows[0];
    if (!row || typeof row.data !== 'string') return undefined;
    const data = parseSessionData(row.data);
    return data && { data, version: Number(row.version) };
  }

  async set(id: string, data: SessionData, ttlSeconds: number): Promise<void> {
    await this.#query(
      `INSERT INTO ${this.#table} (id, data, version, expires_at)
       VALUES ($1, $2, $3, to_timestamp($4::double precision / 1000))
       ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, version = EXCLUDED.version, expires_at = EXCLUDED.expires_at`,
      [id, JSON.stringify(data), randomVersion(), this.#expiry(ttlSeconds)],
    );
    await this.#maybeSweep();
  }

  async destroy(id: string): Promise<void> {
    await this.#query(`DELETE FROM ${this.#table} WHERE id = $1`, [id]);
  }

  async take(id: string): Promise<StoredSession | undefined> {
    // One statement: of concurrent callers, only the one whose DELETE removed the row gets it.
    const result = await this.#query(
      `DELETE FROM ${this.#table} WHERE id = $1
       RETURNING data, version, expires_at > to_timestamp($2::double precision / 1000) AS live`,
      [id, this.#now()],
    );
    const row = result.rows[0];
    if (row?.live !== true || typeof row.data !== 'string') return undefined;
    const data = parseSessionData(row.data);
    return data && { data, version: Number(row.version) };
  }

  async compareAndSet(
    id: string,
    expectedVersion: number | undefined,
    data: SessionData,
    ttlSeconds: number,
  ): Promise<boolean> {
    const values = [id, JSON.stringify(data), randomVersion(), this.#expiry(ttlSeconds), this.#now()];
    const result =
      expectedVersion === undefined
        ? // Absent, or present but expired (lazily expired rows count as absent).
          await this.#query(
            `INSERT INTO ${this.#table} AS s (id, data, version, expires_at)
             VALUES ($1, $2, $3, to_timestamp($4::double precision / 1000))
             ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, version = EXCLUDED.version, expires_at = EXCLUDED.expires_at
             WHERE s.expires_at <= to_timestamp($5::double precision / 1000)`,
            values,
          )
        : await this.#query(
            `UPDATE ${this.#table} SET data = $2, version = $3, expires_at = to_timestamp($4::double precision / 1000)
             WHERE id = $1 AND version = $6 AND expires_at > to_timestamp($5::double precision / 1000)`,
            [...values, expectedVersion],
          );
    if (result.rowCount === 1) await this.#maybeSweep();
    return result.rowCount === 1;
  }

  /** Deletes every expired row now (writes also do it, at most once per `sweepIntervalMs`). */
  async sweep(): Promise<number> {
    const result = await this.#query(
      `DELETE FROM ${this.#table} WHERE expires_at <= to_timestamp($1::double precision / 1000)`,
      [this.#now()],
    );
    return result.rowCount ?? 0;
  }

  #expiry(ttlSeconds: number): number {
    return this.#now() + ttlSeconds * 1000;
  }

  async #maybeSweep(): Promise<void> {
    const now = this.#now();
    if (now - this.#lastSweep < this.#sweepIntervalMs) return;
    this.#lastSweep = now;
    await this.sweep();
  }

  async #query(text: string, values: unknown[]) {
    this.#ready ??= this.#createTable().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    await this.#ready;
    return withBackend('PostgreSQL', this.#timeoutMs, () => this.#pool.query(text, values));
  }

  async #createTable(): Promise<void> {
    const statement = `CREATE TABLE IF NOT EXISTS ${this.#table} (
      id text PRIMARY KEY,
      data text NOT NULL,
      version bigint NOT NULL,
      expires_at timestamptz NOT NULL
    )`;
    // The index keeps the sweep cheap; an index lives in its table's schema, so its name is unqualified.
    const index = `CREATE INDEX IF NOT EXISTS ${this.#expiryIndex} ON ${this.#table} (expires_at)`;
    await withBackend('PostgreSQL', this.#timeoutMs, async () => {
      for (const text of [statement, index]) {
        try {
          await this.#pool.query(text);
        } catch (error) {
          if (!isConcurrentCreate(error)) throw error;
        }
      }
    });
  }
}
