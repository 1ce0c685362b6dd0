import type { Database } from '../../db/database.ts';
import type { Clock } from '../../lib/clock.ts';
import type { DeliveryService } from '../delivery/delivery.service.ts';
import type { WebhooksService } from '../webhooks/webhooks.service.ts';
import { createInvoicesRepo } from './invoices.repo.ts';
import * as invoiceState from './invoice-state.ts';

/**
 * The `invoices.expire` job, every minute:
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
  const repo = createInvoicesRepo({ database: deps.database });

  /** One batch expired, each with its event, in one transaction; returns how many. */
  async function expireBatch(now: Date): Promise<number> {
    return db.transaction().execute(async (trx) => {
      const rows = await invoiceState.expireDue(trx, now, BATCH);
      for (const row of rows) await deps.webhooks.emit(trx, { type: 'invoice.expired', merchant: { id: row.merchant_id }, invoice: row });
      return rows.length;
    });
  }

  /** One batch of reminders asked for, in one transaction; returns how many invoices it took. */
  async function remindBatch(now: Date): Promise<{ taken: number; reminded: number }> {
    return db.transaction().execute(async (trx) => {
      const rows = await repo.dueForReminder(trx, now, BATCH);
      let reminded = 0;
      for (const inv of rows) if (await deps.delivery.request(trx, { invoice: inv, reason: 'reminder' })) reminded++;
      return { taken: rows.length, reminded };
    });
  }

  return {
    async run(): Promise<{ expired: number; reminded: number }> {
      const now = deps.clock.now();
      let expired = 0;
      for (let n = BATCH; n === BATCH;) {
        n = await expireBatch(now);
        expired += n;
      }
      let reminded = 0;
      for (let taken = BATCH; taken === BATCH;) {
        const batch = await remindBatch(now);
        taken = batch.taken;
        reminded += batch.reminded;
      }
      if (expired > 0) deps.webhooks.wake();
      if (reminded > 0) deps.delivery.wake();
      return { expired, reminded };
    },
  };
}

export type InvoiceExpiryService = ReturnType<typeof createInvoiceExpiryService>;
