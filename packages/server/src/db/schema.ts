import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Kysely's view of the tables created by migrations/. int8 columns arrive as bigint on both
 * engines (see database.ts), `date` columns as 'YYYY-MM-DD' strings, timestamptz as Date.
 */
type Id = Generated<bigint>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ServerSettingsTable {
  name: string;
  value: string;
  created_at: CreatedAt;
}

export interface MerchantsTable {
  id: Id;
  code: string;
  name: string;
  email: string | null;
  phone: string | null;
  website_url: string | null;
  time_zone: ColumnType<string, string | undefined, string>;
  default_language: ColumnType<'en' | 'ar', 'en' | 'ar' | undefined, 'en' | 'ar'>;
  payment_methods: ColumnType<number[], number[] | undefined, number[]>;
  is_sandbox: ColumnType<boolean, boolean | undefined, boolean>;
  webhook_url: string | null;
  is_active: ColumnType<boolean, boolean | undefined, boolean>;
  /** Digits on Arabic pages: Latin or Arabic-Indic. */
  page_digits: ColumnType<'latn' | 'arab', 'latn' | 'arab' | undefined, 'latn' | 'arab'>;
  /** Webhooks may go to private or loopback addresses (development only). */
  allow_private_webhooks: ColumnType<boolean, boolean | undefined, boolean>;
  /** Remind customers this many days before expiry; null: never. */
  reminder_days: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ApiCredentialsTable {
  id: Id;
  merchant_id: bigint;
  access_code: string;
  secret_key: string;
  iv_key: string;
  status: ColumnType<'active' | 'revoked', 'active' | 'revoked' | undefined, 'active' | 'revoked'>;
  created_at: CreatedAt;
  revoked_at: Date | null;
}

export interface UsersTable {
  id: Id;
  merchant_id: bigint;
  username: string;
  password_hash: string;
  is_active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
}

export interface RefreshTokensTable {
  id: Id;
  user_id: bigint;
  family_id: string;
  token_hash: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  created_at: CreatedAt;
}

export interface RateLimitsTable {
  key: string;
  window_start: Date;
  hits: number;
}

export interface InstallmentPlansTable {
  id: Id;
  merchant_id: bigint;
  installments_count: number;
  total_amount: bigint;
  created_at: CreatedAt;
}

export type InvoiceStatus = 'pending' | 'paid' | 'cancelled' | 'expired';

export interface InvoicesTable {
  id: Id;
  merchant_id: bigint;
  created_by: bigint | null;
  kind: 'single' | 'installment';
  plan_id: bigint | null;
  installment_number: number | null;
  token: string;
  access_key: string;
  reference_number: string | null;
  amount: bigint;
  currency: ColumnType<string, string | undefined, string>;
  description: string | null;
  customer_name: string;
  customer_email: string | null;
  country_code: string;
  mobile_number: string;
  delivery_type: number;
  delivery_channel: number;
  payment_methods: number[];
  language: 'en' | 'ar';
  expires_on: string;
  /** Merchant-local day of creation (dashboard date filters). */
  created_on: string;
  webhook_url: string | null;
  status: ColumnType<InvoiceStatus, InvoiceStatus | undefined, InvoiceStatus>;
  sms_status: ColumnType<number, number | undefined, number>;
  sms_response: ColumnType<string, string | undefined, string>;
  visited_count: number | null;
  paid_at: Date | null;
  cancelled_at: Date | null;
  expired_at: Date | null;
  /** Set while a payment attempt holds the invoice (migration 0003). */
  payment_locked_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface InvoiceItemsTable {
  id: Id;
  invoice_id: bigint;
  position: number;
  title: string;
  rate: bigint;
  quantity: number;
  amount: bigint;
}

export interface OpenInvoicesTable {
  id: Id;
  merchant_id: bigint;
  created_by: bigint | null;
  reference_number: string;
  public_key: string;
  title: string;
  description: string | null;
  amount_type: number;
  fixed_amount: bigint | null;
  min_amount: bigint | null;
  max_amount: bigint | null;
  expiry_date: string | null;
  status: ColumnType<'active' | 'cancelled', 'active' | 'cancelled' | undefined, 'active' | 'cancelled'>;
  total_paid: ColumnType<bigint, bigint | undefined, bigint>;
  tried_count: number | null;
  paid_count: ColumnType<number, number | undefined, number>;
  cancelled_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface IdempotencyKeysTable {
  merchant_id: bigint;
  key: string;
  request_hash: string;
  response_status: number;
  response_body: string;
  created_at: CreatedAt;
}

export interface InvoiceDailyStatsTable {
  merchant_id: bigint;
  day: string;
  kind: 'single' | 'installment';
  status: InvoiceStatus;
  shard: number;
  invoices: bigint;
}

export interface DeliveryRequestsTable {
  id: Generated<bigint>;
  merchant_id: bigint;
  invoice_id: bigint;
  reason: 'created' | 'resend' | 'reminder';
  /** 0 SMS, 1 WhatsApp, 2 e-mail (the invoiceSubType codes). */
  channel: number;
  destination: string;
  status: ColumnType<'pending' | 'sent' | 'failed', 'pending' | 'sent' | 'failed' | undefined, 'pending' | 'sent' | 'failed'>;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  provider_response: ColumnType<string | null, string | null | undefined, string | null>;
  sent_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  next_attempt_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface OutboxMessagesTable {
  id: Id;
  channel: 'sms' | 'whatsapp' | 'email';
  destination: string;
  subject: string | null;
  body: string;
  created_at: CreatedAt;
}

export interface WebhookSecretsTable {
  id: Id;
  merchant_id: bigint;
  secret: string;
  created_at: CreatedAt;
  expires_at: Date | null;
}

/** The contract's event types (one list for the API, the SDK and this table's CHECK). */
export type { WebhookEventType } from '@fawtara/contract';
import type { WebhookEventType } from '@fawtara/contract';

export interface WebhookEventsTable {
  id: string;
  merchant_id: bigint;
  type: WebhookEventType;
  invoice_id: bigint | null;
  open_invoice_id: bigint | null;
  transaction_id: bigint | null;
  body: string;
  created_at: CreatedAt;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'dead';

export interface WebhookDeliveriesTable {
  id: Id;
  event_id: string;
  url: string;
  status: ColumnType<WebhookDeliveryStatus, WebhookDeliveryStatus | undefined, WebhookDeliveryStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  retry_from: ColumnType<Date, Date | undefined, Date>;
  delivered_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface WebhookAttemptsTable {
  id: Id;
  delivery_id: bigint;
  attempt: number;
  started_at: Date;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
}

export type TransactionStatus = 'PROCESSING' | 'SUCCESSFUL' | 'FAILED';

export interface TransactionsTable {
  id: Id;
  merchant_id: bigint;
  invoice_id: bigint | null;
  open_invoice_id: bigint | null;
  token: string;
  receipt_key: string;
  track_id: string;
  connector: string;
  payment_id: string | null;
  terminal: string | null;
  reference_number: string | null;
  amount: bigint;
  currency: ColumnType<string, string | undefined, string>;
  method: number;
  status: ColumnType<TransactionStatus, TransactionStatus | undefined, TransactionStatus>;
  result_code: string | null;
  failure_reason: string | null;
  card_type: string | null;
  masked_card: string | null;
  customer_name: string | null;
  customer_email: string | null;
  customer_mobile: string | null;
  created_at: CreatedAt;
  completed_at: Date | null;
}

export interface DB {
  outbox_messages: OutboxMessagesTable;
  webhook_secrets: WebhookSecretsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  transactions: TransactionsTable;
  invoice_daily_stats: InvoiceDailyStatsTable;
  delivery_requests: DeliveryRequestsTable;
  server_settings: ServerSettingsTable;
  merchants: MerchantsTable;
  api_credentials: ApiCredentialsTable;
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  rate_limits: RateLimitsTable;
  installment_plans: InstallmentPlansTable;
  invoices: InvoicesTable;
  invoice_items: InvoiceItemsTable;
  open_invoices: OpenInvoicesTable;
  idempotency_keys: IdempotencyKeysTable;
}

export type Merchant = Selectable<MerchantsTable>;
export type ApiCredential = Selectable<ApiCredentialsTable>;
export type User = Selectable<UsersTable>;
export type Invoice = Selectable<InvoicesTable>;
export type NewInvoice = Insertable<InvoicesTable>;
export type InvoiceItem = Selectable<InvoiceItemsTable>;
export type OpenInvoice = Selectable<OpenInvoicesTable>;
export type OpenInvoiceUpdate = Updateable<OpenInvoicesTable>;
export type PaymentTransaction = Selectable<TransactionsTable>;
export type NewPaymentTransaction = Insertable<TransactionsTable>;
export type DeliveryRequest = Selectable<DeliveryRequestsTable>;
export type WebhookEvent = Selectable<WebhookEventsTable>;
export type WebhookDelivery = Selectable<WebhookDeliveriesTable>;
