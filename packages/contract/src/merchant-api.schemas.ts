import { Type, type Static, type TSchema } from 'typebox';
import { EMAIL_MAX_LENGTH, EMAIL_PATTERN } from './email.ts';
import {
  CUSTOMER_NAME_MAX_LENGTH,
  DESCRIPTION_MAX_LENGTH,
  filsAsKwd,
  INSTALLMENTS_MAX,
  INVOICE_AMOUNT_MAX_FILS,
  ITEM_AMOUNT_MAX_FILS,
  ITEM_QUANTITY_MAX,
  ITEM_TITLE_MAX_LENGTH,
  ITEMS_MAX,
  OPEN_INVOICE_TITLE_MAX_LENGTH,
  PAGE_MAX,
  PAGE_SIZE,
  PAGE_SIZE_MAX,
  REFERENCE_NUMBER_MAX_LENGTH,
  REMINDER_DAYS_MAX,
  SEARCH_MAX_LENGTH,
  SEARCH_MIN_LENGTH,
  URL_MAX_LENGTH,
} from './limits.ts';
import { COUNTRY_CODE_INPUTS, MOBILE_NUMBER_DIGITS, MOBILE_NUMBER_PATTERN } from './phone.ts';

/**
 * JSON Schemas (TypeBox) of the merchant API's decrypted payloads and replies. They document
 * the API (OpenAPI), give the SDK its types, and tests check real replies against them so the
 * documentation cannot drift from the code.
 */
/** A KWD amount of a request, from 0.001 up to `maxFils`; a string cannot carry `maximum`, so the description states it. */
const MoneyUpTo = (maxFils: bigint) =>
  Type.Union([Type.String({ pattern: '^[0-9]+(\\.[0-9]{1,3})?$' }), Type.Number({ exclusiveMinimum: 0, maximum: Number(maxFils) / 1000 })], {
    description: `KWD amount, at most three decimals ("20.000", "20.5" or 20.5), from 0.001 to ${filsAsKwd(maxFils)}. More decimals are an error, never rounded.`,
    examples: ['20.000'],
  });
const Money = MoneyUpTo(INVOICE_AMOUNT_MAX_FILS);
const ItemMoney = MoneyUpTo(ITEM_AMOUNT_MAX_FILS);
const MoneyOut = Type.String({ pattern: '^-?[0-9]+\\.[0-9]{3}$', description: 'KWD with exactly three decimals', examples: ['20.000'] });
const Code = (values: string[], description: string) => Type.Union([Type.String({ enum: values }), Type.Integer()], { description });
const DateString = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'YYYY-MM-DD', examples: ['2026-12-31'] });
const Timestamp = Type.String({ description: "YYYY-MM-DD HH:MM:SS in the merchant's time zone", examples: ['2025-10-05 11:11:58'] });
const Nullable = <T extends TSchema>(t: T, options: { description?: string } = {}) => Type.Union([t, Type.Null()], options);

export const MerchantCode = Type.String({ description: 'The merchant code; must belong to the accessCode and the bearer token', examples: ['842217'] });

export const InvoiceItemInput = Type.Object({
  itemTitle: Type.String({ maxLength: ITEM_TITLE_MAX_LENGTH }),
  rate: ItemMoney,
  quantity: Type.Union([Type.String(), Type.Integer({ minimum: 1, maximum: ITEM_QUANTITY_MAX })], {
    description: `Whole number from 1 to ${ITEM_QUANTITY_MAX}`,
  }),
  amount: Type.Union([ItemMoney], { description: `Line amount, at most ${filsAsKwd(ITEM_AMOUNT_MAX_FILS)}; not above rate × quantity` }),
});

const invoiceFields = {
  amount: Money,
  customerName: Type.String({ maxLength: CUSTOMER_NAME_MAX_LENGTH }),
  mobileNumber: Type.String({ pattern: MOBILE_NUMBER_PATTERN, description: `Kuwaiti mobile number, ${MOBILE_NUMBER_DIGITS} digits, without country code` }),
  countryCode: Type.String({ enum: [...COUNTRY_CODE_INPUTS] }),
  invoiceType: Code(['0', '1'], '"0" URL sharing, "1" SMS invoice'),
  invoiceSubType: Code(['0', '1', '2', '3'], 'Delivery: "0" SMS, "1" WhatsApp, "2" Email, "3" URL only'),
  allocatePayType: Type.Union([Type.String(), Type.Array(Type.Union([Type.String(), Type.Integer()]))], {
    description:
      'Allowed payment methods: "1,2", ["1","2"] or [1,2]; empty = every method enabled for the merchant. 1 KNET, 2 MPGS, 5 CYBS, 7 AMEX, 8 MPGS AMEX, 9 MPGS Apple Pay, 10 CYBS Apple Pay, 11 KNET Debit Apple Pay, 12 KNET Credit Apple Pay, 13 KNET Apple Pay International, 14 AMEX Apple Pay International, 16 Google Pay',
  }),
  expiresAt: Type.Union([DateString], { description: "Last day the invoice can be paid (merchant's time zone); not in the past" }),
  customerEmail: Type.Optional(Type.String({ pattern: EMAIL_PATTERN, maxLength: EMAIL_MAX_LENGTH, description: 'Required when invoiceSubType is "2"' })),
  language: Type.Optional(Type.String({ enum: ['en', 'ar'] })),
  description: Type.Optional(Type.String({ maxLength: DESCRIPTION_MAX_LENGTH })),
  webhook: Type.Optional(Type.String({ format: 'uri', maxLength: URL_MAX_LENGTH, description: 'http(s) URL notified about this invoice' })),
  itemsList: Type.Optional(
    Type.Union([Type.Array(InvoiceItemInput, { maxItems: ITEMS_MAX }), Type.String({ description: `JSON-encoded array (at most ${ITEMS_MAX} items)` })], {
      description: 'Line items; their total must not be less than the invoice amount',
    }),
  ),
};

export const InvoiceCreateRequest = Type.Object({
  merchantCode: MerchantCode,
  referenceNumber: Type.Optional(Type.String({ maxLength: REFERENCE_NUMBER_MAX_LENGTH, description: "Merchant's invoice number" })),
  ...invoiceFields,
});

export const InstallmentInput = Type.Object({
  merchantCode: Type.Optional(MerchantCode),
  referenceNumber: Type.String({ maxLength: REFERENCE_NUMBER_MAX_LENGTH }),
  ...invoiceFields,
});

export const EmiCreateRequest = Type.Object({
  merchantCode: MerchantCode,
  invoices: Type.Array(InstallmentInput, { minItems: 1, maxItems: INSTALLMENTS_MAX, description: 'Installments in order; all are created or none' }),
});

export const OpenInvoiceCreateRequest = Type.Object({
  merchantCode: MerchantCode,
  title: Type.String({ maxLength: OPEN_INVOICE_TITLE_MAX_LENGTH }),
  amountType: Code(['0', '1'], '"0" fixed amount, "1" customer chooses between minAmount and maxAmount'),
  fixAmount: Type.Optional(Type.Union([Money, Type.Literal('')], { description: 'Required for amountType "0"' })),
  minAmount: Type.Optional(Type.Union([Money, Type.Literal('')], { description: 'Required for amountType "1"' })),
  maxAmount: Type.Optional(Type.Union([Money, Type.Literal('')], { description: 'Required for amountType "1"; greater than minAmount' })),
  expiryDate: Type.Optional(DateString),
  description: Type.Optional(Type.String({ maxLength: DESCRIPTION_MAX_LENGTH })),
});

export const TransactionObject = Type.Object(
  {
    token: Type.String({ description: 'Payment token (digits)' }),
    amount: MoneyOut,
    reference_number: Nullable(Type.String({ description: "Order reference: the invoice's reference number (or its token), or the open invoice's" })),
    status: Type.String({ enum: ['SUCCESSFUL', 'FAILED', 'PENDING'], description: 'PENDING while the acquirer has not answered' }),
    TransactionID: Nullable(Type.String()),
    Id: Type.Integer(),
    PaymentID: Nullable(Type.String()),
    Terminal: Nullable(Type.String()),
    TrackID: Type.String(),
    payment_type: Type.String({ description: 'Name of the payment method (KNET, MPGS, …)' }),
    service_type: Type.String({ description: '"SMS Payment" (invoice) or "Open Invoice"' }),
    customerName: Nullable(Type.String()),
    customerEmail: Nullable(Type.String()),
    customerMobile: Nullable(Type.String()),
    customerCardType: Nullable(Type.String()),
    customerCard: Nullable(Type.String({ description: 'Masked: first six and last four digits' })),
    datetime: Timestamp,
    result_code: Nullable(Type.String({ description: 'Fawtara addition: acquirer result (CAPTURED, NOT CAPTURED, DECLINED, …)' })),
    failure_reason: Nullable(Type.String({ description: 'Fawtara addition: why it failed (declined, expired_card, timed_out, …)' })),
    currency: Type.Literal('KWD', { description: 'Fawtara addition' }),
    payment_method: Type.String({ description: 'Fawtara addition: one of the payment method codes' }),
    invoice_id: Nullable(Type.Integer({ description: 'Fawtara addition' })),
    open_invoice_id: Nullable(Type.Integer({ description: 'Fawtara addition' })),
  },
  { description: 'A payment attempt, as the transaction enquiry returns it' },
);

export const QrCodeLinks = Type.Object(
  { svg: Type.String({ format: 'uri' }), png: Type.String({ format: 'uri' }) },
  { description: 'Fawtara addition: QR code of the url, as SVG and PNG (stable URLs)' },
);

export const TransactionEnquiryReply = Type.Object({
  status: Type.Boolean(),
  message: Type.String({ examples: ['Transaction found'] }),
  data: Nullable(TransactionObject),
  results: Type.Array(TransactionObject, { description: 'Every attempt matching the token or order reference, oldest first' }),
});

export const InvoiceObject = Type.Object({
  id: Type.Integer(),
  invoice_type: Type.Integer({ description: '1 single invoice, 2 installment' }),
  invoice_sub_type: Type.String({ description: 'Delivery channel code as sent' }),
  token: Type.String({ description: 'Numeric token used by cancel (PUT /api/v1/invoice/{token})' }),
  access_key: Type.String({ description: 'Public key of the payment page (≥128 random bits)' }),
  split_access_key: Type.String(),
  merchant_id: Type.Integer(),
  reference_number: Nullable(Type.String()),
  amount: MoneyOut,
  service_charge: MoneyOut,
  payment_method: Type.Array(Type.String()),
  discount: MoneyOut,
  description: Nullable(Type.String()),
  sms_response: Type.String(),
  invoice_status: Nullable(Type.Integer({ description: 'null payable, 1 paid, 2 expired, 3 cancelled' })),
  subscription: Type.Null(),
  sms_status: Type.Integer(),
  url_status: Type.Null(),
  visited_count: Nullable(Type.Integer()),
  country_id: Type.Integer(),
  created_id: Type.Integer(),
  language: Type.String({ enum: ['en', 'ar'] }),
  expires_at: DateString,
  attachment: Type.String(),
  url: Type.String({ description: 'Hosted payment page' }),
  spliturl: Type.Null(),
  created_at: Timestamp,
  updated_at: Timestamp,
  en_sms: Type.String(),
  ar_sms: Type.String(),
  customer: Type.Object({ name: Type.String(), email: Nullable(Type.String()), phone_number: Type.String() }),
  created_by_merchant: Type.Object({ id: Type.Integer(), name: Type.String() }),
  products: Type.Array(Type.Object({ id: Type.Integer(), item_title: Type.String(), rate: MoneyOut, quantity: Type.Integer(), amount: MoneyOut })),
  transaction: Nullable(TransactionObject, { description: 'The payment that paid it (null until paid)' }),
  status: Type.String({ enum: ['pending', 'paid', 'cancelled', 'expired'], description: 'Fawtara addition' }),
  currency: Type.Literal('KWD', { description: 'Fawtara addition' }),
  invoice_delivery_type: Type.String({ description: 'Fawtara addition: the request invoiceType ("0" URL, "1" SMS)' }),
  webhook: Nullable(Type.String({ description: 'Fawtara addition' })),
  qr_code: QrCodeLinks,
  plan_id: Type.Optional(Type.Integer({ description: 'Fawtara addition, installments only' })),
  installment_number: Type.Optional(Type.Integer({ description: 'Fawtara addition, installments only (1-based)' })),
  installments_count: Type.Optional(Type.Integer({ description: 'Fawtara addition, installments only' })),
  plan: Type.Optional(
    Type.Object(
      {
        id: Type.Integer(),
        installments_count: Type.Integer(),
        paid_count: Type.Integer(),
        status: Type.String({
          enum: ['pending', 'partially_paid', 'paid', 'cancelled'],
          description: 'paid when every installment is paid, cancelled when every one is cancelled',
        }),
      },
      { description: "Fawtara addition, installments read back (details, dashboard): the plan's state" },
    ),
  ),
});

export const OpenInvoiceObject = Type.Object({
  id: Type.Integer(),
  merchant_id: Type.Integer(),
  title: Type.String(),
  reference_number: Type.String(),
  type: Type.String({ enum: ['0', '1'] }),
  description: Nullable(Type.String()),
  fixed_amount: Nullable(MoneyOut),
  min_amount: Nullable(MoneyOut),
  max_amount: Nullable(MoneyOut),
  paid_status: Type.Integer(),
  status: Nullable(Type.Integer()),
  created_by: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
  expiry_date: Nullable(DateString),
  url: Type.String({ description: 'Public checkout link (≥128 random bits)' }),
  total_amount_customer_paid: MoneyOut,
  total_customer_tried_count: Nullable(Type.Integer()),
  total_customer_paid_count: Type.Integer(),
  state: Type.String({ enum: ['active', 'cancelled'], description: 'Fawtara addition' }),
  currency: Type.Literal('KWD', { description: 'Fawtara addition' }),
  qr_code: QrCodeLinks,
});

const PageMeta = {
  current_page: Type.Integer(),
  from: Nullable(Type.Integer()),
  to: Nullable(Type.Integer()),
  last_page: Type.Integer(),
  per_page: Type.Integer(),
  total: Type.Integer(),
};

export const ListQuery = Type.Object({
  merchantCode: MerchantCode,
  fromDate: Type.Optional(DateString),
  toDate: Type.Optional(DateString),
  page: Type.Optional(Type.Union([Type.String(), Type.Integer({ minimum: 1, maximum: PAGE_MAX })])),
  perPage: Type.Optional(
    Type.Union([Type.String(), Type.Integer({ minimum: 1, maximum: PAGE_SIZE_MAX })], { description: `Fawtara addition; default ${PAGE_SIZE}` }),
  ),
  search: Type.Optional(Type.String({ maxLength: SEARCH_MAX_LENGTH })),
});

export const DashboardQuery = Type.Object({
  ...ListQuery.properties,
  search: Type.Optional(Type.String({ minLength: SEARCH_MIN_LENGTH, maxLength: SEARCH_MAX_LENGTH })),
  invoiceType: Type.Optional(Code(['0', '1', '6', '7'], '"1" single, "0" subscription, "6" split, "7" HeStallMent')),
});

const Stats = Type.Object({
  total_invoice_count: Type.Integer(),
  invoice_paid: Type.String(),
  invoice_not_paid: Type.String({ description: 'Pending and expired' }),
  invoice_cancelled: Type.String(),
});

export const DashboardReply = Type.Object({
  stats: Stats,
  order_stats: Stats,
  invoices: Type.Object({ ...PageMeta, data: Type.Array(InvoiceObject), total_is_capped: Type.Optional(Type.Boolean()) }),
});

export const OpenInvoiceList = Type.Object({ ...PageMeta, data: Type.Array(OpenInvoiceObject) });

export const MerchantOnly = Type.Object({ merchantCode: MerchantCode });
export const ResendRequest = Type.Object({
  merchantCode: MerchantCode,
  resendId: Type.Union([Type.String(), Type.Integer()], { description: 'The invoice id' }),
  mobileNumber: Type.String({ pattern: MOBILE_NUMBER_PATTERN }),
  countryCode: Type.String({ enum: [...COUNTRY_CODE_INPUTS] }),
});
export const StatusUpdateRequest = Type.Object({ merchantCode: MerchantCode, statusId: Type.Literal('3', { description: '"3" cancels' }) });
export const OpenInvoiceUpdateRequest = Type.Object({ merchantCode: MerchantCode, expiryDate: DateString });
export const ProfileObject = Type.Object({
  id: Type.Integer(),
  user_id: Nullable(Type.Integer({ description: 'The panel user the bearer token belongs to' })),
  username: Type.String({ description: 'The merchant code' }),
  email: Nullable(Type.String()),
  business_name: Type.String(),
  business_type_id: Type.Null(),
  country_id: Type.Integer(),
  website_url: Nullable(Type.String()),
  company_logo: Type.Null(),
  business_address: Type.Null(),
  is_active: Type.Integer({ description: '1 active, 0 disabled' }),
  is_approved: Type.Integer(),
  merchant_code: Type.String({ description: 'Fawtara addition' }),
  panel_username: Nullable(Type.String({ description: "Fawtara addition: the panel user's login" })),
  phone: Nullable(Type.String({ description: 'Fawtara addition' })),
  sandbox: Type.Boolean({ description: 'Fawtara addition: payments go to the sandbox acquirer' }),
  payment_methods: Type.Array(Type.Object({ id: Type.String(), name: Type.String() }), { description: 'The payment methods enabled for the merchant' }),
  settings: Type.Object(
    {
      time_zone: Type.String({ examples: ['Asia/Kuwait'] }),
      default_language: Type.String({ enum: ['en', 'ar'] }),
      webhook_url: Nullable(Type.String()),
      reminder_days: Nullable(Type.Integer()),
    },
    { description: 'Fawtara addition' },
  ),
});

/** `{"status":true,"message":…,"response":…}` — the decrypted reply. */
export const Reply = <T extends TSchema>(response: T) => Type.Object({ status: Type.Boolean(), message: Type.String(), response });

export const ErrorReply = Type.Object({
  status: Type.Literal(false),
  code: Type.Integer({ description: '506 undecryptable, 500 invalid token, 501 invalid merchant, 422 validation, 404, 409, 429' }),
  message: Type.String(),
  response: Nullable(Type.Record(Type.String(), Type.Array(Type.String()), { description: 'Field errors by path, e.g. {"invoices.1.amount": ["…"]}' })),
});

/** What travels: the hex of AES-256-CBC over JSON, with the merchant's secret key and IV. */
export const EncryptedData = Type.String({
  pattern: '^[0-9a-fA-F]+$',
  description: "Hex of AES-256-CBC over the JSON text, with the merchant's secret key and IV (32-byte block padding)",
});
export const EncryptedRequest = Type.Object(
  { data: Type.Union([EncryptedData], { description: 'The encrypted payload; may also be sent as a form or multipart field, a text/plain body or ?data=' }) },
  { additionalProperties: true },
);
export const EncryptedReply = Type.Object({ response: Type.Union([EncryptedData], { description: 'The encrypted reply' }) });

export type InvoiceCreateRequest = Static<typeof InvoiceCreateRequest>;
export type EmiCreateRequest = Static<typeof EmiCreateRequest>;
export type OpenInvoiceCreateRequest = Static<typeof OpenInvoiceCreateRequest>;
export type InvoiceObject = Static<typeof InvoiceObject>;
export type OpenInvoiceObject = Static<typeof OpenInvoiceObject>;
export type ErrorReply = Static<typeof ErrorReply>;

// ---------------------------------------------------------------- webhooks (Fawtara additions)

/** The event types Fawtara sends (literals, so `Static` gives the union, not `string`). */
export const WebhookEventTypeSchema = Type.Union([
  Type.Literal('invoice.paid'),
  Type.Literal('invoice.payment_failed'),
  Type.Literal('invoice.expired'),
  Type.Literal('invoice.cancelled'),
  Type.Literal('open_invoice.paid'),
  Type.Literal('open_invoice.payment_failed'),
]);
export type WebhookEventType = Static<typeof WebhookEventTypeSchema>;

export const WebhookEventObject = Type.Object({
  id: Type.String({ description: 'Event id (evt_…); also the fawtara-event-id header and event_id in the body' }),
  type: WebhookEventTypeSchema,
  created_at: Timestamp,
  invoice_id: Nullable(Type.Integer()),
  open_invoice_id: Nullable(Type.Integer()),
  payload: Type.Unknown({ description: 'The body sent, byte for byte the same on every delivery' }),
  deliveries: Type.Array(
    Type.Object({
      url: Type.String(),
      status: Type.String({ enum: ['pending', 'delivered', 'dead'] }),
      attempts: Type.Integer(),
      last_status_code: Nullable(Type.Integer()),
      last_error: Nullable(Type.String()),
      next_attempt_at: Nullable(Timestamp),
      delivered_at: Nullable(Timestamp),
      log: Type.Array(
        Type.Object({
          attempt: Type.Integer(),
          started_at: Timestamp,
          duration_ms: Type.Integer(),
          status_code: Nullable(Type.Integer()),
          error: Nullable(Type.String()),
        }),
      ),
    }),
  ),
});

export const WebhookEventList = Type.Object({ ...PageMeta, data: Type.Array(WebhookEventObject) });

export const WebhookEventsQuery = Type.Object({
  merchantCode: MerchantCode,
  page: Type.Optional(Type.Union([Type.String(), Type.Integer({ minimum: 1, maximum: PAGE_MAX })])),
  perPage: Type.Optional(Type.Union([Type.String(), Type.Integer({ minimum: 1, maximum: PAGE_SIZE_MAX })], { description: `Default ${PAGE_SIZE}` })),
});

export const WebhookSecretReply = Type.Object({
  secrets: Type.Array(Type.String(), { description: 'Signing secrets now in use, newest first (two during a rotation)' }),
  previous_valid_until: Type.Optional(Nullable(Timestamp)),
});

export const RedeliverReply = Type.Object({ event_id: Type.String(), deliveries: Type.Integer() });

export const WebhookSettingsRequest = Type.Object({
  merchantCode: MerchantCode,
  webhookUrl: Type.Optional(
    Type.Union([Type.String({ format: 'uri', maxLength: URL_MAX_LENGTH }), Type.Literal(''), Type.Null()], {
      description: 'Default webhook URL for every event; "" or null removes it',
    }),
  ),
  reminderDays: Type.Optional(
    Type.Union([Type.Integer({ minimum: 1, maximum: REMINDER_DAYS_MAX }), Type.String(), Type.Null()], {
      description: 'Remind customers this many days before an invoice expires (each installment too); null or "" turns reminders off',
    }),
  ),
});

export const WebhookSettingsReply = Type.Object({ webhook_url: Nullable(Type.String()), reminder_days: Nullable(Type.Integer()) });
