import {
  type DevStore,
  DuplicateUserError,
  type OidcRecord,
  type OidcRecords,
  type StoredKey,
  type StoredUser,
} from './store.ts';

/**
 * Keeps everything in process memory: gone when the server stops. Expired records are dropped
 * when read, against the injected clock.
 */
export function createMemoryStore(now: () => number = Date.now): DevStore {
  const records = new Map<string, OidcRecord>();
  const keys: StoredKey[] = [];
  const users: StoredUser[] = [];
  const keyOf = (model: string, id: string) => `${model}\u0000${id}`;

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
      if (record && record.payload[field] === value) return { id: key.slice(prefix.length), record };
    }
    return undefined;
  };

  const oidc: OidcRecords = {
    upsert: (model, id, record) => void records.set(keyOf(model, id), structuredClone(record)),
    find: (model, id) => {
      const record = live(keyOf(model, id));
      return record && structuredClone(record);
    },
    findByUid: (model, uid) => structuredClone(findBy(model, 'uid', uid)),
    findByUserCode: (model, userCode) => structuredClone(findBy(model, 'userCode', userCode)),
    destroy: (model, id) => void records.delete(keyOf(model, id)),
    revokeByGrantId(model, grantId) {
      const prefix = `${model}\u0000`;
      for (const [key, record] of records) {
        if (key.startsWith(prefix) && record.payload.grantId === grantId) records.delete(key);
      }
    },
  };

  return {
    oidc,
    keys: {
      list: () => keys.map((key) => structuredClone(key)),
      add: (key) => void keys.unshift(structuredClone(key)),
    },
    users: {
      list: () => users.map((user) => ({ ...user })),
      insert(user) {
        if (users.some((existing) => existing.username === user.username)) throw new DuplicateUserError('username');
        if (user.email !== null && users.some((existing) => existing.email === user.email)) {
          throw new DuplicateUserError('email');
        }
        users.push({ ...user });
      },
    },
    close: () => {},
  };
}
