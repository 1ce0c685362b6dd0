import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Clock } from '../../lib/clock.ts';

/**
 * Housekeeping every gateway process may run; each step is safe to run concurrently from
 * several processes:
 * - fold past days' stats shards into one row (see compact_invoice_stats in migration 0002);
 * - forget Idempotency-Keys after 24 hours (Stripe's window) and rate-limit windows long past;
 * - settle payment attempts a crash left unfinished (the connector's record decides);
 * - queue again webhooks and messages whose job was lost.
 */
export const IDEMPOTENCY_KEY_HOURS = 24;

export interface MaintenanceResult {
  statsRowsFolded: number;
  idempotencyKeysDeleted: number;
  rateLimitsDeleted: number;
  staleAttemptsSettled: number;
  overdueRequeued: number;
}

export interface MaintenanceDeps {
  database: Database;
  clock: Clock;
  /** PaymentsService.settleStaleAttempts of the running app. */
  settleStaleAttempts?: () => Promise<number>;
  /** Re-queues webhook deliveries and messages whose job was lost. */
  requeueOverdue?: () => Promise<number>;
}

export async function runMaintenance(deps: MaintenanceDeps): Promise<MaintenanceResult> {
  const { db } = deps.database;
  const now = deps.clock.now();
  // Yesterday in UTC is in the past in every time zone a merchant can have.
  const before = new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
  const folded = await sql<{ n: string }>`SELECT compact_invoice_stats(${before}::date) AS n`.execute(db);
  const statsRowsFolded = Number(folded.rows[0]?.n ?? 0);
  // A large fold leaves dead rows and stale statistics behind: readers would scan the whole
  // rollup instead of their merchant's slice of it until autovacuum came by.
  if (statsRowsFolded >= 1000) await sql`VACUUM (ANALYZE) invoice_daily_stats`.execute(db);
  const keys = await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', new Date(now.getTime() - IDEMPOTENCY_KEY_HOURS * 3_600_000))
    .executeTakeFirst();
  const limits = await db
    .deleteFrom('rate_limits')
    .where('window_start', '<', new Date(now.getTime() - 86_400_000))
    .executeTakeFirst();
  const staleAttemptsSettled = deps.settleStaleAttempts ? await deps.settleStaleAttempts() : 0;
  const overdueRequeued = deps.requeueOverdue ? await deps.requeueOverdue() : 0;
  return {
    statsRowsFolded,
    idempotencyKeysDeleted: Number(keys.numDeletedRows),
    rateLimitsDeleted: Number(limits.numDeletedRows),
    staleAttemptsSettled,
    overdueRequeued,
  };
}

/** Runs maintenance now and every `intervalMs`, without keeping the process alive. */
export function startMaintenance(deps: MaintenanceDeps & { intervalMs?: number; onError: (err: unknown) => void }): () => void {
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    runMaintenance(deps)
      .catch(deps.onError)
      .finally(() => {
        running = false;
      });
  };
  tick();
  const timer = setInterval(tick, deps.intervalMs ?? 10 * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
