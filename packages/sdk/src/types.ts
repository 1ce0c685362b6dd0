/**
 * Parameter and result types, derived from the contract's TypeBox schemas (`@fawtara/contract`)
 * with `Static<…>`, type-only: the server checks its replies against the very same schemas, so
 * these cannot drift from what it sends. Nothing here exists at run time.
 *
 * Request types drop `merchantCode` (the client adds it) and take money as `MoneyInput` (money.ts)
 * (string or bigint fils, never a JS number) where the wire would also accept a number.
 */
import type { Static } from 'typebox';
import type * as C from '@fawtara/contract';

/** `V` with its JS-number alternative replaced by bigint fils; strings, `''` and undefined stay. */
type MoneyIn<V> = Exclude<V, number> | (number extends V ? bigint : never);
/** `T` with the money fields `K` taking `MoneyInput` (money.ts) instead of string | number (modifiers kept). */
type WithMoney<T, K extends PropertyKey> = { [P in keyof T]: P extends K ? MoneyIn<T[P]> : T[P] };
type Wire<S> = Omit<S, 'merchantCode'>;

// ------------------------------------------------------------------ results (as the server sends them)

/** An invoice (Hesabe's invoice object plus Fawtara's additions). Money fields are strings with three decimals. */
export type Invoice = Static<typeof C.InvoiceObject>;
/** An open invoice: a reusable payment link. */
export type OpenInvoice = Static<typeof C.OpenInvoiceObject>;
/** One payment attempt, as the transaction enquiry and invoice details show it. */
export type Transaction = Static<typeof C.TransactionObject>;
/** The transaction enquiry's reply: `data` is the successful attempt (else the latest), `results` every attempt. */
export type TransactionEnquiry = Static<typeof C.TransactionEnquiryReply>;
/** The merchant's profile (never a secret). */
export type Profile = Static<typeof C.ProfileObject>;
/** The invoice dashboard's reply: stats, order stats and one page of invoices. */
export type InvoiceDashboard = Static<typeof C.DashboardReply>;
/** Invoice counts by status over the date range and type (not the search). */
export type InvoiceStats = InvoiceDashboard['stats'];
/** One page of open invoices as the server sends it. */
export type OpenInvoiceList = Static<typeof C.OpenInvoiceList>;
/** A webhook event as the API lists it, with every delivery and attempt. */
export type WebhookEventRecord = Static<typeof C.WebhookEventObject>;
/** One page of webhook events as the server sends it. */
export type WebhookEventList = Static<typeof C.WebhookEventList>;
/** The signing secrets in use, newest first (two during a rotation). */
export type WebhookSecrets = Static<typeof C.WebhookSecretReply>;
/** What a redelivery queued. */
export type RedeliverResult = Static<typeof C.RedeliverReply>;
/** The merchant's default webhook URL and reminder days. */
export type WebhookSettings = Static<typeof C.WebhookSettingsReply>;

// ------------------------------------------------------------------ parameters

/** One line item; `rate` and `amount` are money. */
export type InvoiceItemParams = WithMoney<Static<typeof C.InvoiceItemInput>, 'rate' | 'amount'>;

/**
 * `invoices.create` parameters. `itemsList` is an array here (the SDK encodes
 * it; the wire's JSON-string form is not needed and would escape money validation).
 */
export type InvoiceCreateParams = WithMoney<Omit<Wire<Static<typeof C.InvoiceCreateRequest>>, 'itemsList'>, 'amount'> & {
  itemsList?: InvoiceItemParams[];
};

/** One installment of `invoices.createInstallments`. */
export type InstallmentParams = WithMoney<Omit<Wire<Static<typeof C.InstallmentInput>>, 'itemsList'>, 'amount'> & {
  itemsList?: InvoiceItemParams[];
};

/** `invoices.createInstallments` parameters: the installments in order, all created or none. */
export type InstallmentsCreateParams = Omit<Wire<Static<typeof C.EmiCreateRequest>>, 'invoices'> & { invoices: InstallmentParams[] };

/** `invoices.list` filters and paging. */
export type InvoiceListParams = Wire<Static<typeof C.DashboardQuery>>;

/** `invoices.resend` parameters; `countryCode` defaults to "965". */
export type InvoiceResendParams = Omit<Wire<Static<typeof C.ResendRequest>>, 'countryCode'> & Partial<Pick<Static<typeof C.ResendRequest>, 'countryCode'>>;

/** `openInvoices.create` parameters: `fixAmount` for type "0", `minAmount`/`maxAmount` for "1". */
export type OpenInvoiceCreateParams = WithMoney<Wire<Static<typeof C.OpenInvoiceCreateRequest>>, 'fixAmount' | 'minAmount' | 'maxAmount'>;

/** `openInvoices.list` filters and paging. */
export type OpenInvoiceListParams = Wire<Static<typeof C.ListQuery>>;

/** `openInvoices.update` parameters: only the expiry date can change. */
export type OpenInvoiceUpdateParams = Wire<Static<typeof C.OpenInvoiceUpdateRequest>>;

/** `webhooks.listEvents` paging. */
export type WebhookEventsParams = Wire<Static<typeof C.WebhookEventsQuery>>;

/** `webhooks.updateSettings` parameters; fields left out are unchanged, `null` clears. */
export type WebhookSettingsParams = Wire<Static<typeof C.WebhookSettingsRequest>>;
