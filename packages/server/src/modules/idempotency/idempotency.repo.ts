import type { Executor } from '../../db/database.ts';

export interface StoredResult {
  requestHash: string;
  status: number;
  body: string;
}

export function createIdempotencyRepo() {
  return {
    async find(db: Executor, merchantId: bigint, key: string): Promise<StoredResult | undefined> {
      const row = await db
        .selectFrom('idempotency_keys')
        .select(['request_hash', 'response_status', 'response_body'])
        .where('merchant_id', '=', merchantId)
        .where('key', '=', key)
        .executeTakeFirst();
      return row && { requestHash: row.request_hash, status: row.response_status, body: row.response_body };
    },

    async insert(db: Executor, merchantId: bigint, key: string, result: StoredResult): Promise<void> {
      await db
        .insertInto('idempotency_keys')
        .values({ merchant_id: merchantId, key, request_hash: result.requestHash, response_status: result.status, response_body: result.body })
        .execute();
    },
  };
}
