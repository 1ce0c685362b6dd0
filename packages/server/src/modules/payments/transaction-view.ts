import type { Static } from 'typebox';
import type { TransactionObject as TransactionObjectSchema } from '@fawtara/contract';
import { formatMoney } from '@fawtara/wire';
import type { PaymentTransaction } from '../../db/schema.ts';
import { formatTimestamp } from '../../lib/merchant-time.ts';
import { PAYMENT_METHODS } from '../invoices/payment-methods.ts';

/**
 * A transaction as Hesabe's enquiry returns it, field for field, with Fawtara's additions last.
 * `status` is SUCCESSFUL or FAILED; an attempt still waiting for the acquirer shows PENDING.
 * Derived from the contract's schema, so the compiler checks the builder against the documentation.
 */
export type TransactionObject = Static<typeof TransactionObjectSchema>;

/** Hesabe's service types: invoices are "SMS Payment", payment links "Open Invoice". */
export function serviceType(tx: Pick<PaymentTransaction, 'invoice_id'>): string {
  return tx.invoice_id !== null ? 'SMS Payment' : 'Open Invoice';
}

/** When the attempt happened, merchant-local: its completion, or its start while still open. */
export function transactionTime(tx: Pick<PaymentTransaction, 'completed_at' | 'created_at'>, timeZone: string): string {
  return formatTimestamp(tx.completed_at ?? tx.created_at, timeZone);
}

export function toTransactionObject(tx: PaymentTransaction, timeZone: string): TransactionObject {
  return {
    token: tx.token,
    amount: formatMoney(tx.amount),
    reference_number: tx.reference_number,
    status: tx.status === 'PROCESSING' ? 'PENDING' : tx.status,
    // The sandbox acquirer has one id per payment; a real KNET connector reports its TranID here.
    TransactionID: tx.payment_id,
    Id: Number(tx.id),
    PaymentID: tx.payment_id,
    Terminal: tx.terminal,
    TrackID: tx.track_id,
    payment_type: PAYMENT_METHODS[tx.method] ?? String(tx.method),
    service_type: serviceType(tx),
    customerName: tx.customer_name,
    customerEmail: tx.customer_email,
    customerMobile: tx.customer_mobile,
    customerCardType: tx.card_type,
    customerCard: tx.masked_card,
    datetime: transactionTime(tx, timeZone),
    result_code: tx.result_code,
    failure_reason: tx.failure_reason,
    // The only currency the column's CHECK constraint allows.
    currency: 'KWD',
    payment_method: String(tx.method),
    invoice_id: tx.invoice_id === null ? null : Number(tx.invoice_id),
    open_invoice_id: tx.open_invoice_id === null ? null : Number(tx.open_invoice_id),
  };
}
