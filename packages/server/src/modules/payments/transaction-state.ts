import type { Executor } from '../../db/database.ts';
import type { PaymentTransaction } from '../../db/schema.ts';

/**
 * The only writer of `transactions` once a row exists (state-ownership.test.ts enforces it).
 * Opening an attempt (the INSERT, with its invoice's claim) and reading attempts belong to
 * payments.repo.ts.
 *
 * An attempt is opened PROCESSING and settles once: PROCESSING → SUCCESSFUL or
 * PROCESSING → FAILED. Both outcomes are final; the live settlement and the sweep of stale
 * attempts may race to settle the same one, and the guard lets only the first record its outcome.
 */

export interface CompletedAttempt {
  status: 'SUCCESSFUL' | 'FAILED';
  paymentId: string | null;
  terminal: string | null;
  resultCode: string | null;
  failureReason: string | null;
  cardType: string | null;
  maskedCard: string | null;
  now: Date;
}

/** PROCESSING → SUCCESSFUL | FAILED; undefined when the attempt was already settled. */
export async function complete(db: Executor, id: bigint, c: CompletedAttempt): Promise<PaymentTransaction | undefined> {
  return db
    .updateTable('transactions')
    .set({
      status: c.status,
      payment_id: c.paymentId,
      terminal: c.terminal,
      result_code: c.resultCode,
      failure_reason: c.failureReason,
      card_type: c.cardType,
      masked_card: c.maskedCard,
      completed_at: c.now,
    })
    .where('id', '=', id)
    .where('status', '=', 'PROCESSING')
    .returningAll()
    .executeTakeFirst();
}
