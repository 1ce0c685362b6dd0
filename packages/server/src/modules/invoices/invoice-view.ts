import { formatMoney } from '@fawtara/wire';
import type { Invoice, InvoiceItem, Merchant } from '../../db/schema.ts';
import { formatTimestamp } from '../../lib/merchant-time.ts';
import type { TransactionObject } from '../payments/transaction-view.ts';

/**
 * The invoice object as Hesabe returns it (seed 000's decrypted reply), field for field and
 * type for type. Fawtara's additions come after the original fields and never change them.
 */
export const KUWAIT_COUNTRY_ID = 11;

/** `invoice_status` codes: null while payable, as in the create reply. */
const STATUS_CODES: Record<Invoice['status'], number | null> = { pending: null, paid: 1, expired: 2, cancelled: 3 };

export interface InvoiceObject {
  id: number;
  invoice_type: number;
  invoice_sub_type: string;
  token: string;
  access_key: string;
  split_access_key: string;
  merchant_id: number;
  reference_number: string | null;
  amount: string;
  service_charge: string;
  payment_method: string[];
  discount: string;
  description: string | null;
  sms_response: string;
  invoice_status: number | null;
  subscription: null;
  sms_status: number;
  url_status: null;
  visited_count: number | null;
  country_id: number;
  created_id: number;
  language: string;
  expires_at: string;
  attachment: string;
  url: string;
  spliturl: null;
  created_at: string;
  updated_at: string;
  en_sms: string;
  ar_sms: string;
  customer: { name: string; email: string | null; phone_number: string };
  created_by_merchant: { id: number; name: string };
  products: Array<{ id: number; item_title: string; rate: string; quantity: number; amount: string }>;
  transaction: TransactionObject | null;
  // Fawtara additions
  status: Invoice['status'];
  currency: string;
  invoice_delivery_type: string;
  webhook: string | null;
  plan_id?: number;
  installment_number?: number;
  installments_count?: number;
  /** Fawtara addition on installments read back: the plan's aggregate state. */
  plan?: { id: number; installments_count: number; paid_count: number; status: PlanStatus };
  /** QR code of `url`. */
  qr_code: { svg: string; png: string };
}

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

/**
 * The invoice's state as a customer meets it on `today` (merchant-local `YYYY-MM-DD`): a pending
 * invoice past its expiry day is expired even before the expiry job has stored it.
 */
export function effectiveStatus(inv: Pick<Invoice, 'status' | 'expires_on'>, today: string): Invoice['status'] {
  return inv.status === 'pending' && inv.expires_on < today ? 'expired' : inv.status;
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
    currency: inv.currency,
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
