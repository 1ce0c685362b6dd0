import type { Static } from 'typebox';
import type { OpenInvoiceObject as OpenInvoiceObjectSchema } from '@fawtara/contract';
import { formatMoney } from '@fawtara/wire';
import type { Merchant, OpenInvoice } from '../../db/schema.ts';
import { formatTimestamp } from '../../lib/merchant-time.ts';

/**
 * The open-invoice object as Hesabe returns it, plus Fawtara's additions at the end; derived from
 * the contract's schema, so the compiler checks the builder against the documentation.
 */
export type OpenInvoiceObject = Static<typeof OpenInvoiceObjectSchema>;

export function openInvoiceUrl(publicBaseUrl: string, publicKey: string): string {
  return `${publicBaseUrl}/open-invoice/checkout/${publicKey}`;
}

/** Wire money, or null for an amount the open invoice does not have (fixed vs min/max). */
export const moneyOrNull = (v: bigint | null) => (v === null ? null : formatMoney(v));

export function toOpenInvoiceObject(row: OpenInvoice, merchant: Merchant, publicBaseUrl: string): OpenInvoiceObject {
  const tz = merchant.time_zone;
  const url = openInvoiceUrl(publicBaseUrl, row.public_key);
  return {
    id: Number(row.id),
    merchant_id: Number(row.merchant_id),
    title: row.title,
    reference_number: row.reference_number,
    type: String(row.amount_type),
    description: row.description,
    fixed_amount: moneyOrNull(row.fixed_amount),
    min_amount: moneyOrNull(row.min_amount),
    max_amount: moneyOrNull(row.max_amount),
    paid_status: row.paid_count > 0 ? 1 : 0,
    // Hesabe shows null on a fresh open invoice; 1 marks a cancelled one.
    status: row.status === 'cancelled' ? 1 : null,
    created_by: Number(row.merchant_id),
    created_at: formatTimestamp(row.created_at, tz),
    updated_at: formatTimestamp(row.updated_at, tz),
    expiry_date: row.expiry_date,
    url,
    total_amount_customer_paid: formatMoney(row.total_paid),
    total_customer_tried_count: row.tried_count,
    total_customer_paid_count: row.paid_count,
    state: row.status,
    currency: 'KWD',
    qr_code: { svg: `${url}/qr.svg`, png: `${url}/qr.png` },
  };
}
