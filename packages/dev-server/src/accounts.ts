import { createHash, randomBytes } from 'node:crypto';
import type { AddressConfig, DevServerConfig } from './config.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { type DevStore, DuplicateUserError, type StoredUser } from './storage/store.ts';
import { userFieldLimits } from './user-field-limits.ts';

/** Why `AccountDirectory.register` refused to create a user. */
export type AccountErrorCode =
  | 'username_taken'
  | 'email_taken'
  | 'invalid_username'
  | 'weak_password'
  | 'invalid_email';

/** A registration the directory refused; `code` says why and `message` says it to a person. */
export class AccountError extends Error {
  readonly code: AccountErrorCode;
  constructor(code: AccountErrorCode, message: string) {
    super(message);
    this.name = 'AccountError';
    this.code = code;
  }
}

/** The user directory as the sign-in and registration pages see it. */
export interface AccountDirectory {
  /** Resolves a username or email + password to the account id, or undefined when wrong. Constant-time compare. */
  verifyPassword(identifier: string, password: string): Promise<string | undefined>;
  /**
   * Creates a user (scrypt-hashed password), persisted in the store; throws `AccountError` with code
   * `username_taken` | `email_taken` | `invalid_username` | `weak_password` | `invalid_email`.
   */
  register(input: { username: string; email?: string; password: string }): Promise<{ id: string }>;
  /** True when a username or email exists (for the sign-in page's messages). */
  exists(identifier: string): Promise<boolean>;
  /** The id of the account a username or email names, if any (failed sign-ins are counted per account). */
  accountIdOf(identifier: string): Promise<string | undefined>;
  /** Records a successful sign-in (the user's `updated_at` moves, as in Logto). */
  recordSignIn(accountId: string): Promise<void>;
}

/** A user with everything the claims are made of. */
export interface User {
  id: string;
  username: string;
  name: string | null;
  picture: string | null;
  email: string | null;
  emailVerified: boolean;
  phone: string | null;
  phoneVerified: boolean;
  profile: Record<string, string>;
  address: AddressConfig | undefined;
  customData: Record<string, unknown>;
  roles: string[];
  /** Milliseconds since the epoch. */
  createdAt: number;
  updatedAt: number;
}

interface Entry {
  user: User;
  passwordHash: string;
}

/** Logto's username rule: a letter or underscore, then letters, digits or underscores; at most 128 characters. */
const usernamePattern = /^[A-Za-z_]\w{0,127}$/;
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** The store record (per user id) of the last sign-in time. */
const signInRecordModel = 'UserSignIn';

/** The shortest password registration accepts. */
export const minimumPasswordLength = 8;

/** The id of a configured user without an explicit `id`: stable across restarts, Logto-like (12 characters). */
export function seededUserId(username: string): string {
  return createHash('sha256').update(`logto-kit-dev-user:${username}`).digest('hex').slice(0, 12);
}

function newUserId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  return Array.from(randomBytes(12), (byte) => alphabet[byte % alphabet.length]).join('');
}

/**
 * The users the dev server knows: those from the configuration (seeded at start, passwords hashed
 * then, kept in memory) and those created through registration, which live in the store (so
 * several instances sharing a store see the same users).
 */
export class UserDirectory implements AccountDirectory {
  readonly #store: DevStore;
  readonly #now: () => number;
  readonly #seeded: Entry[];
  /** A hash to compare against when the identifier is unknown, so both cases take the same time. */
  readonly #decoyHash: string;

  private constructor(store: DevStore, now: () => number, seeded: Entry[], decoyHash: string) {
    this.#store = store;
    this.#now = now;
    this.#seeded = seeded;
    this.#decoyHash = decoyHash;
  }

  /** Seeds the configured users; registered users are read from the store when needed. */
  static async open(store: DevStore, config: DevServerConfig, now: () => number = Date.now): Promise<UserDirectory> {
    const startedAt = now();
    const seeded = await Promise.all(
      config.users.map(
        async (user): Promise<Entry> => ({
          passwordHash: await hashPassword(user.password),
          user: {
            id: user.id ?? seededUserId(user.username),
            username: user.username,
            name: user.name ?? null,
            picture: user.picture ?? null,
            email: user.email ?? null,
            emailVerified: user.emailVerified ?? false,
            phone: user.phone ?? null,
            phoneVerified: user.phoneVerified ?? false,
            profile: { ...user.profile },
            address: user.address,
            customData: { ...user.customData },
            roles: [...(user.roles ?? [])],
            createdAt: startedAt,
            updatedAt: startedAt,
          },
        }),
      ),
    );
    return new UserDirectory(store, now, seeded, await hashPassword(randomBytes(16).toString('hex')));
  }

  /** The user with this id (`sub`). */
  async findById(id: string): Promise<User | undefined> {
    const seeded = this.#seeded.find((entry) => entry.user.id === id);
    const stored = seeded ? undefined : await this.#store.users.findById(id);
    const user = seeded?.user ?? (stored && fromStored(stored).user);
    if (!user) return undefined;
    const signedIn = (await this.#store.oidc.find(signInRecordModel, id))?.payload.updatedAt;
    return typeof signedIn === 'number' && signedIn > user.updatedAt ? { ...user, updatedAt: signedIn } : user;
  }

  /** The user with this username, or this email (case-insensitive). */
  async findByIdentifier(identifier: string): Promise<User | undefined> {
    return (await this.#find(identifier))?.user;
  }

  async verifyPassword(identifier: string, password: string): Promise<string | undefined> {
    const entry = await this.#find(identifier);
    const matches = await verifyPassword(password, entry?.passwordHash ?? this.#decoyHash);
    return entry && matches ? entry.user.id : undefined;
  }

  async exists(identifier: string): Promise<boolean> {
    return (await this.#find(identifier)) !== undefined;
  }

  async accountIdOf(identifier: string): Promise<string | undefined> {
    return (await this.#find(identifier))?.user.id;
  }

  async register(input: { username: string; email?: string; password: string }): Promise<{ id: string }> {
    const username = input.username.trim();
    const email = input.email?.trim() ? input.email.trim().toLowerCase() : null;
    if (!usernamePattern.test(username)) {
      throw new AccountError(
        'invalid_username',
        'A username starts with a letter or an underscore and contains only letters, digits and underscores.',
      );
    }
    if (email !== null && email.length > userFieldLimits.email) {
      throw new AccountError('invalid_email', `An email address has at most ${userFieldLimits.email} characters.`);
    }
    if (email !== null && !emailPattern.test(email)) {
      throw new AccountError('invalid_email', 'Enter a valid email address, like name@example.com.');
    }
    if (input.password.length < minimumPasswordLength) {
      throw new AccountError('weak_password', `Use a password of at least ${minimumPasswordLength} characters.`);
    }
    return this.#insert(username, email, await hashPassword(input.password));
  }

  /**
   * Creates a user whose password was checked and hashed earlier (the Experience API takes the
   * password at one step and creates the user at a later one); same rules and errors as `register`.
   */
  async registerWithPasswordHash(input: { username: string; passwordHash: string }): Promise<{ id: string }> {
    const username = input.username.trim();
    if (!usernamePattern.test(username)) {
      throw new AccountError(
        'invalid_username',
        'A username starts with a letter or an underscore and contains only letters, digits and underscores.',
      );
    }
    return this.#insert(username, null, input.passwordHash);
  }

  /** Whether a username is taken (by a configured or a registered user). */
  async usernameTaken(username: string): Promise<boolean> {
    const trimmed = username.trim();
    return (
      this.#seeded.some((entry) => entry.user.username === trimmed) ||
      (await this.#store.users.findByUsername(trimmed)) !== undefined
    );
  }

  /**
   * Records a sign-in: Logto updates the user's `updated_at` at every sign-in. Kept in the store's
   * records, so every instance sharing the store reports the same time.
   */
  async recordSignIn(id: string): Promise<void> {
    await this.#store.oidc.upsert(signInRecordModel, id, { payload: { updatedAt: this.#now() }, expiresAt: undefined });
  }

  async #insert(username: string, email: string | null, passwordHash: string): Promise<{ id: string }> {
    if (await this.#find(username)) throw usernameTaken();
    if (email !== null && (await this.#find(email))) throw emailTaken();

    const createdAt = this.#now();
    const stored: StoredUser = {
      id: newUserId(),
      username,
      email,
      passwordHash,
      createdAt,
      updatedAt: createdAt,
    };
    try {
      // The store's uniqueness constraints settle concurrent registrations of one name.
      await this.#store.users.insert(stored);
    } catch (error) {
      if (error instanceof DuplicateUserError) throw error.field === 'username' ? usernameTaken() : emailTaken();
      throw error;
    }
    return { id: stored.id };
  }

  async #find(identifier: string): Promise<Entry | undefined> {
    const trimmed = identifier.trim();
    if (trimmed.includes('@')) {
      const email = trimmed.toLowerCase();
      const seeded = this.#seeded.find((entry) => entry.user.email?.toLowerCase() === email);
      if (seeded) return seeded;
      const stored = await this.#store.users.findByEmail(email);
      return stored && fromStored(stored);
    }
    const seeded = this.#seeded.find((entry) => entry.user.username === trimmed);
    if (seeded) return seeded;
    const stored = await this.#store.users.findByUsername(trimmed);
    return stored && fromStored(stored);
  }
}

function usernameTaken(): AccountError {
  return new AccountError('username_taken', 'This username is already taken.');
}

function emailTaken(): AccountError {
  return new AccountError('email_taken', 'An account with this email already exists.');
}

function fromStored(stored: StoredUser): Entry {
  return {
    passwordHash: stored.passwordHash,
    user: {
      id: stored.id,
      username: stored.username,
      name: null,
      picture: null,
      email: stored.email,
      emailVerified: false,
      phone: null,
      phoneVerified: false,
      profile: {},
      address: undefined,
      customData: {},
      roles: [],
      createdAt: stored.createdAt,
      updatedAt: stored.updatedAt,
    },
  };
}
