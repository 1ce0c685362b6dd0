/**
 * Kuwaiti mobile numbers as the merchant API takes them: the number is 8 digits without the
 * country code, and the country code is sent on its own, as "965" or "+965". Invoices can only be
 * sent to Kuwait, so the code carries no choice; it is stored and dialled as "965".
 *
 * The schemas document these rules and the server validates with them (through
 * `packages/server/src/lib/phone.ts`), so the documentation and the checks cannot drift apart.
 */

/** Kuwait's calling code, as stored and as given to the SMS and WhatsApp providers. */
export const KUWAIT_COUNTRY_CODE = '965';

/** How many digits a Kuwaiti mobile number has without its country code. */
export const MOBILE_NUMBER_DIGITS = 8;

/** `mobileNumber` as the API takes it and the database stores it (a JSON Schema pattern). */
export const MOBILE_NUMBER_PATTERN = `^[0-9]{${MOBILE_NUMBER_DIGITS}}$`;

/** The spellings of the country code that the API accepts in `countryCode`. */
export const COUNTRY_CODE_INPUTS: readonly string[] = [KUWAIT_COUNTRY_CODE, `+${KUWAIT_COUNTRY_CODE}`];
