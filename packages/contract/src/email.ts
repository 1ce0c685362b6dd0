/**
 * What the gateway accepts as a customer's e-mail address, everywhere it takes one: the merchant
 * API, the checkout form and the SMTP sender. One mailbox (no display name, no list) with one @
 * and a dot in the domain, no spaces, and none of the characters that would let the text be read
 * as more than one address or as a display name. Deliverability is the mail server's business.
 */

/** The longest address SMTP can carry (a forward path is at most 256 octets with its brackets). */
export const EMAIL_MAX_LENGTH = 254;

/** A JSON Schema pattern; `isEmailAddress` is the same rule with the length limit. */
export const EMAIL_PATTERN = '^[^\\s@<>()[\\]\\\\,;:"]+@[^\\s@<>()[\\]\\\\,;:"]+\\.[^\\s@<>()[\\]\\\\,;:"]+$';

const EMAIL_RE = new RegExp(EMAIL_PATTERN);

/** Whether `text`, as given (not trimmed), is an address the gateway accepts. */
export function isEmailAddress(text: string): boolean {
  return text.length <= EMAIL_MAX_LENGTH && EMAIL_RE.test(text);
}
