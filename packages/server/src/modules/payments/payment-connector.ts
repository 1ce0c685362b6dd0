/**
 * The one interface every payment connector implements (start, complete, refund,
 * status). The gateway owns invoices and transactions; a connector only talks to the acquirer.
 * The built-in `sandbox` connector reproduces Hesabe's test cards.
 *
 * Card data passes through `complete` and nowhere else: it is never stored, logged or returned.
 * Only `maskedCard` (first six and last four digits) leaves a connector.
 */

/** The form a method needs on the payment page. */
export type PaymentFlow = 'knet' | 'card' | 'wallet';

// Defined below the modules (customer-facing words name wallets too); re-exported for the connectors.
export { WALLETS } from '../../lib/wallets.ts';

/** Payment method code → the form the customer fills in. */
export function flowOf(method: number): PaymentFlow {
  if (method === 1) return 'knet';
  if (method === 2 || method === 5 || method === 7 || method === 8) return 'card';
  return 'wallet';
}

/** What the customer typed or tapped. Held in memory for one request only. */
export type PaymentCredentials =
  | { flow: 'knet'; bank: string; cardNumber: string; expiryMonth: string; expiryYear: string; pin: string }
  | { flow: 'card'; cardNumber: string; expiryMonth: string; expiryYear: string; cvv: string; nameOnCard: string }
  | { flow: 'wallet' };

/** Why a payment failed, as a stable key the result page words in English or Arabic. */
export type FailureReason =
  | 'not_captured' // KNET refused (wrong expiry, PIN, unknown card)
  | 'declined'
  | 'expired_card'
  | 'timed_out'
  | 'acquirer_error'
  | 'unspecified_failure'
  | 'unknown_cvv'
  | 'not_test_card' // sandbox: a real card number was entered
  | 'refunded'; // captured, but the invoice could no longer be paid (e.g. cancelled meanwhile): refunded at once

/** What is wrong with one form field; pages word it per field and language. */
export type FieldProblem = 'required' | 'invalid' | 'not_accepted' | 'below_min' | 'above_max';

/** Form field name (`cardNumber`, `expiryMonth`, `pin`, `amount`, …) → its problem. */
export type FieldProblems = Record<string, FieldProblem>;

export interface StartRequest {
  /** Our reference for this attempt, unique per transaction; the acquirer echoes it. */
  trackId: string;
  amount: bigint;
  currency: 'KWD';
  /** Payment method code the customer chose. */
  method: number;
}

export interface StartedPayment {
  /** The acquirer's id for this payment (Hesabe's `PaymentID`). */
  paymentId: string;
  terminal: string;
}

export interface PaymentOutcome {
  approved: boolean;
  /** Acquirer result code: CAPTURED / ACCEPT on success; NOT CAPTURED, DECLINED, EXPIRED_CARD, TIMED_OUT, … */
  resultCode: string;
  /** null when approved. */
  reason: FailureReason | null;
  /** KNET, VISA, MASTERCARD, AMEX, APPLE PAY, GOOGLE PAY. */
  cardType: string;
  /** First six and last four digits, e.g. `888888******0001`; null for wallets. */
  maskedCard: string | null;
}

export interface PaymentConnector {
  readonly name: string;
  /**
   * Checks the customer's input for `method` before any transaction is opened: returns the
   * problems by form field name (`cardNumber`, `expiryMonth`, `pin`, …) or null. A refusal here
   * charges nothing and records nothing.
   */
  validate(method: number, credentials: PaymentCredentials): FieldProblems | null;
  /** Opens a payment with the acquirer. */
  start(request: StartRequest): Promise<StartedPayment>;
  /** Authorises and captures with the customer's credentials. Never throws for a refusal: returns approved=false. */
  complete(payment: StartRequest & StartedPayment, credentials: PaymentCredentials): Promise<PaymentOutcome>;
  /**
   * What the acquirer knows about the payment with our `trackId` (used to settle attempts a
   * crash left open, when our side may never have learned the paymentId); undefined when it
   * never completed.
   */
  status(trackId: string): Promise<(PaymentOutcome & StartedPayment) | undefined>;
  refund(paymentId: string, amount: bigint): Promise<{ approved: boolean; refundId: string }>;
}
