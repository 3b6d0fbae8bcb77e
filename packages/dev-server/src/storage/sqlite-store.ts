import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { sqliteModule } from './sqlite-module.ts';
import {
  type DevStore,
  DuplicateUserError,
  type OidcRecord,
  type StoredKey,
  type StoredUser,
  sweepEveryWrites,
} from './store.ts';

const schema = `
CREATE TABLE IF NOT EXISTS oidc_records (
  model TEXT NOT NULL,
  id TEXT NOT NULL,
  payload TEXT NOT NULL,
  grant_id TEXT,
  uid TEXT,
  user_code TEXT,
  expires_at INTEGER,
  PRIMARY KEY (model, id)
);
CREATE INDEX IF NOT EXISTS oidc_records_grant ON oidc_records (model, grant_id);
CREATE INDEX IF NOT EXISTS oidc_records_uid ON oidc_records (model, uid);
CREATE TABLE IF NOT EXISTS signing_keys (
  kid TEXT PRIMARY KEY,
  jwk TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  email TEXT UNIQUE,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

interface RecordRow {
  id: string;
  payload: string;
  expires_at: number | null;
}

interface UserRow {
  id: string;
  username: string;
  email: string | null;
  password_hash: string;
  created_at: number;
  updated_at: number;
}

function toUser(row: UserRow | undefined): StoredUser | undefined {
  return (
    row && {
      id: row.id,
      username: row.username,
      email: row.email,
      passwordHash: row.password_hash,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }
  );
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * Keeps everything in an SQLite file (Node's built-in `node:sqlite`), created with its directory
 * when missing. Expired records are ignored when read (against the injected clock) and purged at
 * open. One process at a time: for several instances use the PostgreSQL store.
 */
export function openSqliteStore(file: string, now: () => number = Date.now): DevStore {
  mkdirSync(dirname(file), { recursive: true });
  const { DatabaseSync } = sqliteModule();
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;');
  db.exec(schema);
  const sweep = db.prepare('DELETE FROM oidc_records WHERE expires_at IS NOT NULL AND expires_at <= ?');
  sweep.run(now());
  let writes = 0;

  const toRecord = (row: RecordRow): OidcRecord => ({
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    expiresAt: row.expires_at ?? undefined,
  });
  const live = '(expires_at IS NULL OR expires_at > ?)';
  const columns = 'id, payload, expires_at';

  const upsert = db.prepare(
    `INSERT INTO oidc_records (model, id, payload, grant_id, uid, user_code, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
       uid = excluded.uid, user_code = excluded.user_code, expires_at = excluded.expires_at`,
  );
  const find = db.prepare(`SELECT ${columns} FROM oidc_records WHERE model = ? AND id = ? AND ${live}`);
  const findByUid = db.prepare(`SELECT ${columns} FROM oidc_records WHERE model = ? AND uid = ? AND ${live}`);
  const findByUserCode = db.prepare(
    `SELECT ${columns} FROM oidc_records WHERE model = ? AND user_code = ? AND ${live}`,
  );
  const consume = db.prepare(
    `UPDATE oidc_records SET payload = json_set(payload, '$.consumed', ?)
     WHERE model = ? AND id = ? AND json_extract(payload, '$.consumed') IS NULL`,
  );
  const destroy = db.prepare('DELETE FROM oidc_records WHERE model = ? AND id = ?');
  const revokeByGrantId = db.prepare('DELETE FROM oidc_records WHERE model = ? AND grant_id = ?');
  const listKeys = db.prepare('SELECT jwk, created_at FROM signing_keys ORDER BY created_at DESC, rowid DESC');
  const addKey = db.prepare('INSERT INTO signing_keys (kid, jwk, created_at) VALUES (?, ?, ?)');
  const userColumns = 'id, username, email, password_hash, created_at, updated_at';
  const userById = db.prepare(`SELECT ${userColumns} FROM users WHERE id = ?`);
  const userByUsername = db.prepare(`SELECT ${userColumns} FROM users WHERE username = ?`);
  const userByEmail = db.prepare(`SELECT ${userColumns} FROM users WHERE email = ?`);
  const insertUser = db.prepare(`INSERT INTO users (${userColumns}) VALUES (?, ?, ?, ?, ?, ?)`);
  const insertSecret = db.prepare('INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING');
  const getSecret = db.prepare('SELECT value FROM secrets WHERE name = ?');

  const keys = (): StoredKey[] =>
    (listKeys.all() as { jwk: string; created_at: number }[]).map((row) => ({
      jwk: JSON.parse(row.jwk) as StoredKey['jwk'],
      createdAt: row.created_at,
    }));
  const add = (key: StoredKey) => void addKey.run(key.jwk.kid, JSON.stringify(key.jwk), key.createdAt);
  const withId = (row: RecordRow | undefined) => row && { id: row.id, record: toRecord(row) };

  return {
    oidc: {
      async upsert(model, id, record) {
        const { payload } = record;
        upsert.run(
          model,
          id,
          JSON.stringify(payload),
          text(payload.grantId),
          text(payload.uid),
          text(payload.userCode),
          record.expiresAt ?? null,
        );
        writes += 1;
        if (writes % sweepEveryWrites === 0) sweep.run(now());
      },
      async find(model, id) {
        const row = find.get(model, id, now()) as RecordRow | undefined;
        return row && toRecord(row);
      },
      findByUid: async (model, uid) => withId(findByUid.get(model, uid, now()) as RecordRow | undefined),
      findByUserCode: async (model, userCode) =>
        withId(findByUserCode.get(model, userCode, now()) as RecordRow | undefined),
      consume: async (model, id, at) => void consume.run(at, model, id),
      destroy: async (model, id) => void destroy.run(model, id),
      revokeByGrantId: async (model, grantId) => void revokeByGrantId.run(model, grantId),
    },
    keys: {
      list: async () => keys(),
      async listOrCreate(create) {
        db.exec('BEGIN IMMEDIATE');
        try {
          if (keys().length === 0) add(create());
          db.exec('COMMIT');
        } catch (error) {
          db.exec('ROLLBACK');
          throw error;
        }
        return keys();
      },
      add: async (key) => add(key),
    },
    users: {
      findById: async (id) => toUser(userById.get(id) as UserRow | undefined),
      findByUsername: async (username) => toUser(userByUsername.get(username) as UserRow | undefined),
      findByEmail: async (email) => toUser(userByEmail.get(email) as UserRow | undefined),
      async insert(user) {
        // Checked first for a precise error; the UNIQUE constraints still guard the insert.
        if (userByUsername.get(user.username)) throw new DuplicateUserError('username');
        if (user.email !== null && userByEmail.get(user.email)) throw new DuplicateUserError('email');
        insertUser.run(user.id, user.username, user.email, user.passwordHash, user.createdAt, user.updatedAt);
      },
    },
    secrets: {
      async getOrCreate(name, create) {
        insertSecret.run(name, create());
        return (getSecret.get(name) as { value: string }).value;
      },
    },
    close: async () => db.close(),
  };
}
