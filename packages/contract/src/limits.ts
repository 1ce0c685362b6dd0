/**
 * Every limit on what the merchant API accepts, once: the schemas state them (so the
 * documentation and the SDK's users see them) and the server validates with the very same
 * values, so a limit cannot be documented as one number and enforced as another.
 * E-mail's length limit lives with its pattern in email.ts.
 */

/** `customerName` of an invoice. */
export const CUSTOMER_NAME_MAX_LENGTH = 100;
/** `referenceNumber`: the merchant's own invoice number. */
export const REFERENCE_NUMBER_MAX_LENGTH = 100;
/** `description` of an invoice or an open invoice. */
export const DESCRIPTION_MAX_LENGTH = 1000;
/** `itemTitle` of a line item. */
export const ITEM_TITLE_MAX_LENGTH = 200;
/** Line items in one invoice's `itemsList`. */
export const ITEMS_MAX = 100;
/** `quantity` of a line item. */
export const ITEM_QUANTITY_MAX = 1_000_000;
/**
 * The highest amount the gateway takes for one invoice, in fils (100,000.000 KWD). Open invoices'
 * fixed, minimum and maximum amounts have the same ceiling.
 */
export const INVOICE_AMOUNT_MAX_FILS = 100_000_000n;
/** A line item's `rate` and `amount`: no line can exceed what a whole invoice may be. */
export const ITEM_AMOUNT_MAX_FILS = INVOICE_AMOUNT_MAX_FILS;
/** Installments in one plan (`invoices` of the EMI request); they are created in one transaction. */
export const INSTALLMENTS_MAX = 500;
/** `title` of an open invoice. */
export const OPEN_INVOICE_TITLE_MAX_LENGTH = 200;
/** Invoice dashboard `search`: shorter text would match nearly every invoice. */
export const SEARCH_MIN_LENGTH = 3;
/** `search` of the list endpoints. */
export const SEARCH_MAX_LENGTH = 100;
/** Items a list page holds when `perPage` is not given. */
export const PAGE_SIZE = 20;
/** The largest `perPage`. */
export const PAGE_SIZE_MAX = 100;
/** The largest `page` number. */
export const PAGE_MAX = 1_000_000;
/** `reminderDays`: how many days before expiry customers are reminded. */
export const REMINDER_DAYS_MAX = 30;
/** A webhook URL (`webhook`, `webhookUrl`). */
export const URL_MAX_LENGTH = 2048;

/** Fils as KWD text with three decimals (`100000.000`), for messages and documentation. */
export function filsAsKwd(fils: bigint): string {
  const sign = fils < 0n ? '-' : '';
  const abs = fils < 0n ? -fils : fils;
  return `${sign}${abs / 1000n}.${String(abs % 1000n).padStart(3, '0')}`;
}
