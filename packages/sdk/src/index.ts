/**
 * @fawtara/sdk — the typed client of Fawtara and of Hesabe's merchant API.
 * Runtime dependencies: the platform (global fetch, node:crypto) and @fawtara/wire only.
 *
 * @example
 * import { Client, ValidationError } from '@fawtara/sdk';
 * const client = new Client({ environment: 'local', ...credentials });
 * try {
 *   const invoice = await client.invoices.create({ ...fields, amount: 12500n });
 * } catch (err) {
 *   if (err instanceof ValidationError) console.error(err.fields);
 * }
 */
export { Client } from './client.ts';
export { ENVIRONMENTS, SANDBOX_CREDENTIALS } from './core.ts';
export type { ApiCall, ClientOptions, CreateOptions, Environment, RequestOptions } from './core.ts';
export type { TokenSet } from './auth.ts';
export {
  AuthenticationError,
  ConflictError,
  ConnectionError,
  FawtaraError,
  NotFoundError,
  RateLimitError,
  ServerError,
  ValidationError,
  WebhookVerificationError,
} from './errors.ts';
export type { FawtaraErrorCode } from './errors.ts';
export { toWireMoney } from './money.ts';
export type { MoneyInput } from './money.ts';
export { createEnvelope, resultOf } from './framing.ts';
export type { DecodedReply, Envelope } from './framing.ts';
export type { Page } from './pagination.ts';
export type { InvoicePage, Invoices } from './resources/invoices.ts';
export type { OpenInvoices } from './resources/open-invoices.ts';
export type { ProfileResource } from './resources/profile.ts';
export type { Transactions } from './resources/transactions.ts';
export type { Webhooks } from './resources/webhooks.ts';
export { constructWebhookEvent, parseWebhookEvent, verifyWebhook } from './webhook-events.ts';
export type { HeaderValue, RawBody, WebhookEvent, WebhookEventType, WebhookVerifyOptions } from './webhook-events.ts';
export type {
  InstallmentParams,
  InstallmentsCreateParams,
  Invoice,
  InvoiceCreateParams,
  InvoiceDashboard,
  InvoiceItemParams,
  InvoiceListParams,
  InvoiceResendParams,
  InvoiceStats,
  OpenInvoice,
  OpenInvoiceCreateParams,
  OpenInvoiceList,
  OpenInvoiceListParams,
  OpenInvoiceUpdateParams,
  Profile,
  RedeliverResult,
  Transaction,
  TransactionEnquiry,
  WebhookEventList,
  WebhookEventRecord,
  WebhookEventsParams,
  WebhookSecrets,
  WebhookSettings,
  WebhookSettingsParams,
} from './types.ts';
// The wire helpers a merchant's code needs beside the client (same functions the server uses).
export { EVENT_ID_HEADER, EVENT_TYPE_HEADER, formatMoney, MoneyError, parseMoney, SIGNATURE_HEADER, verifyWebhookSignature } from '@fawtara/wire';
export type { WebhookVerification } from '@fawtara/wire';
