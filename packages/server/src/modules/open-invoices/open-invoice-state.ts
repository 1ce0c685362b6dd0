import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { OpenInvoice } from '../../db/schema.ts';

/**
 * The only writer of `open_invoices` once a row exists (state-ownership.test.ts enforces it).
 * Creating open invoices and reading them belong to open-invoices.repo.ts.
 *
 * status — `active` → `cancelled` (cancel), and cancelled is final. An active link past its
 * `expiry_date` takes no payments but is stored as active: expiry is read from the date, and
 * moving the date (setExpiry, active only) brings it back.
 *
 * While active and unexpired, each payment attempt counts as tried (tryStatement) and each
 * successful one adds to the totals (addPayment). addPayment is not guarded by status on
 * purpose: a payment charged before the link was cancelled still happened and must be counted.
 */

/**
 * tried_count + 1 while active and not past its expiry day (`today`, merchant-local), as a
 * statement returning the id when it was counted, for a caller opening its payment attempt in
 * the same statement.
 */
export function tryStatement(openInvoiceId: bigint, today: string): RawBuilder<{ id: bigint }> {
  return sql<{ id: bigint }>`UPDATE open_invoices SET tried_count = coalesce(tried_count, 0) + 1
          WHERE id = ${openInvoiceId} AND status = 'active' AND (expiry_date IS NULL OR expiry_date >= ${today}::date)
          RETURNING id`;
}

/** `tryStatement` on its own; whether the attempt was counted (false: cancelled or expired). */
export async function countTry(db: Executor, openInvoiceId: bigint, today: string): Promise<boolean> {
  const { rows } = await tryStatement(openInvoiceId, today).execute(db);
  return rows.length > 0;
}

/** The open invoice columns its webhook events carry (webhooks.service EventInput). */
export const EVENT_OPEN_INVOICE_COLUMNS = ['id', 'reference_number'] as const;
export type EventOpenInvoice = Pick<OpenInvoice, (typeof EVENT_OPEN_INVOICE_COLUMNS)[number]>;

/** Adds a successful payment to the totals, in any status; returns what its event tells about it. */
export async function addPayment(db: Executor, openInvoiceId: bigint, amount: bigint): Promise<EventOpenInvoice> {
  return db
    .updateTable('open_invoices')
    .set((eb) => ({ total_paid: eb('total_paid', '+', amount), paid_count: eb('paid_count', '+', 1) }))
    .where('id', '=', openInvoiceId)
    .returning(EVENT_OPEN_INVOICE_COLUMNS)
    .executeTakeFirstOrThrow();
}

/** Changes the expiry of an active open invoice; undefined when it is not active. */
export async function setExpiry(db: Executor, merchantId: bigint, id: bigint, expiryDate: string, now: Date): Promise<OpenInvoice | undefined> {
  return db
    .updateTable('open_invoices')
    .set({ expiry_date: expiryDate, updated_at: now })
    .where('id', '=', id)
    .where('merchant_id', '=', merchantId)
    .where('status', '=', 'active')
    .returningAll()
    .executeTakeFirst();
}

/** active → cancelled; undefined when it was not active. */
export async function cancel(db: Executor, merchantId: bigint, id: bigint, now: Date): Promise<OpenInvoice | undefined> {
  return db
    .updateTable('open_invoices')
    .set({ status: 'cancelled', cancelled_at: now, updated_at: now })
    .where('id', '=', id)
    .where('merchant_id', '=', merchantId)
    .where('status', '=', 'active')
    .returningAll()
    .executeTakeFirst();
}
