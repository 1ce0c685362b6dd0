/**
 * Card number helpers for payment connectors. Pure functions over digit strings;
 * nothing here stores or logs a number.
 */

export type CardScheme = 'VISA' | 'MASTERCARD' | 'AMEX' | 'KNET';

/** Luhn (mod 10) check over a string of decimal digits; false for anything else or empty. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * The scheme a card number belongs to, by its leading digits (IIN); undefined when unknown or
 * when the input is not all digits. KNET is recognised by the sandbox test card's `888888`
 * prefix only: real KNET debit cards carry the issuing banks' own prefixes.
 */
export function cardScheme(digits: string): CardScheme | undefined {
  if (!/^\d+$/.test(digits)) return undefined;
  if (digits.startsWith('888888')) return 'KNET';
  if (digits.startsWith('4')) return 'VISA';
  if (digits.startsWith('34') || digits.startsWith('37')) return 'AMEX';
  const two = Number(digits.slice(0, 2));
  if (digits.length >= 2 && two >= 51 && two <= 55) return 'MASTERCARD';
  const four = Number(digits.slice(0, 4));
  if (digits.length >= 4 && four >= 2221 && four <= 2720) return 'MASTERCARD';
  return undefined;
}

/** Card numbers are 13–19 digits (ISO/IEC 7812); only these show first six and last four. */
const MIN_PAN_LENGTH = 13;

/**
 * First six, stars, last four: `888888******0001`; a 15-digit AMEX gets five stars. Anything
 * shorter than a card number keeps at most its last four digits (first six plus last four would
 * be the whole number).
 */
export function maskCard(digits: string): string {
  if (digits.length >= MIN_PAN_LENGTH) {
    return digits.slice(0, 6) + '*'.repeat(digits.length - 10) + digits.slice(-4);
  }
  if (digits.length > 4) return '*'.repeat(digits.length - 4) + digits.slice(-4);
  return '*'.repeat(digits.length);
}

/**
 * Removes the spaces and dashes people type to group digits (`4012 0010 3714 1112`). Nothing
 * else is touched, so letters, dots or other separators remain and validation refuses them.
 */
export function normalizeCardNumber(input: string): string {
  return input.replace(/[ -]/g, '');
}
