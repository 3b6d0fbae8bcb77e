import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { OidcRecords } from './store.ts';

/**
 * Creates oidc-provider's `adapter` option over the dev server's store. `now` is the clock used
 * for record expiry and for the `consumed` mark, which this server stores in milliseconds so the
 * refresh-token reuse window (`refresh-grace.ts`) can be measured precisely.
 */
export function createAdapterClass(records: OidcRecords, now: () => number = Date.now): new (model: string) => Adapter {
  return class DevStoreAdapter implements Adapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      records.upsert(this.model, id, {
        payload,
        expiresAt: expiresIn ? now() + expiresIn * 1000 : undefined,
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return records.find(this.model, id)?.payload;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return records.findByUid(this.model, uid)?.record.payload;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return records.findByUserCode(this.model, userCode)?.record.payload;
    }

    async consume(id: string): Promise<void> {
      const record = records.find(this.model, id);
      // The first consumption is the one that counts: reuses inside the grace window keep it.
      if (record && !record.payload.consumed) {
        records.upsert(this.model, id, { ...record, payload: { ...record.payload, consumed: now() } });
      }
    }

    async destroy(id: string): Promise<void> {
      records.destroy(this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      records.revokeByGrantId(this.model, grantId);
    }
  };
}
