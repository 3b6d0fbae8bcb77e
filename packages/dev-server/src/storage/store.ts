/**
 * What the dev server keeps: oidc-provider's records (sessions, grants, codes, tokens, …), its
 * signing keys and the users created through the registration page. Two implementations:
 * memory (`memory-store.ts`) and an embedded SQLite file (`sqlite-store.ts`).
 */

/** One oidc-provider record, as its adapter stores it. */
export interface OidcRecord {
  payload: Record<string, unknown>;
  /** Milliseconds since the epoch after which the record is gone; undefined = no expiry. */
  expiresAt: number | undefined;
}

/** oidc-provider's records, per model name (`Session`, `Grant`, `RefreshToken`, …). */
export interface OidcRecords {
  upsert(model: string, id: string, record: OidcRecord): void;
  find(model: string, id: string): OidcRecord | undefined;
  findByUid(model: string, uid: string): { id: string; record: OidcRecord } | undefined;
  findByUserCode(model: string, userCode: string): { id: string; record: OidcRecord } | undefined;
  destroy(model: string, id: string): void;
  /** Deletes every record of `model` issued under the grant. */
  revokeByGrantId(model: string, grantId: string): void;
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
    list(): StoredKey[];
    add(key: StoredKey): void;
  };
  readonly users: {
    list(): StoredUser[];
    /** Throws `DuplicateUserError` when the username or email is taken. */
    insert(user: StoredUser): void;
  };
  close(): void;
}
