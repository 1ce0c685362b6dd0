import type { Static } from 'typebox';
import type { InvoiceObject as InvoiceObjectSchema } from '@fawtara/contract';
import { formatMoney } from '@fawtara/wire';
import type { Invoice, InvoiceItem, Merchant } from '../../db/schema.ts';
import { formatTimestamp } from '../../lib/merchant-time.ts';
import type { TransactionObject } from '../payments/transaction-view.ts';

/** Hesabe's id of Kuwait, the only country an invoice or a merchant can be in. */
export const KUWAIT_COUNTRY_ID = 11;

/** `invoice_status` codes: null while payable, as in the create reply. */
const STATUS_CODES: Record<Invoice['status'], number | null> = { pending: null, paid: 1, expired: 2, cancelled: 3 };

/**
 * The invoice object as Hesabe returns it, field for field and type for type, with Fawtara's
 * additions after the original fields. Derived from the contract's schema, so the compiler checks
 * the builder below against what the documentation says.
 */
export type InvoiceObject = Static<typeof InvoiceObjectSchema>;

export type PlanStatus = 'pending' | 'partially_paid' | 'paid' | 'cancelled';

/** A plan is paid when every installment is paid; cancelled when every one is cancelled. */
export function planStatus(count: number, paid: number, cancelled: number): PlanStatus {
  if (paid === count) return 'paid';
  if (cancelled === count) return 'cancelled';
  return paid > 0 ? 'partially_paid' : 'pending';
}

/** The SMS/WhatsApp texts; the delivery appends the link after "pay at". */
export function smsTexts(inv: Pick<Invoice, 'customer_name' | 'amount' | 'reference_number' | 'token'>): { en: string; ar: string } {
  const amount = formatMoney(inv.amount);
  const ref = inv.reference_number ?? inv.token;
  return {
    en: `Hi ${inv.customer_name} , \r\nYour transaction amount is KD ${amount} with the ref no : ${ref} . Review and pay at`,
    ar: `hi ${inv.customer_name},\r\nمبلغ الصفقة هو دينار كويتي ${amount} مع المرجع رقم: ${ref}. مراجعة وتدفع في`,
  };
}

export function invoicePageUrl(publicBaseUrl: string, accessKey: string): string {
  return `${publicBaseUrl}/s/${accessKey}`;
}

export function toInvoiceObject(
  inv: Invoice,
  items: InvoiceItem[],
  merchant: Merchant,
  publicBaseUrl: string,
  plan?: { installmentsCount: number; paid?: number; cancelled?: number },
  transaction: TransactionObject | null = null,
): InvoiceObject {
  const tz = merchant.time_zone;
  const sms = smsTexts(inv);
  const url = invoicePageUrl(publicBaseUrl, inv.access_key);
  const obj: InvoiceObject = {
    id: Number(inv.id),
    invoice_type: inv.kind === 'installment' ? 2 : 1,
    invoice_sub_type: String(inv.delivery_channel),
    token: inv.token,
    access_key: inv.access_key,
    split_access_key: '',
    merchant_id: Number(inv.merchant_id),
    reference_number: inv.reference_number,
    amount: formatMoney(inv.amount),
    service_charge: '0.000',
    payment_method: inv.payment_methods.map(String),
    discount: '0.000',
    description: inv.description,
    sms_response: inv.sms_response,
    invoice_status: STATUS_CODES[inv.status],
    subscription: null,
    sms_status: inv.sms_status,
    url_status: null,
    visited_count: inv.visited_count,
    country_id: KUWAIT_COUNTRY_ID,
    created_id: Number(inv.merchant_id),
    language: inv.language,
    expires_at: inv.expires_on,
    attachment: '',
    url,
    spliturl: null,
    created_at: formatTimestamp(inv.created_at, tz),
    updated_at: formatTimestamp(inv.updated_at, tz),
    en_sms: sms.en,
    ar_sms: sms.ar,
    customer: { name: inv.customer_name, email: inv.customer_email, phone_number: inv.country_code + inv.mobile_number },
    created_by_merchant: { id: Number(merchant.id), name: merchant.name },
    products: [...items]
      .sort((a, b) => a.position - b.position)
      .map((it) => ({ id: Number(it.id), item_title: it.title, rate: formatMoney(it.rate), quantity: it.quantity, amount: formatMoney(it.amount) })),
    transaction,
    status: inv.status,
    // The only currency the column's CHECK constraint allows.
    currency: 'KWD',
    invoice_delivery_type: String(inv.delivery_type),
    webhook: inv.webhook_url,
    qr_code: { svg: `${url}/qr.svg`, png: `${url}/qr.png` },
  };
  if (inv.kind === 'installment' && inv.plan_id !== null && inv.installment_number !== null) {
    obj.plan_id = Number(inv.plan_id);
    obj.installment_number = inv.installment_number;
    if (plan) {
      obj.installments_count = plan.installmentsCount;
      if (plan.paid !== undefined) {
        obj.plan = {
          id: Number(inv.plan_id),
          installments_count: plan.installmentsCount,
          paid_count: plan.paid,
          status: planStatus(plan.installmentsCount, plan.paid, plan.cancelled ?? 0),
        };
      }
    }
  }
  return obj;
}
