/**
 * What the dev server keeps: oidc-provider's records (sessions, grants, codes, tokens, …), its
 * signing keys, its secrets (cookie and CSRF keys) and the users created through the registration
 * page. Three implementations: memory (`memory-store.ts`), an embedded SQLite file
 * (`sqlite-store.ts`) and PostgreSQL (`postgres-store.ts`, for several instances sharing one
 * database).
 */

/** Expired records are swept after this many writes, so a long-running server does not grow without bound. */
export const sweepEveryWrites = 500;

/** One oidc-provider record, as its adapter stores it. */
export interface OidcRecord {
  payload: Record<string, unknown>;
  /** Milliseconds since the epoch after which the record is gone; undefined = no expiry. */
  expiresAt: number | undefined;
}

/** oidc-provider's records, per model name (`Session`, `Grant`, `RefreshToken`, …). */
export interface OidcRecords {
  upsert(model: string, id: string, record: OidcRecord): Promise<void>;
  find(model: string, id: string): Promise<OidcRecord | undefined>;
  findByUid(model: string, uid: string): Promise<{ id: string; record: OidcRecord } | undefined>;
  findByUserCode(model: string, userCode: string): Promise<{ id: string; record: OidcRecord } | undefined>;
  /**
   * Marks a record consumed at `at` (milliseconds), unless it already is: the first consumption
   * is the one that counts. Atomic, so concurrent consumers agree on that time.
   */
  consume(model: string, id: string, at: number): Promise<void>;
  destroy(model: string, id: string): Promise<void>;
  /** Deletes every record of `model` issued under the grant. */
  revokeByGrantId(model: string, grantId: string): Promise<void>;
}

/** A signing key: a private JWK with `kid`, `alg` and `use`, and when it was added. */
export interface StoredKey {
  jwk: PrivateJwk;
  createdAt: number;
}

/** A private JSON Web Key as the dev server generates it. */
export interface PrivateJwk {
  kty: string;
  kid: string;
  alg: string;
  use: 'sig';
  crv?: string;
  x?: string;
  y?: string;
  d?: string;
  n?: string;
  e?: string;
  [parameter: string]: unknown;
}

/** A user created through registration (users from the configuration are not stored). */
export interface StoredUser {
  id: string;
  username: string;
  /** Lower-cased email, or null. */
  email: string | null;
  passwordHash: string;
  createdAt: number;
  updatedAt: number;
}

/** Thrown by `users.insert` when the username or email is already stored. */
export class DuplicateUserError extends Error {
  readonly field: 'username' | 'email';
  constructor(field: 'username' | 'email') {
    super(`a user with this ${field} already exists`);
    this.name = 'DuplicateUserError';
    this.field = field;
  }
}

/** Everything the dev server persists. */
export interface DevStore {
  readonly oidc: OidcRecords;
  readonly keys: {
    /** All keys, newest first. */
    list(): Promise<StoredKey[]>;
    /**
     * All keys, newest first; when there are none, `create()`'s key is stored first. Atomic, so
     * instances starting together on one database end up with the same single first key.
     */
    listOrCreate(create: () => StoredKey): Promise<StoredKey[]>;
    add(key: StoredKey): Promise<void>;
  };
  readonly users: {
    findById(id: string): Promise<StoredUser | undefined>;
    findByUsername(username: string): Promise<StoredUser | undefined>;
    /** `email` lower-cased. */
    findByEmail(email: string): Promise<StoredUser | undefined>;
    /** Throws `DuplicateUserError` when the username or email is taken. */
    insert(user: StoredUser): Promise<void>;
  };
  readonly secrets: {
    /** The secret stored under `name`, stored from `create()` on first use (atomically). */
    getOrCreate(name: string, create: () => string): Promise<string>;
  };
  close(): Promise<void>;
}
