import type { Insertable } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { DeliveryRequest, DeliveryRequestsTable } from '../../db/schema.ts';

/** The outcome of one try of a requested message, as its row records it. */
export interface DeliveryAttempt {
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  providerResponse: string | null;
  sentAt: Date | null;
  nextAttemptAt: Date | null;
  now: Date;
}

export function createDeliveryRepo() {
  return {
    async insertRequest(db: Executor, row: Insertable<DeliveryRequestsTable>): Promise<bigint> {
      const inserted = await db.insertInto('delivery_requests').values(row).returning('id').executeTakeFirstOrThrow();
      return inserted.id;
    },

    async findRequest(db: Executor, id: bigint): Promise<DeliveryRequest | undefined> {
      return db.selectFrom('delivery_requests').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /**
     * Records a try of a pending request that had `triedBefore` tries; false when the row has
     * moved on since (a job re-run after a crash, racing the live one, changes nothing).
     */
    async recordAttempt(db: Executor, id: bigint, triedBefore: number, a: DeliveryAttempt): Promise<boolean> {
      const moved = await db
        .updateTable('delivery_requests')
        .set({
          status: a.status,
          attempts: a.attempts,
          last_error: a.lastError,
          provider_response: a.providerResponse,
          sent_at: a.sentAt,
          next_attempt_at: a.nextAttemptAt,
          updated_at: a.now,
        })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('attempts', '=', triedBefore)
        .executeTakeFirst();
      return moved.numUpdatedRows > 0n;
    },
  };
}

export type DeliveryRepo = ReturnType<typeof createDeliveryRepo>;
