import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { JobQueue, QueueName } from './job-queue.ts';

/**
 * Queues again the pending rows whose next try is long overdue: their job was lost (pg-boss
 * gave up on it after repeated worker crashes). The row's `next_attempt_at` moves to now, so a
 * row is queued once per sweep; a duplicate job is harmless because every handler records an
 * attempt only if the row is still at the attempt count it read.
 */
export async function requeueOverdue(
  deps: { database: Database; queue: JobQueue; now: Date },
  target: { table: 'webhook_deliveries' | 'delivery_requests'; queue: QueueName; dataKey: string },
  overdueMs: number,
  limit: number,
): Promise<number> {
  const cutoff = new Date(deps.now.getTime() - overdueMs);
  return deps.database.db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ id: bigint }>`
      UPDATE ${sql.table(target.table)} SET next_attempt_at = ${deps.now}
      WHERE id IN (
        SELECT id FROM ${sql.table(target.table)}
        WHERE status = 'pending' AND next_attempt_at < ${cutoff}
        ORDER BY next_attempt_at LIMIT ${limit}
      )
      RETURNING id`.execute(trx);
    for (const r of rows) await deps.queue.send(target.queue, { [target.dataKey]: String(r.id) }, { db: trx });
    return rows.length;
  });
}
