import { SANDBOX_CREDENTIALS } from '@fawtara/wire';
import type { ErrorReply, InvoiceCreateRequest, InvoiceObject, OpenInvoiceCreateRequest, OpenInvoiceObject, TransactionEnquiryReply } from '@fawtara/contract';
import type { Static } from 'typebox';

/**
 * Examples of the documentation, in the shapes the server sends (taken from recorded replies,
 * random identifiers replaced by fixed ones). The types keep them in step with the contract at
 * compile time; the document's linter checks them against the schemas (patterns, enums) too.
 * Requests are the sandbox merchant's, so that "Try it out" on a sandbox gateway works with them.
 */

/** Where the examples' links point: a placeholder, not a gateway anyone runs. */
const BASE = 'https://pay.example.com';
const INVOICE_KEY = 'Vh3kQ9xZr2LmT7pW4sNc8bYd';
const CHECKOUT_KEY = 'Jq6RtY2uWn9cX4vB7mKz3hLs';

export interface OperationExample<Request = unknown, Response = unknown> {
  /** The decrypted payload (or the plain body) of a request that succeeds. */
  request?: Request;
  /** What the success reply carries in `response` (or the whole plain reply). */
  response?: Response;
}

const invoiceRequest = {
  merchantCode: SANDBOX_CREDENTIALS.merchantCode,
  mobileNumber: '66666666',
  customerName: 'TEST',
  referenceNumber: '12349899',
  amount: '20.000',
  countryCode: '965',
  invoiceType: '1',
  invoiceSubType: '3',
  allocatePayType: '1,2',
  description: 'Invoice testing',
  customerEmail: 'test@gmail.com',
  expiresAt: '2030-12-31',
} satisfies InvoiceCreateRequest;

const invoice = {
  id: 1,
  invoice_type: 1,
  invoice_sub_type: '3',
  token: '17637264000000000000000001',
  access_key: INVOICE_KEY,
  split_access_key: '',
  merchant_id: 1,
  reference_number: '12349899',
  amount: '20.000',
  service_charge: '0.000',
  payment_method: ['1', '2'],
  discount: '0.000',
  description: 'Invoice testing',
  sms_response: '',
  invoice_status: null,
  subscription: null,
  sms_status: 0,
  url_status: null,
  visited_count: null,
  country_id: 11,
  created_id: 1,
  language: 'en',
  expires_at: '2030-12-31',
  attachment: '',
  url: `${BASE}/s/${INVOICE_KEY}`,
  spliturl: null,
  created_at: '2026-11-21 12:00:00',
  updated_at: '2026-11-21 12:00:00',
  en_sms: 'Hi TEST , \r\nYour transaction amount is KD 20.000 with the ref no : 12349899 . Review and pay at',
  ar_sms: 'hi TEST,\r\nمبلغ الصفقة هو دينار كويتي 20.000 مع المرجع رقم: 12349899. مراجعة وتدفع في',
  customer: { name: 'TEST', email: 'test@gmail.com', phone_number: '96566666666' },
  created_by_merchant: { id: 1, name: 'Fawtara Sandbox' },
  products: [],
  transaction: null,
  status: 'pending',
  currency: 'KWD',
  invoice_delivery_type: '1',
  webhook: null,
  qr_code: { svg: `${BASE}/s/${INVOICE_KEY}/qr.svg`, png: `${BASE}/s/${INVOICE_KEY}/qr.png` },
} satisfies InvoiceObject;

export const createInvoiceExample: OperationExample<InvoiceCreateRequest, InvoiceObject> = { request: invoiceRequest, response: invoice };

export const createOpenInvoiceExample: OperationExample<OpenInvoiceCreateRequest, OpenInvoiceObject> = {
  request: {
    merchantCode: SANDBOX_CREDENTIALS.merchantCode,
    title: 'Test',
    amountType: '0',
    fixAmount: '100.000',
    expiryDate: '2030-12-05',
    description: 'testing open invoice',
  },
  response: {
    id: 1,
    merchant_id: 1,
    title: 'Test',
    reference_number: '17637264000000000000000002',
    type: '0',
    description: 'testing open invoice',
    fixed_amount: '100.000',
    min_amount: null,
    max_amount: null,
    paid_status: 0,
    status: null,
    created_by: 1,
    created_at: '2026-11-21 12:00:00',
    updated_at: '2026-11-21 12:00:00',
    expiry_date: '2030-12-05',
    url: `${BASE}/open-invoice/checkout/${CHECKOUT_KEY}`,
    total_amount_customer_paid: '0.000',
    total_customer_tried_count: null,
    total_customer_paid_count: 0,
    state: 'active',
    currency: 'KWD',
    qr_code: { svg: `${BASE}/open-invoice/checkout/${CHECKOUT_KEY}/qr.svg`, png: `${BASE}/open-invoice/checkout/${CHECKOUT_KEY}/qr.png` },
  },
};

const payment = {
  token: '17637264000000000000000001',
  amount: '20.000',
  reference_number: '12349899',
  status: 'SUCCESSFUL',
  TransactionID: '176372640000001',
  Id: 1,
  PaymentID: '176372640000001',
  Terminal: 'SANDBOX01',
  TrackID: '176372640000002',
  payment_type: 'KNET',
  service_type: 'SMS Payment',
  customerName: 'TEST',
  customerEmail: 'test@gmail.com',
  customerMobile: '66666666',
  customerCardType: 'KNET',
  customerCard: '888888******0001',
  datetime: '2026-11-21 12:00:00',
  result_code: 'CAPTURED',
  failure_reason: null,
  currency: 'KWD',
  payment_method: '1',
  invoice_id: 1,
  open_invoice_id: null,
} satisfies Static<typeof TransactionEnquiryReply>['results'][number];

export const enquireTransactionExample: OperationExample<never, Static<typeof TransactionEnquiryReply>> = {
  response: { status: true, message: 'Transaction found', data: payment, results: [payment] },
};

const tokenPair = {
  token: {
    token_type: 'Bearer' as const,
    expires_in: 900,
    access_token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIiwibWlkIjoiMSJ9.c2lnbmF0dXJl',
    refresh_token: 'rt_4Yb8Qm2Kx7Vn3Lp9Wz6Tc1Hs5Df0Ga',
  },
};

export const loginExample: OperationExample<{ username: string; password: string }, typeof tokenPair> = {
  request: { username: SANDBOX_CREDENTIALS.username, password: SANDBOX_CREDENTIALS.password },
  response: tokenPair,
};

export const refreshTokenExample: OperationExample<{ refreshToken: string }, typeof tokenPair> = {
  request: { refreshToken: 'rt_4Yb8Qm2Kx7Vn3Lp9Wz6Tc1Hs5Df0Ga' },
  response: tokenPair,
};

/** The failures every encrypted operation can answer with, by status. */
export const errorExamples = {
  400: { status: false, code: 506, message: 'Invalid Request Data', response: null },
  401: { status: false, code: 500, message: 'Invalid Token', response: null },
  422: {
    status: false,
    code: 422,
    message: 'The amount field must be an amount with at most three decimals. (and 1 more error)',
    response: {
      amount: ['The amount field must be an amount with at most three decimals.'],
      mobileNumber: ['The mobileNumber field must be a Kuwaiti mobile number of 8 digits, without the country code.'],
    },
  },
} satisfies Record<number, ErrorReply>;
