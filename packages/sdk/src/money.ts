import { formatMoney, MoneyError, parseMoney } from '@fawtara/wire';
import { ValidationError } from './errors.ts';

/**
 * A KWD amount as the SDK accepts it: a decimal string with at most three decimals (`"12.5"`,
 * `"12.500"`, `"0.001"`) or a bigint number of fils (`12500n` is 12.500 KWD).
 *
 * Plain JS `number`s are refused, on purpose: they are binary floating point, so most decimal
 * amounts cannot be represented exactly (`0.1 + 0.2` is `0.30000000000000004`, `1.005 * 1000`
 * is `1004.9999999999999`). Whether such a value should be charged as 0.300 or refused can
 * only be guessed, and a payment API must not guess. Convert at the edge of your program, where
 * you know what the number means: `String(price)` after your own rounding, or bigint fils.
 */
export type MoneyInput = string | bigint;

/**
 * Collects every bad money field of one call, so the caller hears about all of them at once.
 *
 * @example
 * const problems = new MoneyProblems();
 * const amount = problems.convert(params.amount, 'amount');        // '12.500' or undefined
 * const fix = problems.convert(params.fixAmount, 'fixAmount', true); // '' allowed here
 * problems.throwIfAny();                                            // one ValidationError naming both
 */
export class MoneyProblems {
  readonly fields: Record<string, string[]> = {};

  /**
   * The wire form (`"12.500"`) of `value`, or undefined after recording why it is unusable.
   * `undefined` passes through (an absent optional field), and so does `''` where the wire
   * allows an empty amount (`allowEmpty`, the open invoice's unused limits).
   */
  convert(value: unknown, path: string, allowEmpty = false): string | undefined {
    if (value === undefined || (allowEmpty && value === '')) return value;
    const checked = checkMoney(value);
    if ('wire' in checked) return checked.wire;
    (this.fields[path] ??= []).push(`${path} ${checked.problem}`);
    return undefined;
  }

  /** Throws one ValidationError naming every bad field, if any. */
  throwIfAny(): void {
    const paths = Object.keys(this.fields);
    if (paths.length === 0) return;
    const first = this.fields[paths[0]!]![0]!;
    throw new ValidationError({
      message: paths.length === 1 ? first : `${first} (and ${paths.length - 1} more invalid field${paths.length > 2 ? 's' : ''})`,
      fields: this.fields,
    });
  }
}

const NOT_MONEY = 'must be a string such as "12.500" or bigint fils such as 12500n';

/** The wire form of `value` (`"12.500"`), or why it is unusable (for strings and bigints, @fawtara/wire's own words). */
function checkMoney(value: unknown): { wire: string } | { problem: string } {
  if (typeof value === 'number') {
    return { problem: Number.isNaN(value) ? `${NOT_MONEY}, not NaN` : `${NOT_MONEY}: JS numbers are binary floats and cannot carry every amount exactly` };
  }
  if (typeof value !== 'string' && typeof value !== 'bigint') return { problem: NOT_MONEY };
  try {
    // Bigint fils go through their wire text, so one parser decides (negative, too large) for both.
    return { wire: formatMoney(parseMoney(typeof value === 'bigint' ? formatMoney(value) : value)) };
  } catch (err) {
    if (err instanceof MoneyError) return { problem: err.message };
    throw err;
  }
}

/**
 * Converts one amount to its wire form, three decimals, never rounding.
 *
 * @throws ValidationError (before any request) for numbers, NaN, negatives, more than three
 * decimals, exponents, signs, whitespace, or anything that is not a string or a bigint.
 * @example
 * toWireMoney('12.5', 'amount');  // '12.500'
 * toWireMoney(12500n, 'amount');  // '12.500'
 * toWireMoney(12.5, 'amount');    // throws ValidationError: numbers are refused
 * toWireMoney('1.2345', 'amount'); // throws ValidationError: more than three decimals
 */
export function toWireMoney(value: MoneyInput, field = 'amount'): string {
  const problems = new MoneyProblems();
  const out = problems.convert(value === undefined ? null : value, field);
  problems.throwIfAny();
  return out!;
}
