/**
 * The built-in `sandbox` connector: reproduces Hesabe's published test cards and MPGS test
 * expiries without talking to anyone. Outcomes depend only on what the customer
 * typed, so tests and demos are repeatable.
 *
 * Card data (number, expiry, PIN, CVV, name) is read inside `validate` and `complete` and never
 * stored, logged, thrown or returned; only `maskedCard` (first six, last four) leaves.
 */
import { randomDigits } from '../../lib/random-ids.ts';
import { cardScheme, luhnValid, maskCard, normalizeCardNumber, type CardScheme } from './card-numbers.ts';
import {
  flowOf,
  WALLETS,
  type FailureReason,
  type FieldProblems,
  type PaymentConnector,
  type PaymentCredentials,
  type PaymentOutcome,
  type StartRequest,
  type StartedPayment,
} from './payment-connector.ts';

/** Which acquirer route a test card is published for. */
type TestCardRoute = 'KNET' | 'MPGS' | 'CYBS';

interface TestCard {
  route: TestCardRoute;
  scheme: CardScheme;
  number: string;
  expiryMonth: string;
  expiryYear: string;
  /** CVV for cards, PIN for KNET. */
  secret: string;
}

/**
 * Hesabe's sandbox test cards, one row per card, as Hesabe publishes
 * them for its sandbox. The listed expiry with the listed CVV/PIN approves; any other
 * expiry declines. The Cybersource Visa is published with a 4-digit value (1234) although Visa
 * CVVs have 3 digits; it is accepted as that card's CVV. A card works on every card method whose
 * scheme rule accepts it (the route column only says where Hesabe lists it).
 *
 * The KNET test card 8888880000000001 fails the Luhn check (its check digit would be 5), so
 * validation accepts listed test cards whatever their check digit; every other number must pass.
 */
const TEST_CARDS: readonly TestCard[] = [
  { route: 'KNET', scheme: 'KNET', number: '8888880000000001', expiryMonth: '09', expiryYear: '25', secret: '1234' },
  { route: 'MPGS', scheme: 'VISA', number: '4012001037141112', expiryMonth: '12', expiryYear: '25', secret: '207' },
  { route: 'MPGS', scheme: 'MASTERCARD', number: '5453010000095539', expiryMonth: '12', expiryYear: '25', secret: '300' },
  { route: 'MPGS', scheme: 'MASTERCARD', number: '5555555555554444', expiryMonth: '09', expiryYear: '25', secret: '123' },
  { route: 'MPGS', scheme: 'AMEX', number: '345678901234564', expiryMonth: '09', expiryYear: '25', secret: '1234' },
  { route: 'CYBS', scheme: 'VISA', number: '4000000000000002', expiryMonth: '09', expiryYear: '25', secret: '1234' },
  { route: 'CYBS', scheme: 'AMEX', number: '340000000002708', expiryMonth: '09', expiryYear: '25', secret: '1234' },
];

/**
 * MPGS test expiries, `MM/YY` → outcome, for any
 * listed test card on an MPGS method (2, 7, 8). `null` approves (with the right CVV). The page
 * lists 05/39 both as APPROVED and DECLINED, a doc error; it approves here.
 */
const MPGS_TEST_EXPIRIES: ReadonlyMap<string, { resultCode: string; reason: FailureReason } | null> = new Map([
  ['05/39', null],
  ['04/27', { resultCode: 'EXPIRED_CARD', reason: 'expired_card' }],
  ['08/28', { resultCode: 'TIMED_OUT', reason: 'timed_out' }],
  ['01/37', { resultCode: 'ACQUIRER_SYSTEM_ERROR', reason: 'acquirer_error' }],
  ['02/37', { resultCode: 'UNSPECIFIED_FAILURE', reason: 'unspecified_failure' }],
  ['05/37', { resultCode: 'UNKNOWN', reason: 'unknown_cvv' }],
]);

/** Card methods → the schemes each accepts. */
const CARD_METHOD_SCHEMES: ReadonlyMap<number, readonly CardScheme[]> = new Map([
  [2, ['VISA', 'MASTERCARD']], // MPGS
  [5, ['VISA', 'AMEX', 'MASTERCARD']], // Cybersource
  [7, ['AMEX']], // AMEX
  [8, ['AMEX']], // MPGS AMEX
]);
const CYBERSOURCE_METHOD = 5;
const KNET_METHOD = 1;

/** Wallet methods → the card type they report (`APPLE PAY`, `GOOGLE PAY`). */
const WALLET_CARD_TYPES: ReadonlyMap<number, string> = new Map([...WALLETS].map(([method, wallet]) => [method, wallet.toUpperCase()]));

/** Card number lengths per scheme (ISO/IEC 7812 as the schemes issue them). */
const SCHEME_LENGTHS: Readonly<Record<CardScheme, readonly number[]>> = {
  VISA: [13, 16, 19],
  MASTERCARD: [16],
  AMEX: [15],
  KNET: [16],
};

const TERMINAL = 'SANDBOX01';
/** Completed payments kept for `status` and `refund`; the oldest are forgotten first. */
const DEFAULT_REMEMBERED_OUTCOMES = 10_000;
const MAX_NAME_LENGTH = 100;
const MAX_BANK_LENGTH = 20;

export interface SandboxConnectorOptions {
  /** How many completed payments to remember for `status` and `refund` (default 10,000). */
  rememberedOutcomes?: number;
}

export function createSandboxConnector(options: SandboxConnectorOptions = {}): PaymentConnector {
  const limit = Math.max(1, options.rememberedOutcomes ?? DEFAULT_REMEMBERED_OUTCOMES);
  // trackId → completed payment, in completion order (Map keeps insertion order) so the oldest
  // go first; paymentId → trackId for refunds, trimmed with it.
  const completed = new Map<string, Readonly<PaymentOutcome & StartedPayment>>();
  const trackIdOf = new Map<string, string>();

  function remember(trackId: string, payment: PaymentOutcome & StartedPayment): void {
    const previous = completed.get(trackId);
    if (previous) trackIdOf.delete(previous.paymentId);
    completed.delete(trackId);
    completed.set(trackId, Object.freeze({ ...payment }));
    trackIdOf.set(payment.paymentId, trackId);
    while (completed.size > limit) {
      const oldest = completed.entries().next();
      if (oldest.done) break;
      const [oldTrackId, old] = oldest.value;
      completed.delete(oldTrackId);
      if (trackIdOf.get(old.paymentId) === oldTrackId) trackIdOf.delete(old.paymentId);
    }
  }

  return {
    name: 'sandbox',

    validate: validateCredentials,

    async start(_request: StartRequest): Promise<StartedPayment> {
      // Nothing is remembered here: status() only knows payments that completed.
      return { paymentId: randomDigits(18), terminal: TERMINAL };
    },

    async complete(payment: StartRequest & StartedPayment, credentials: PaymentCredentials): Promise<PaymentOutcome> {
      const outcome = decide(payment.method, credentials);
      remember(payment.trackId, { ...outcome, paymentId: payment.paymentId, terminal: payment.terminal });
      return outcome;
    },

    async status(trackId: string): Promise<(PaymentOutcome & StartedPayment) | undefined> {
      const payment = completed.get(trackId);
      return payment ? { ...payment } : undefined;
    },

    async refund(paymentId: string, amount: bigint): Promise<{ approved: boolean; refundId: string }> {
      const trackId = trackIdOf.get(paymentId);
      const payment = trackId === undefined ? undefined : completed.get(trackId);
      const approved = payment?.paymentId === paymentId && payment.approved && amount > 0n;
      return { approved, refundId: randomDigits(18) };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

function isKnownMethod(method: number): boolean {
  return method === KNET_METHOD || CARD_METHOD_SCHEMES.has(method) || WALLET_CARD_TYPES.has(method);
}

/** Present: a string with something other than whitespace (form fields may arrive missing). */
function present(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

const MONTH = /^(0[1-9]|1[0-2])$/;
const YEAR = /^\d{2}$/;
const CONTROL = /\p{Cc}/u;

/*
 * Expiry is checked for form only, never against today's date: the published test cards expire
 * in 2025 (09/25, 12/25) and the MPGS test expiries include past ones (04/27 means "expired" by
 * convention, not by calendar). The test-card table is the sandbox's whole truth, so a past
 * expiry is an outcome of `complete`, not a validation problem.
 */
function validateExpiry(problems: FieldProblems, month: unknown, year: unknown): void {
  if (!present(month)) problems.expiryMonth = 'required';
  else if (!MONTH.test(month)) problems.expiryMonth = 'invalid';
  if (!present(year)) problems.expiryYear = 'required';
  else if (!YEAR.test(year)) problems.expiryYear = 'invalid';
}

function findTestCard(route: 'KNET' | 'CARD', digits: string): TestCard | undefined {
  return TEST_CARDS.find((card) => card.number === digits && (route === 'KNET') === (card.route === 'KNET'));
}

function isListedTestCard(digits: string): boolean {
  return TEST_CARDS.some((card) => card.number === digits);
}

function validateCredentials(method: number, credentials: PaymentCredentials): FieldProblems | null {
  if (!isKnownMethod(method)) return { method: 'invalid' };
  const flow = flowOf(method);
  if (typeof credentials !== 'object' || credentials === null || credentials.flow !== flow) return { method: 'invalid' };

  const problems: FieldProblems = {};
  if (credentials.flow === 'knet') {
    const { bank, cardNumber, expiryMonth, expiryYear, pin } = credentials as Partial<typeof credentials>;
    if (!present(bank)) problems.bank = 'required';
    else if ([...bank].length > MAX_BANK_LENGTH || CONTROL.test(bank)) problems.bank = 'invalid';

    const digits = typeof cardNumber === 'string' ? normalizeCardNumber(cardNumber) : '';
    if (digits === '') problems.cardNumber = 'required';
    else if (!/^\d{16}$/.test(digits) || !(luhnValid(digits) || isListedTestCard(digits))) problems.cardNumber = 'invalid';

    validateExpiry(problems, expiryMonth, expiryYear);

    if (!present(pin)) problems.pin = 'required';
    else if (!/^\d{4}$/.test(pin)) problems.pin = 'invalid';
  } else if (credentials.flow === 'card') {
    const { cardNumber, expiryMonth, expiryYear, cvv, nameOnCard } = credentials as Partial<typeof credentials>;
    const accepted = CARD_METHOD_SCHEMES.get(method) ?? [];

    const digits = typeof cardNumber === 'string' ? normalizeCardNumber(cardNumber) : '';
    const scheme = cardScheme(digits);
    let numberOk = false;
    if (digits === '') problems.cardNumber = 'required';
    else if (!/^\d{13,19}$/.test(digits) || !(luhnValid(digits) || isListedTestCard(digits))) problems.cardNumber = 'invalid';
    else if (scheme === undefined || !accepted.includes(scheme)) problems.cardNumber = 'not_accepted';
    else if (!SCHEME_LENGTHS[scheme].includes(digits.length)) problems.cardNumber = 'invalid';
    else numberOk = true;

    validateExpiry(problems, expiryMonth, expiryYear);

    // CVV length follows the scheme (4 digits for AMEX, else 3); a listed test card's own CVV
    // length is accepted too (the Cybersource Visa is published with 1234). When the number is
    // unusable, either length passes so only the number is reported.
    const lengths = new Set<number>();
    if (numberOk && scheme !== undefined) {
      lengths.add(scheme === 'AMEX' ? 4 : 3);
      const testCard = findTestCard('CARD', digits);
      if (testCard) lengths.add(testCard.secret.length);
    } else {
      lengths.add(3).add(4);
    }
    if (!present(cvv)) problems.cvv = 'required';
    else if (!/^\d+$/.test(cvv) || !lengths.has(cvv.length)) problems.cvv = 'invalid';

    if (!present(nameOnCard)) problems.nameOnCard = 'required';
    else if ([...nameOnCard].length > MAX_NAME_LENGTH || CONTROL.test(nameOnCard)) problems.nameOnCard = 'invalid';
  }
  return Object.keys(problems).length === 0 ? null : problems;
}

// ---------------------------------------------------------------------------------------------
// Outcomes
// ---------------------------------------------------------------------------------------------

function approvedOutcome(resultCode: string, cardType: string, maskedCard: string | null): PaymentOutcome {
  return { approved: true, resultCode, reason: null, cardType, maskedCard };
}

function refusedOutcome(resultCode: string, reason: FailureReason, cardType: string, maskedCard: string | null): PaymentOutcome {
  return { approved: false, resultCode, reason, cardType, maskedCard };
}

/** The outcome for `credentials` on `method`. Never throws for a refusal and never echoes card data. */
function decide(method: number, credentials: PaymentCredentials): PaymentOutcome {
  if (validateCredentials(method, credentials) !== null) return refuseInvalid(method, credentials);

  if (credentials.flow === 'wallet') {
    return approvedOutcome('CAPTURED', WALLET_CARD_TYPES.get(method) ?? 'APPLE PAY', null);
  }

  const digits = normalizeCardNumber(credentials.cardNumber);
  const masked = maskCard(digits);
  const expiry = `${credentials.expiryMonth}/${credentials.expiryYear}`;

  if (credentials.flow === 'knet') {
    const card = findTestCard('KNET', digits);
    if (!card) return refusedOutcome('NOT CAPTURED', 'not_test_card', 'KNET', masked);
    if (expiry === `${card.expiryMonth}/${card.expiryYear}` && credentials.pin === card.secret) {
      return approvedOutcome('CAPTURED', 'KNET', masked);
    }
    return refusedOutcome('NOT CAPTURED', 'not_captured', 'KNET', masked);
  }

  // Validation guarantees a scheme the method accepts, so never KNET or undefined here.
  const cardType = cardScheme(digits) ?? 'CARD';
  const card = findTestCard('CARD', digits);
  if (!card) return refusedOutcome('DECLINED', 'not_test_card', cardType, masked);

  const cvvOk = credentials.cvv === card.secret;
  const listedExpiry = expiry === `${card.expiryMonth}/${card.expiryYear}`;

  if (method === CYBERSOURCE_METHOD) {
    if (listedExpiry && cvvOk) return approvedOutcome('ACCEPT', cardType, masked);
    return refusedOutcome('DECLINED', 'declined', cardType, masked);
  }

  // MPGS methods (2, 7, 8): the listed expiry or an MPGS test expiry decides.
  const scripted = MPGS_TEST_EXPIRIES.get(expiry);
  if (listedExpiry || scripted === null) {
    if (cvvOk) return approvedOutcome('CAPTURED', cardType, masked);
    return refusedOutcome('DECLINED', 'declined', cardType, masked);
  }
  if (scripted) return refusedOutcome(scripted.resultCode, scripted.reason, cardType, masked);
  return refusedOutcome('DECLINED', 'declined', cardType, masked);
}

/**
 * `complete` called with input `validate` refuses (a caller bug: pages validate first). Refused
 * without masking anything, since a malformed number may be short enough to show whole.
 */
function refuseInvalid(method: number, credentials: PaymentCredentials): PaymentOutcome {
  const flow = flowOf(method);
  if (flow === 'knet') return refusedOutcome('NOT CAPTURED', 'not_captured', 'KNET', null);
  if (flow === 'wallet') return refusedOutcome('DECLINED', 'declined', WALLET_CARD_TYPES.get(method) ?? 'WALLET', null);
  const number = credentials?.flow === 'card' && typeof credentials.cardNumber === 'string' ? credentials.cardNumber : '';
  const scheme = cardScheme(normalizeCardNumber(number));
  const cardType = scheme === undefined || scheme === 'KNET' ? 'CARD' : scheme;
  return refusedOutcome('DECLINED', 'declined', cardType, null);
}
