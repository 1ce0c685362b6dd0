import {
  CUSTOMER_NAME_MAX_LENGTH,
  DESCRIPTION_MAX_LENGTH,
  INVOICE_AMOUNT_MAX_FILS,
  ITEM_AMOUNT_MAX_FILS,
  ITEM_QUANTITY_MAX,
  ITEM_TITLE_MAX_LENGTH,
  ITEMS_MAX,
  REFERENCE_NUMBER_MAX_LENGTH,
} from '@fawtara/contract';
import { formatMoney } from '@fawtara/wire';
import { asObject, type FieldValidator } from '../../lib/field-validator.ts';
import { readApiCountryCode, readApiMobileNumber } from '../../lib/phone.ts';
import type { Merchant } from '../../db/schema.ts';
import { PAYMENT_METHOD_CODES, PAYMENT_METHODS } from './payment-methods.ts';

/**
 * Validation of one invoice as sent to `POST /api/v1/invoice` or as one element of
 * `POST /api/v1/invoice/emi`. Accepts what real Hesabe clients send (numbers or strings,
 * `allocatePayType` as "1,2" or an array, `itemsList` as an array or a JSON string, "+965"), and
 * refuses everything else with the exact field named.
 */
export interface InvoiceItemInput {
  title: string;
  rate: bigint;
  quantity: number;
  amount: bigint;
}

export interface InvoiceInput {
  amount: bigint;
  customerName: string;
  mobileNumber: string;
  countryCode: '965';
  customerEmail: string | null;
  referenceNumber: string | null;
  description: string | null;
  deliveryType: 0 | 1;
  deliveryChannel: 0 | 1 | 2 | 3;
  paymentMethods: number[];
  expiresOn: string;
  language: 'en' | 'ar';
  webhookUrl: string | null;
  items: InvoiceItemInput[];
}

export interface InvoiceRules {
  merchant: Merchant;
  /** Today in the merchant's time zone, `YYYY-MM-DD`. */
  today: string;
  requireReference: boolean;
  /** Sandbox mode, or a merchant allowed private webhook addresses (development). */
  allowPrivateWebhooks: boolean;
}

export function readInvoice(v: FieldValidator, body: Record<string, unknown>, rules: InvoiceRules): InvoiceInput | undefined {
  const amount = v.money(body, 'amount', { required: true, max: INVOICE_AMOUNT_MAX_FILS });
  const customerName = v.string(body, 'customerName', { required: true, max: CUSTOMER_NAME_MAX_LENGTH });
  const countryCode = readApiCountryCode(v, body);
  const mobileNumber = readApiMobileNumber(v, body);
  const deliveryType = v.code(body, 'invoiceType', ['0', '1'] as const, { required: true, names: '"0" URL sharing, "1" SMS invoice' });
  const deliveryChannel = v.code(body, 'invoiceSubType', ['0', '1', '2', '3'] as const, {
    required: true,
    names: '"0" SMS, "1" WhatsApp, "2" Email, "3" URL',
  });
  const customerEmail = v.email(body, 'customerEmail', {
    required: deliveryChannel === '2',
    requiredReason: 'when invoiceSubType is "2" (Email)',
  });
  const referenceNumber = v.string(body, 'referenceNumber', { required: rules.requireReference, max: REFERENCE_NUMBER_MAX_LENGTH }) ?? null;
  const description = v.string(body, 'description', { max: DESCRIPTION_MAX_LENGTH }) ?? null;
  const paymentMethods = readPaymentMethods(v, body, rules.merchant);
  const expiresOn = v.date(body, 'expiresAt', { required: true, notBefore: rules.today });
  const language = v.code(body, 'language', ['en', 'ar'] as const) ?? rules.merchant.default_language;
  const webhookUrl = v.publicHttpUrl(body, 'webhook', { allowPrivate: rules.allowPrivateWebhooks }) ?? null;
  const items = readItems(v, body, amount);

  if (v.hasErrors()) return undefined;
  return {
    amount: amount!,
    customerName: customerName!,
    mobileNumber: mobileNumber!,
    countryCode: countryCode!,
    customerEmail: customerEmail ?? null,
    referenceNumber,
    description,
    deliveryType: Number(deliveryType) as 0 | 1,
    deliveryChannel: Number(deliveryChannel) as 0 | 1 | 2 | 3,
    paymentMethods: paymentMethods!,
    expiresOn: expiresOn!,
    language,
    webhookUrl,
    items: items ?? [],
  };
}

/**
 * `allocatePayType`: "1,2" (new docs), ["1","2"] or [1,2] (older clients and installment requests). Empty
 * means every method the merchant has enabled. Unknown or disabled codes are errors, never dropped.
 */
function readPaymentMethods(v: FieldValidator, body: Record<string, unknown>, merchant: Merchant): number[] | undefined {
  const field = 'allocatePayType';
  if (!(field in body)) return v.fail(field, `The ${field} field is required (send [] or "" for every payment method enabled for the merchant).`);
  const raw = body[field];
  let parts: unknown[];
  if (raw === null || raw === '') parts = [];
  else if (typeof raw === 'string') parts = raw.split(',').map((s) => s.trim());
  else if (typeof raw === 'number') parts = [raw];
  else if (Array.isArray(raw)) parts = raw;
  else return v.fail(field, `The ${field} field must be a comma-separated string like "1,2" or an array like ["1","2"].`);

  if (parts.length === 0) return [...merchant.payment_methods];
  const codes: number[] = [];
  let bad = false;
  for (const part of parts) {
    const text = typeof part === 'number' ? String(part) : typeof part === 'string' ? part.trim() : '';
    const code = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
    if (!PAYMENT_METHOD_CODES.includes(code)) {
      v.fail(field, `${JSON.stringify(part)} is not a payment method code (known: ${PAYMENT_METHOD_CODES.join(', ')}).`);
      bad = true;
    } else if (!merchant.payment_methods.includes(code)) {
      v.fail(field, `Payment method ${code} (${PAYMENT_METHODS[code]}) is not enabled for this merchant.`);
      bad = true;
    } else if (!codes.includes(code)) {
      codes.push(code);
    }
  }
  return bad ? undefined : codes;
}

function readItems(v: FieldValidator, body: Record<string, unknown>, invoiceAmount: bigint | undefined): InvoiceItemInput[] | undefined {
  const field = 'itemsList';
  let raw = body[field];
  if (raw === undefined || raw === null || raw === '') return [];
  // Hesabe's own app sends the list JSON-encoded inside the payload.
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      return v.fail(field, 'The itemsList field must be an array of items (or a JSON string of one).');
    }
  }
  if (!Array.isArray(raw)) return v.fail(field, 'The itemsList field must be an array of items (or a JSON string of one).');
  if (raw.length > ITEMS_MAX) return v.fail(field, `The itemsList field must not have more than ${ITEMS_MAX} items.`);

  const items: InvoiceItemInput[] = [];
  raw.forEach((entry, i) => {
    const iv = v.nested(field).nested(i);
    const item = asObject(entry);
    if (!item) {
      v.nested(field).fail(String(i), 'Each item must be an object {itemTitle, rate, quantity, amount}.');
      return;
    }
    const title = iv.string(item, 'itemTitle', { required: true, max: ITEM_TITLE_MAX_LENGTH });
    const rate = iv.money(item, 'rate', { required: true, max: ITEM_AMOUNT_MAX_FILS });
    const quantity = iv.positiveInt(item, 'quantity', { required: true, max: ITEM_QUANTITY_MAX });
    const amount = iv.money(item, 'amount', { required: true, max: ITEM_AMOUNT_MAX_FILS });
    if (rate !== undefined && quantity !== undefined && amount !== undefined && amount > rate * BigInt(quantity)) {
      iv.fail('amount', `The amount field must not be greater than rate × quantity (${formatMoney(rate * BigInt(quantity))}).`);
      return;
    }
    if (title !== undefined && rate !== undefined && quantity !== undefined && amount !== undefined) items.push({ title, rate, quantity, amount });
  });
  if (items.length === raw.length && items.length > 0 && invoiceAmount !== undefined) {
    const total = items.reduce((sum, it) => sum + it.amount, 0n);
    if (total < invoiceAmount) {
      v.fail(field, `The items total (${formatMoney(total)}) must not be less than the invoice amount (${formatMoney(invoiceAmount)}).`);
    }
  }
  return items;
}
