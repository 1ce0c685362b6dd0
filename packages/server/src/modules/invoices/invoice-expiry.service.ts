import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Invoice } from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import type { DeliveryService } from '../delivery/delivery.service.ts';
import type { WebhooksService } from '../webhooks/webhooks.service.ts';

/**
 * The `invoices.expire` job, every minute (issue 5):
 * - pending → expired for invoices past the end of their expiry day in their merchant's time
 *   zone, with an `invoice.expired` event each, in the same transaction. An invoice a payment
 *   attempt holds is left for the next run (the payment may still succeed).
 * - reminders: for merchants that asked (`reminder_days`), one message per pending invoice whose
 *   expiry day is that many days ahead, through the invoice's own channel. Installments are
 *   invoices with their own expiry day, so each installment of a plan gets its reminder.
 * Both are idempotent: a second run, or two processes at once, change nothing more.
 */
const BATCH = 500;

export function createInvoiceExpiryService(deps: { database: Database; clock: Clock; webhooks: WebhooksService; delivery: DeliveryService }) {
  const { db } = deps.database;

  async function expireBatch(now: Date): Promise<number> {
    const expired = await db.transaction().execute(async (trx) => {
      // SKIP LOCKED: a second process running the same minute takes other rows, never the same.
      const { rows } = await sql<Invoice>`
        WITH due AS (
          SELECT i.id FROM invoices i JOIN merchants m ON m.id = i.merchant_id
          WHERE i.status = 'pending'
            AND i.expires_on < (${now}::timestamptz AT TIME ZONE m.time_zone)::date
            AND (i.payment_locked_until IS NULL OR i.payment_locked_until < ${now})
          ORDER BY i.expires_on
          LIMIT ${BATCH}
          FOR UPDATE OF i SKIP LOCKED
        )
        UPDATE invoices i SET status = 'expired', expired_at = ${now}, updated_at = ${now}
        FROM due
        WHERE i.id = due.id
        RETURNING i.*`.execute(trx);
      for (const row of rows) {
        await deps.webhooks.emit(trx, {
          type: 'invoice.expired',
          merchant: { id: row.merchant_id },
          invoice: row,
        });
      }
      return rows.length;
    });
    return expired;
  }

  async function remindBatch(now: Date): Promise<number> {
    return db.transaction().execute(async (trx) => {
      const { rows } = await sql<Pick<Invoice, 'id' | 'merchant_id' | 'delivery_channel' | 'country_code' | 'mobile_number' | 'customer_email'>>`
        SELECT i.id, i.merchant_id, i.delivery_channel, i.country_code, i.mobile_number, i.customer_email
        FROM invoices i JOIN merchants m ON m.id = i.merchant_id
        WHERE m.reminder_days IS NOT NULL
          AND i.status = 'pending'
          AND i.delivery_channel IN (0, 1, 2)
          AND i.expires_on = (${now}::timestamptz AT TIME ZONE m.time_zone)::date + m.reminder_days
          AND NOT EXISTS (SELECT 1 FROM delivery_requests r WHERE r.invoice_id = i.id AND r.reason = 'reminder')
        ORDER BY i.id
        LIMIT ${BATCH}
        FOR UPDATE OF i SKIP LOCKED`.execute(trx);
      let sent = 0;
      for (const inv of rows) if (await deps.delivery.request(trx, { invoice: inv, reason: 'reminder' })) sent++;
      return sent;
    });
  }

  return {
    async run(): Promise<{ expired: number; reminded: number }> {
      const now = deps.clock.now();
      let expired = 0;
      for (let n = BATCH; n === BATCH; ) {
        n = await expireBatch(now);
        expired += n;
      }
      let reminded = 0;
      for (let n = BATCH; n === BATCH; ) {
        n = await remindBatch(now);
        reminded += n;
      }
      if (expired > 0) deps.webhooks.wake();
      if (reminded > 0) deps.delivery.wake();
      return { expired, reminded };
    },
  };
}

export type InvoiceExpiryService = ReturnType<typeof createInvoiceExpiryService>;
