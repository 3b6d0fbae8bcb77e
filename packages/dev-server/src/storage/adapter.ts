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
      await records.upsert(this.model, id, {
        payload,
        expiresAt: expiresIn ? now() + expiresIn * 1000 : undefined,
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return (await records.find(this.model, id))?.payload;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return (await records.findByUid(this.model, uid))?.record.payload;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return (await records.findByUserCode(this.model, userCode))?.record.payload;
    }

    async consume(id: string): Promise<void> {
      await records.consume(this.model, id, now());
    }

    async destroy(id: string): Promise<void> {
      await records.destroy(this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await records.revokeByGrantId(this.model, grantId);
    }
  };
}
