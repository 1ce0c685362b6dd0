import { COUNTRY_CODE_INPUTS, KUWAIT_COUNTRY_CODE, MOBILE_NUMBER_DIGITS, MOBILE_NUMBER_PATTERN } from '@fawtara/contract';
import type { FieldValidator } from './field-validator.ts';

/**
 * Reading Kuwaiti mobile numbers, for every caller that takes one. The rule itself (8 digits,
 * country code 965) is defined with the API schemas in `@fawtara/contract`; this module applies
 * it with the tolerance each kind of input needs:
 *
 * - The merchant API is a contract with programs: `mobileNumber` is exactly the 8 digits and
 *   `countryCode` is "965" or "+965", anything else is an error naming the field, as Hesabe
 *   answers (`readApiMobileNumber`, `readApiCountryCode`).
 * - The checkout form is typed by people, who add the country code and group the digits:
 *   spaces, dashes and a +965 / 00965 / 965 prefix are tolerated (`parseCustomerMobile`).
 * - A dashboard search may be a phone number typed with its code (`nationalPartOfSearch`).
 *
 * Numbers are stored without the country code; `toInternational` gives what the SMS and WhatsApp
 * providers dial.
 */

const NATIONAL = new RegExp(MOBILE_NUMBER_PATTERN);
const CUSTOMER_PREFIX = new RegExp(`^(\\+|00)?${KUWAIT_COUNTRY_CODE}(?=\\d{${MOBILE_NUMBER_DIGITS}}$)`);
// At least three digits after the code: the code alone, or with a digit or two, is no number.
const SEARCH_WITH_CODE = new RegExp(`^\\+?${KUWAIT_COUNTRY_CODE}(\\d{3,${MOBILE_NUMBER_DIGITS}})$`);
const GROUPING = /[\s-]/g;

/** `mobileNumber` of an API payload: required, exactly the 8 digits without the country code. */
export function readApiMobileNumber(v: FieldValidator, body: Record<string, unknown>): string | undefined {
  const raw = v.string(body, 'mobileNumber', { required: true, max: 20 });
  if (raw === undefined) return undefined;
  if (!NATIONAL.test(raw)) {
    return v.fail('mobileNumber', `The mobileNumber field must be a Kuwaiti mobile number of ${MOBILE_NUMBER_DIGITS} digits, without the country code.`);
  }
  return raw;
}

/** `countryCode` of an API payload: required, one of the accepted spellings of Kuwait's code. */
export function readApiCountryCode(v: FieldValidator, body: Record<string, unknown>): typeof KUWAIT_COUNTRY_CODE | undefined {
  const raw = v.string(body, 'countryCode', { required: true, max: 5 });
  if (raw === undefined) return undefined;
  if (COUNTRY_CODE_INPUTS.includes(raw)) return KUWAIT_COUNTRY_CODE;
  return v.fail('countryCode', `The countryCode field must be ${COUNTRY_CODE_INPUTS.map((c) => `"${c}"`).join(' or ')} (Kuwait).`);
}

/** A mobile number typed on the checkout form, as stored (8 digits), or undefined if it is none. */
export function parseCustomerMobile(input: string): string | undefined {
  const digits = input.replace(GROUPING, '').replace(CUSTOMER_PREFIX, '');
  return NATIONAL.test(digits) ? digits : undefined;
}

/**
 * The digits after the country code when a search text is a phone number typed with it (965…,
 * +965…, grouped or not), else undefined: numbers are stored without the code, and the code
 * alone would match every invoice.
 */
export function nationalPartOfSearch(text: string): string | undefined {
  return SEARCH_WITH_CODE.exec(text.replace(GROUPING, ''))?.[1];
}

/** A stored number as the message providers dial it: country code and number, digits only. */
export function toInternational(mobileNumber: string): string {
  return KUWAIT_COUNTRY_CODE + mobileNumber;
}
