import pg from 'pg';
import {
  type DevStore,
  DuplicateUserError,
  type OidcRecord,
  type StoredKey,
  type StoredUser,
  sweepEveryWrites,
} from './store.ts';

/** Where the PostgreSQL store lives. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`. */
  connectionString: string;
  /** The schema holding the dev server's tables, created when missing. Default `logto_kit_dev`. */
  schema?: string;
}

interface RecordRow {
  id: string;
  payload: Record<string, unknown>;
  expires_at: string | null;
}

interface UserRow {
  id: string;
  username: string;
  email: string | null;
  password_hash: string;
  created_at: string;
  updated_at: string;
}

function toUser(row: UserRow | undefined): StoredUser | undefined {
  return (
    row && {
      id: row.id,
      username: row.username,
      email: row.email,
      passwordHash: row.password_hash,
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    }
  );
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * Keeps everything in PostgreSQL, so several dev server instances behind one address share
 * sessions, tokens, signing keys, cookie secrets and registered users. Requires the `pg` package.
 * Expired records are ignored when read (against the injected clock) and purged at open.
 */
export async function openPostgresStore(
  options: PostgresStoreOptions,
  now: () => number = Date.now,
): Promise<DevStore> {
  const schema = options.schema ?? 'logto_kit_dev';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new TypeError(`invalid PostgreSQL schema name "${schema}" (lower-case letters, digits and _)`);
  }
  const pool = new pg.Pool({ connectionString: options.connectionString, max: 10 });
  const t = (table: string) => `"${schema}".${table}`;
  try {
    const client = await pool.connect();
    try {
      // Serialized: instances starting together must not race on CREATE.
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${schema}.schema`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${t('oidc_records')} (
          model TEXT NOT NULL,
          id TEXT NOT NULL,
          payload JSONB NOT NULL,
          grant_id TEXT,
          uid TEXT,
          user_code TEXT,
          expires_at BIGINT,
          PRIMARY KEY (model, id)
        );
        CREATE INDEX IF NOT EXISTS oidc_records_grant ON ${t('oidc_records')} (model, grant_id);
        CREATE INDEX IF NOT EXISTS oidc_records_uid ON ${t('oidc_records')} (model, uid);
        CREATE TABLE IF NOT EXISTS ${t('signing_keys')} (
          kid TEXT PRIMARY KEY,
          jwk JSONB NOT NULL,
          created_at BIGINT NOT NULL,
          seq BIGSERIAL
        );
        CREATE TABLE IF NOT EXISTS ${t('users')} (
          id TEXT PRIMARY KEY,
          username TEXT NOT NULL UNIQUE,
          email TEXT UNIQUE,
          password_hash TEXT NOT NULL,
          created_at BIGINT NOT NULL,
          updated_at BIGINT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS ${t('secrets')} (
          name TEXT PRIMARY KEY,
          value TEXT NOT NULL
        );`);
      await client.query(`DELETE FROM ${t('oidc_records')} WHERE expires_at IS NOT NULL AND expires_at <= $1`, [now()]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw error;
  }

  let writes = 0;
  const live = '(expires_at IS NULL OR expires_at > $3)';
  const recordColumns = 'id, payload, expires_at';
  const userColumns = 'id, username, email, password_hash, created_at, updated_at';
  const toRecord = (row: RecordRow): OidcRecord => ({
    payload: row.payload,
    expiresAt: row.expires_at === null ? undefined : Number(row.expires_at),
  });
  const findOne = async (where: string, model: string, value: string) => {
    const { rows } = await pool.query<RecordRow>(
      `SELECT ${recordColumns} FROM ${t('oidc_records')} WHERE model = $1 AND ${where} = $2 AND ${live} LIMIT 1`,
      [model, value, now()],
    );
    const [row] = rows;
    return row && { id: row.id, record: toRecord(row) };
  };
  const userBy = async (column: 'id' | 'username' | 'email', value: string) => {
    const { rows } = await pool.query<UserRow>(`SELECT ${userColumns} FROM ${t('users')} WHERE ${column} = $1`, [
      value,
    ]);
    return toUser(rows[0]);
  };
  const listKeys = async (queryable: pg.Pool | pg.PoolClient = pool): Promise<StoredKey[]> => {
    const { rows } = await queryable.query<{ jwk: StoredKey['jwk']; created_at: string }>(
      `SELECT jwk, created_at FROM ${t('signing_keys')} ORDER BY created_at DESC, seq DESC`,
    );
    return rows.map((row) => ({ jwk: row.jwk, createdAt: Number(row.created_at) }));
  };
  const addKey = async (key: StoredKey, queryable: pg.Pool | pg.PoolClient = pool) => {
    await queryable.query(`INSERT INTO ${t('signing_keys')} (kid, jwk, created_at) VALUES ($1, $2, $3)`, [
      key.jwk.kid,
      JSON.stringify(key.jwk),
      key.createdAt,
    ]);
  };

  return {
    oidc: {
      async upsert(model, id, record) {
        const { payload } = record;
        await pool.query(
          `INSERT INTO ${t('oidc_records')} (model, id, payload, grant_id, uid, user_code, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
             uid = EXCLUDED.uid, user_code = EXCLUDED.user_code, expires_at = EXCLUDED.expires_at`,
          [
            model,
            id,
            JSON.stringify(payload),
            text(payload.grantId),
            text(payload.uid),
            text(payload.userCode),
            record.expiresAt ?? null,
          ],
        );
        writes += 1;
        if (writes % sweepEveryWrites === 0) {
          await pool.query(`DELETE FROM ${t('oidc_records')} WHERE expires_at IS NOT NULL AND expires_at <= $1`, [
            now(),
          ]);
        }
      },
      async find(model, id) {
        return (await findOne('id', model, id))?.record;
      },
      findByUid: (model, uid) => findOne('uid', model, uid),
      findByUserCode: (model, userCode) => findOne('user_code', model, userCode),
      async consume(model, id, at) {
        await pool.query(
          `UPDATE ${t('oidc_records')} SET payload = jsonb_set(payload, '{consumed}', to_jsonb($1::bigint))
           WHERE model = $2 AND id = $3 AND NOT payload ? 'consumed'`,
          [at, model, id],
        );
      },
      async destroy(model, id) {
        await pool.query(`DELETE FROM ${t('oidc_records')} WHERE model = $1 AND id = $2`, [model, id]);
      },
      async revokeByGrantId(model, grantId) {
        await pool.query(`DELETE FROM ${t('oidc_records')} WHERE model = $1 AND grant_id = $2`, [model, grantId]);
      },
    },
    keys: {
      list: () => listKeys(),
      async listOrCreate(create) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${schema}.signing_keys`]);
          if ((await listKeys(client)).length === 0) await addKey(create(), client);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        } finally {
          client.release();
        }
        return listKeys();
      },
      add: (key) => addKey(key),
    },
    users: {
      findById: (id) => userBy('id', id),
      findByUsername: (username) => userBy('username', username),
      findByEmail: (email) => userBy('email', email),
      async insert(user) {
        try {
          await pool.query(`INSERT INTO ${t('users')} (${userColumns}) VALUES ($1, $2, $3, $4, $5, $6)`, [
            user.id,
            user.username,
            user.email,
            user.passwordHash,
            user.createdAt,
            user.updatedAt,
          ]);
        } catch (error) {
          // 23505: unique_violation; the constraint says which column.
          const { code, constraint } = error as { code?: string; constraint?: string };
          if (code === '23505') throw new DuplicateUserError(constraint?.includes('email') ? 'email' : 'username');
          throw error;
        }
      },
    },
    secrets: {
      async getOrCreate(name, create) {
        await pool.query(`INSERT INTO ${t('secrets')} (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
          name,
          create(),
        ]);
        const { rows } = await pool.query<{ value: string }>(`SELECT value FROM ${t('secrets')} WHERE name = $1`, [
          name,
        ]);
        return rows[0]?.value ?? '';
      },
    },
    close: () => pool.end(),
  };
}
