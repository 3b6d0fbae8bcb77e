import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type DevStore, DuplicateUserError, type OidcRecord, type StoredKey, type StoredUser } from './store.ts';

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
`;

interface RecordRow {
  id: string;
  payload: string;
  expires_at: number | null;
}

/**
 * Keeps everything in an SQLite file (Node's built-in `node:sqlite`), created with its directory
 * when missing. Expired records are ignored when read (against the injected clock) and purged at
 * open.
 */
export function openSqliteStore(file: string, now: () => number = Date.now): DevStore {
  mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;');
  db.exec(schema);
  db.prepare('DELETE FROM oidc_records WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now());

  const toRecord = (row: RecordRow): OidcRecord => ({
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    expiresAt: row.expires_at ?? undefined,
  });
  const notExpired = '(expires_at IS NULL OR expires_at > ?)';

  const upsert = db.prepare(
    `INSERT INTO oidc_records (model, id, payload, grant_id, uid, user_code, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
       uid = excluded.uid, user_code = excluded.user_code, expires_at = excluded.expires_at`,
  );
  const find = db.prepare(
    `SELECT id, payload, expires_at FROM oidc_records WHERE model = ? AND id = ? AND ${notExpired}`,
  );
  const findByUid = db.prepare(
    `SELECT id, payload, expires_at FROM oidc_records WHERE model = ? AND uid = ? AND ${notExpired}`,
  );
  const findByUserCode = db.prepare(
    `SELECT id, payload, expires_at FROM oidc_records WHERE model = ? AND user_code = ? AND ${notExpired}`,
  );
  const destroy = db.prepare('DELETE FROM oidc_records WHERE model = ? AND id = ?');
  const revokeByGrantId = db.prepare('DELETE FROM oidc_records WHERE model = ? AND grant_id = ?');
  const listKeys = db.prepare('SELECT jwk, created_at FROM signing_keys ORDER BY created_at DESC, rowid DESC');
  const addKey = db.prepare('INSERT INTO signing_keys (kid, jwk, created_at) VALUES (?, ?, ?)');
  const listUsers = db.prepare(
    'SELECT id, username, email, password_hash, created_at, updated_at FROM users ORDER BY created_at',
  );
  const insertUser = db.prepare(
    'INSERT INTO users (id, username, email, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const userExists = db.prepare('SELECT 1 FROM users WHERE username = ? OR (email IS NOT NULL AND email = ?)');

  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

  return {
    oidc: {
      upsert(model, id, record) {
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
      },
      find(model, id) {
        const row = find.get(model, id, now()) as RecordRow | undefined;
        return row && toRecord(row);
      },
      findByUid(model, uid) {
        const row = findByUid.get(model, uid, now()) as RecordRow | undefined;
        return row && { id: row.id, record: toRecord(row) };
      },
      findByUserCode(model, userCode) {
        const row = findByUserCode.get(model, userCode, now()) as RecordRow | undefined;
        return row && { id: row.id, record: toRecord(row) };
      },
      destroy: (model, id) => void destroy.run(model, id),
      revokeByGrantId: (model, grantId) => void revokeByGrantId.run(model, grantId),
    },
    keys: {
      list: () =>
        (listKeys.all() as { jwk: string; created_at: number }[]).map(
          (row): StoredKey => ({ jwk: JSON.parse(row.jwk) as StoredKey['jwk'], createdAt: row.created_at }),
        ),
      add: (key) => void addKey.run(key.jwk.kid, JSON.stringify(key.jwk), key.createdAt),
    },
    users: {
      list: () =>
        (
          listUsers.all() as {
            id: string;
            username: string;
            email: string | null;
            password_hash: string;
            created_at: number;
            updated_at: number;
          }[]
        ).map(
          (row): StoredUser => ({
            id: row.id,
            username: row.username,
            email: row.email,
            passwordHash: row.password_hash,
            createdAt: row.created_at,
            updatedAt: row.updated_at,
          }),
        ),
      insert(user) {
        // Checked first for a precise error; the UNIQUE constraints still guard concurrent inserts.
        const taken = userExists.get(user.username, user.email) as object | undefined;
        if (taken) {
          const byName = db.prepare('SELECT 1 FROM users WHERE username = ?').get(user.username);
          throw new DuplicateUserError(byName ? 'username' : 'email');
        }
        insertUser.run(user.id, user.username, user.email, user.passwordHash, user.createdAt, user.updatedAt);
      },
    },
    close: () => db.close(),
  };
}
