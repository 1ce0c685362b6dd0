/**
 * KWD amounts as bigint fils (1 KWD = 1000 fils) inside, strings with exactly three decimals
 * on the wire. Input is strict: at most three decimals and never rounded, because silently
 * charging 20.000 for "20.0004" is worse than telling the merchant.
 */

/** Fils in one Kuwaiti dinar. */
export const FILS_PER_KWD = 1000n;

/** The largest amount {@link parseMoney} accepts: 9,000,000,000.000 KWD. */
export const MAX_MONEY_FILS = 9_000_000_000_000n;

/** Why an amount was rejected. */
export type MoneyErrorReason = 'not_a_number' | 'format' | 'negative' | 'too_many_decimals' | 'too_large';

const MESSAGES: Record<MoneyErrorReason, string> = {
  not_a_number: 'must be a number or a string such as "20.500"',
  format: 'must be an amount such as 20 or 20.500 (digits, optionally a point and up to three decimals)',
  negative: 'must not be negative',
  too_many_decimals: 'must be an amount with at most three decimals',
  too_large: 'must not be more than 9000000000.000',
};

/**
 * A rejected amount. `message` is phrased to follow a field name in an API error
 * (`amount: must be an amount with at most three decimals`); `reason` is for code.
 *
 * @example
 * try { parseMoney('1.2345') } catch (e) { if (e instanceof MoneyError) e.reason } // 'too_many_decimals'
 */
export class MoneyError extends Error {
  override readonly name = 'MoneyError';
  readonly reason: MoneyErrorReason;
  constructor(reason: MoneyErrorReason) {
    super(MESSAGES[reason]);
    this.reason = reason;
  }
}

// "0" or no leading zero; the point needs digits on both sides ("1." and ".5" are rejected,
// as they are in most clients' number formatting and are likely typos).
const MONEY = /^(0|[1-9][0-9]*)(?:\.([0-9]{1,3}))?$/;
// Shapes that are well formed apart from the decimals count or sign, for a precise reason.
const DECIMAL_ANY = /^(?:0|[1-9][0-9]*)\.[0-9]+$/;
const NEGATIVE = /^-[0-9]+(?:\.[0-9]+)?$/;
// 9000000000 has ten digits; anything longer is too large without arithmetic.
const MAX_INT_DIGITS = 10;
const MAX_KWD = Number(MAX_MONEY_FILS / FILS_PER_KWD);

function reasonFor(text: string): MoneyErrorReason {
  if (DECIMAL_ANY.test(text)) return 'too_many_decimals';
  if (NEGATIVE.test(text)) return 'negative';
  return 'format';
}

/** Reasons visible on the number itself, before String() would show them as exponents. */
function numberReason(n: number): MoneyErrorReason | undefined {
  if (!Number.isFinite(n)) return 'not_a_number';
  if (n < 0) return 'negative';
  // String() switches to exponent notation at 1e21 and below 1e-6.
  if (n > MAX_KWD) return 'too_large';
  if (n !== 0 && n < 1e-6) return 'too_many_decimals';
  return undefined;
}

function parse(input: unknown): bigint | MoneyErrorReason {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else if (typeof input === 'number') {
    const reason = numberReason(input);
    if (reason !== undefined) return reason;
    // Shortest round-trip form: 20.5 -> "20.5", 0.1 + 0.2 -> "0.30000000000000004" (rejected).
    text = String(input);
  } else {
    return 'not_a_number';
  }
  const match = MONEY.exec(text);
  if (match === null) return reasonFor(text);
  const whole = match[1] ?? '0';
  if (whole.length > MAX_INT_DIGITS) return 'too_large';
  const fraction = match[2] ?? '';
  // Both parts fit a double exactly (at most 9e12 fils < 2^53), so Number arithmetic is exact.
  const fils = Number(whole) * 1000 + (fraction === '' ? 0 : Number(fraction.padEnd(3, '0')));
  if (fils > Number(MAX_MONEY_FILS)) return 'too_large';
  return BigInt(fils);
}

/**
 * Parses an amount in KWD (a string, or a JS number read via `String(n)`) into fils.
 * Accepts `"20"`, `"20.5"`, `"20.000"`, `"0.001"`, `20`, `20.5`; zero is accepted, callers
 * decide whether it is allowed. Rejects more than three decimals (never rounds), negatives,
 * NaN/Infinity, exponents, hex, signs, whitespace, leading zeros (`"007.5"`), `"1."`, `".5"`,
 * non-ASCII digits, other types, and anything above {@link MAX_MONEY_FILS}.
 *
 * @throws MoneyError with a `reason`.
 * @example
 * parseMoney('20.5'); // 20500n
 * parseMoney(0.001);  // 1n
 */
export function parseMoney(input: unknown): bigint {
  const result = parse(input);
  if (typeof result === 'bigint') return result;
  throw new MoneyError(result);
}

/**
 * Like {@link parseMoney} but returns `null` instead of throwing.
 *
 * @example
 * parseMoneyOrNull('1.2345'); // null
 * parseMoneyOrNull('1.234');  // 1234n
 */
export function parseMoneyOrNull(input: unknown): bigint | null {
  const result = parse(input);
  return typeof result === 'bigint' ? result : null;
}

/**
 * Formats fils as KWD with exactly three decimals, the way amounts appear on the wire.
 * Negative values are allowed here (refunds, adjustments in reports).
 *
 * @example
 * formatMoney(20000n); // '20.000'
 * formatMoney(5n);     // '0.005'
 * formatMoney(-1500n); // '-1.500'
 */
export function formatMoney(fils: bigint): string {
  if (typeof fils !== 'bigint') throw new TypeError('formatMoney expects bigint fils');
  const negative = fils < 0n;
  const digits = (negative ? -fils : fils).toString().padStart(4, '0');
  const cut = digits.length - 3;
  return (negative ? '-' : '') + digits.slice(0, cut) + '.' + digits.slice(cut);
}
