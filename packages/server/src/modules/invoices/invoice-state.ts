import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { Invoice } from '../../db/schema.ts';

/**
 * The only writer of `invoices` once a row exists (state-ownership.test.ts enforces it).
 * Creating invoices and reading them belong to invoices.repo.ts.
 *
 * An invoice has three independent parts of state; each transition below is one guarded
 * statement whose WHERE names the state it starts from, so a transition that lost a race
 * changes nothing and says so (false or undefined) instead of overwriting the winner.
 *
 * status — the lifecycle. `pending` is the only state with a way out; the others are final:
 *   pending → paid        markPaid: a settled payment (its claim is released with it).
 *   pending → cancelled   cancel: by the merchant, while payable (not past its expiry day in the
 *                         merchant's zone) and not claimed by a live payment attempt.
 *   pending → expired     expireDue: past the end of its expiry day, not claimed.
 *   A pending invoice past its expiry day is already expired to everyone who reads it
 *   (`effectiveStatus`), before the expiry job stores it.
 *
 * payment claim (`payment_locked_until`) — which payment attempt may charge it:
 *   free or lapsed → claimed until T   claimForPayment: pending, not past its expiry day.
 *   claimed until T → free             releaseClaim: only with the same T, so an attempt whose
 *                                      claim lapsed cannot free a newer attempt's claim.
 *   claimed → free                     markPaid clears it as the invoice stops being pending.
 *
 * counters, from any status:
 *   visited_count + 1                  countVisit: a customer opened the link.
 *   sms_status/sms_response            recordDelivery: a message finished (0 none yet → 1 sent
 *                                      or 2 failed); a later resend or reminder may finish
 *                                      either way again, so the latest finished message wins.
 *                                      Deliberately unguarded by status: a message sent before
 *                                      the invoice was paid still reports how it went.
 */

/** `sms_status` codes as Hesabe shows them. */
export const SMS_STATUS = { pending: 0, sent: 1, failed: 2 } as const;

/**
 * The invoice's state as a customer meets it on `today` (merchant-local `YYYY-MM-DD`): a pending
 * invoice past its expiry day is expired even before the expiry job has stored it.
 */
export function effectiveStatus(inv: Pick<Invoice, 'status' | 'expires_on'>, today: string): Invoice['status'] {
  return inv.status === 'pending' && inv.expires_on < today ? 'expired' : inv.status;
}

/**
 * The visit count as a statement returning the whole invoice, for a caller that reads the
 * invoice in the same statement (the public page reads its merchant with it).
 */
export function countVisitStatement(accessKey: string): RawBuilder<Invoice> {
  return sql<Invoice>`UPDATE invoices SET visited_count = coalesce(visited_count, 0) + 1 WHERE access_key = ${accessKey} RETURNING *`;
}

/** visited_count + 1, in any status; the invoice after it, or undefined when no link has that key. */
export async function countVisit(db: Executor, accessKey: string): Promise<Invoice | undefined> {
  const { rows } = await countVisitStatement(accessKey).execute(db);
  return rows[0];
}

export interface Claim {
  invoiceId: bigint;
  /** Merchant-local day: an invoice past its expiry day cannot be claimed. */
  today: string;
  /** When the claim lapses by itself (a crashed attempt holds it no longer). */
  lockUntil: Date;
  now: Date;
}

/**
 * free or lapsed claim → claimed until `lockUntil`, as a statement returning the invoice id when
 * it was claimed, for a caller opening its payment attempt in the same statement. Under
 * concurrency the row lock makes every other claimant re-check these conditions after the
 * winner commits, so exactly one gets a row back.
 */
export function claimForPaymentStatement(c: Claim): RawBuilder<{ id: bigint }> {
  return sql<{ id: bigint }>`UPDATE invoices SET payment_locked_until = ${c.lockUntil}
          WHERE id = ${c.invoiceId} AND status = 'pending' AND expires_on >= ${c.today}::date
            AND (payment_locked_until IS NULL OR payment_locked_until < ${c.now})
          RETURNING id`;
}

/** `claimForPaymentStatement` on its own; whether the invoice was claimed. */
export async function claimForPayment(db: Executor, c: Claim): Promise<boolean> {
  const { rows } = await claimForPaymentStatement(c).execute(db);
  return rows.length > 0;
}

/** claimed until `lockUntil` → free; false when the claim is no longer that one. */
export async function releaseClaim(db: Executor, invoiceId: bigint, lockUntil: Date): Promise<boolean> {
  const r = await db
    .updateTable('invoices')
    .set({ payment_locked_until: null })
    .where('id', '=', invoiceId)
    .where('payment_locked_until', '=', lockUntil)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** The invoice columns its webhook events carry (webhooks.service EventInput). */
export const EVENT_INVOICE_COLUMNS = ['id', 'token', 'amount', 'reference_number', 'webhook_url'] as const;
export type EventInvoice = Pick<Invoice, (typeof EVENT_INVOICE_COLUMNS)[number]>;

/**
 * pending → paid, releasing the claim. Returns what the paid event tells about the invoice;
 * undefined when the invoice was no longer pending.
 */
export async function markPaid(db: Executor, invoiceId: bigint, now: Date): Promise<EventInvoice | undefined> {
  return db
    .updateTable('invoices')
    .set({ status: 'paid', paid_at: now, updated_at: now, payment_locked_until: null })
    .where('id', '=', invoiceId)
    .where('status', '=', 'pending')
    .returning(EVENT_INVOICE_COLUMNS)
    .executeTakeFirst();
}

/**
 * pending → cancelled, only while payable (not past its expiry day) and while no payment
 * attempt holds the invoice. The conditions in the UPDATE are the guard: a payment claiming the
 * invoice at the same moment wins or loses cleanly, never both. Undefined when refused.
 */
export async function cancel(db: Executor, merchantId: bigint, token: string, today: string, now: Date): Promise<Invoice | undefined> {
  return db
    .updateTable('invoices')
    .set({ status: 'cancelled', cancelled_at: now, updated_at: now })
    .where('merchant_id', '=', merchantId)
    .where('token', '=', token)
    .where('status', '=', 'pending')
    .where('expires_on', '>=', today)
    .where((eb) => eb.or([eb('payment_locked_until', 'is', null), eb('payment_locked_until', '<', now)]))
    .returningAll()
    .executeTakeFirst();
}

/**
 * pending → expired for up to `limit` invoices past the end of their expiry day in their
 * merchant's time zone, skipping any a payment attempt holds. SKIP LOCKED: a second process
 * running the same minute takes other rows, never the same ones.
 */
export async function expireDue(db: Executor, now: Date, limit: number): Promise<Invoice[]> {
  const { rows } = await sql<Invoice>`
    WITH due AS (
      SELECT i.id FROM invoices i JOIN merchants m ON m.id = i.merchant_id
      WHERE i.status = 'pending'
        AND i.expires_on < (${now}::timestamptz AT TIME ZONE m.time_zone)::date
        AND (i.payment_locked_until IS NULL OR i.payment_locked_until < ${now})
      ORDER BY i.expires_on
      LIMIT ${limit}
      FOR UPDATE OF i SKIP LOCKED
    )
    UPDATE invoices i SET status = 'expired', expired_at = ${now}, updated_at = ${now}
    FROM due
    WHERE i.id = due.id
    RETURNING i.*`.execute(db);
  return rows;
}

/** The finished message's outcome mirrored on the invoice; false when no invoice has that id. */
export async function recordDelivery(db: Executor, invoiceId: bigint, outcome: 'sent' | 'failed', response: string): Promise<boolean> {
  const r = await db
    .updateTable('invoices')
    .set({ sms_status: outcome === 'sent' ? SMS_STATUS.sent : SMS_STATUS.failed, sms_response: response })
    .where('id', '=', invoiceId)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}
