import {
  type DevStore,
  DuplicateUserError,
  type OidcRecord,
  type OidcRecords,
  type StoredKey,
  type StoredUser,
  sweepEveryWrites,
} from './store.ts';

/**
 * Keeps everything in process memory: gone when the server stops. Expired records are dropped
 * when read, against the injected clock.
 */
export function createMemoryStore(now: () => number = Date.now): DevStore {
  const records = new Map<string, OidcRecord>();
  const keys: StoredKey[] = [];
  const users: StoredUser[] = [];
  const secrets = new Map<string, string>();
  const keyOf = (model: string, id: string) => `${model}\u0000${id}`;
  let writes = 0;

  const live = (key: string): OidcRecord | undefined => {
    const record = records.get(key);
    if (record?.expiresAt !== undefined && record.expiresAt <= now()) {
      records.delete(key);
      return undefined;
    }
    return record;
  };

  const findBy = (model: string, field: string, value: string) => {
    const prefix = `${model}\u0000`;
    for (const key of records.keys()) {
      if (!key.startsWith(prefix)) continue;
      const record = live(key);
      if (record && record.payload[field] === value) {
        return structuredClone({ id: key.slice(prefix.length), record });
      }
    }
    return undefined;
  };

  const listKeys = () => keys.map((key) => structuredClone(key));

  const oidc: OidcRecords = {
    async upsert(model, id, record) {
      records.set(keyOf(model, id), structuredClone(record));
      writes += 1;
      if (writes % sweepEveryWrites === 0) for (const key of records.keys()) live(key);
    },
    find: async (model, id) => {
      const record = live(keyOf(model, id));
      return record && structuredClone(record);
    },
    findByUid: async (model, uid) => findBy(model, 'uid', uid),
    findByUserCode: async (model, userCode) => findBy(model, 'userCode', userCode),
    async consume(model, id, at) {
      const record = live(keyOf(model, id));
      if (record && !record.payload.consumed) record.payload.consumed = at;
    },
    destroy: async (model, id) => void records.delete(keyOf(model, id)),
    async revokeByGrantId(model, grantId) {
      const prefix = `${model}\u0000`;
      for (const [key, record] of records) {
        if (key.startsWith(prefix) && record.payload.grantId === grantId) records.delete(key);
      }
    },
  };

  return {
    oidc,
    keys: {
      list: async () => listKeys(),
      async listOrCreate(create) {
        if (keys.length === 0) keys.unshift(structuredClone(create()));
        return listKeys();
      },
      add: async (key) => void keys.unshift(structuredClone(key)),
    },
    users: {
      findById: async (id) => copy(users.find((user) => user.id === id)),
      findByUsername: async (username) => copy(users.find((user) => user.username === username)),
      findByEmail: async (email) => copy(users.find((user) => user.email === email)),
      async insert(user) {
        if (users.some((existing) => existing.username === user.username)) throw new DuplicateUserError('username');
        if (user.email !== null && users.some((existing) => existing.email === user.email)) {
          throw new DuplicateUserError('email');
        }
        users.push({ ...user });
      },
    },
    secrets: {
      async getOrCreate(name, create) {
        let secret = secrets.get(name);
        if (secret === undefined) {
          secret = create();
          secrets.set(name, secret);
        }
        return secret;
      },
    },
    close: async () => {},
  };
}

function copy(user: StoredUser | undefined): StoredUser | undefined {
  return user && { ...user };
}
