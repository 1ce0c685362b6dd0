import type { DigitStyle, Lang } from '../lib/formatting.ts';
import type { FailureReason, FieldProblems, PaymentFlow } from '../modules/payments/payment-connector.ts';

/**
 * What each hosted page shows, computed by the page routes and rendered by the TSX templates in
 * this folder. Templates hold no rules: whether an invoice is payable, which methods it allows and
 * what an error means are decided before a model is built.
 *
 * Amounts are strings with three decimals in Latin digits ("12.500"); dates `YYYY-MM-DD`,
 * timestamps `YYYY-MM-DD HH:MM:SS` in the merchant's zone. Templates convert digits for Arabic
 * pages when the merchant chose Arabic-Indic digits. Every merchant- or customer-supplied string
 * is text, rendered escaped.
 */
export type { DigitStyle, Lang };

export interface PageChrome {
  lang: Lang;
  digits: DigitStyle;
  /** Content-hashed stylesheet path, e.g. `/assets/pages.3f2a….css`. */
  stylesheet: string;
  /** The same page in the other language: a plain link, so it works without JavaScript. */
  otherLanguageHref: string;
  merchantName: string;
  /** The page's title line (invoice reference or open-invoice title); the layout adds the merchant. */
  title: string;
}

export interface MethodOption {
  /** Payment method code (1 KNET, 2 MPGS, … 16 Google Pay). */
  code: number;
  flow: PaymentFlow;
}

export interface ItemLine {
  title: string;
  rate: string;
  quantity: number;
  amount: string;
}

/** `GET /s/<key>`: one invoice. */
export interface InvoicePageModel {
  chrome: PageChrome;
  csrfToken: string;
  /** POST target of the method choice (`/s/<key>/method`); fields `csrf`, `lang`, `method`. */
  methodAction: string;
  invoice: {
    reference: string | null;
    token: string;
    amount: string;
    description: string | null;
    customerName: string;
    expiresOn: string;
    status: 'pending' | 'paid' | 'cancelled' | 'expired';
    /** When paid: merchant-local timestamp. */
    paidAt: string | null;
    items: ItemLine[];
    installment: { number: number; count: number } | null;
  };
  /** Methods the invoice allows; empty when it cannot be paid (paid, cancelled, expired). */
  methods: MethodOption[];
  /** Receipt of the payment that paid it, when paid. */
  receiptHref: string | null;
  qrSvgHref: string;
  /** A refusal of the method form (no method chosen, or one not allowed). */
  errors: FieldProblems;
}

/** `GET /open-invoice/checkout/<key>`: a payment link anyone can pay. */
export interface CheckoutPageModel {
  chrome: PageChrome;
  csrfToken: string;
  /**
   * POST target (`/open-invoice/checkout/<key>/method`); fields `csrf`, `lang`, `method`,
   * `amount` (open amount only), `customerName`, `customerMobile`, `customerEmail`.
   */
  methodAction: string;
  openInvoice: {
    title: string;
    description: string | null;
    amountType: 'fixed' | 'open';
    /** Fixed amount, or null. */
    fixedAmount: string | null;
    minAmount: string | null;
    maxAmount: string | null;
    expiryDate: string | null;
    /** Only `active` takes payments. */
    state: 'active' | 'cancelled' | 'expired';
  };
  methods: MethodOption[];
  /** What the customer typed, echoed back when the form is refused. */
  values: { amount: string; customerName: string; customerMobile: string; customerEmail: string; method: string };
  /** Keys: `amount`, `customerName`, `customerMobile`, `customerEmail`, `method`. */
  errors: FieldProblems;
  qrSvgHref: string;
}

/**
 * The second step: the form of the chosen method (KNET: bank, card number, expiry, PIN; card:
 * number, expiry, CVV, name; Apple Pay / Google Pay: one confirm button).
 */
export interface PaymentFormModel {
  chrome: PageChrome;
  csrfToken: string;
  /** POST target (`…/pay`). Fields: `csrf`, the hidden fields, then the flow's fields. */
  payAction: string;
  /** Back to method choice. */
  backHref: string;
  method: MethodOption;
  amount: string;
  /** Carried to the final POST unchanged: `lang`, `method`, and for open invoices the amount and customer fields. */
  hidden: Record<string, string>;
  /**
   * Non-secret fields echoed back after a refusal (`bank`, `expiryMonth`, `expiryYear`,
   * `nameOnCard`). Card number, PIN and CVV are never echoed.
   */
  values: Record<string, string>;
  /**
   * Field names by flow: knet `bank`, `cardNumber`, `expiryMonth`, `expiryYear`, `pin`;
   * card `cardNumber`, `expiryMonth`, `expiryYear`, `cvv`, `nameOnCard`; wallet none.
   */
  errors: FieldProblems;
}

/** `GET /receipt/<key>`: the outcome of one payment attempt. */
export interface ResultPageModel {
  chrome: PageChrome;
  outcome: 'success' | 'failure';
  receipt: {
    paymentToken: string;
    paymentId: string;
    trackId: string;
    amount: string;
    method: number;
    cardType: string;
    maskedCard: string | null;
    /** Merchant-local timestamp of the attempt's completion. */
    datetime: string;
    /** Invoice reference or open-invoice reference number. */
    reference: string | null;
    customerName: string | null;
  };
  /** Why it failed; null on success. */
  reason: FailureReason | null;
  /** Back to the invoice or checkout page to try again; null when it can no longer be paid. */
  retryHref: string | null;
}

/** Pages for a refusal that has no form to go back to. */
export type ErrorKind =
  | 'not_found' // 404: no such link
  | 'session_expired' // 403: CSRF token missing or stale; the page offers to start again
  | 'in_progress' // 409: another payment of this invoice is being processed
  | 'not_payable' // 409: paid, cancelled or expired meanwhile
  | 'server_error'; // 500

export interface ErrorPageModel {
  lang: Lang;
  digits: DigitStyle;
  stylesheet: string;
  kind: ErrorKind;
  /** Where "start again" leads, when there is somewhere to go. */
  backHref: string | null;
}
