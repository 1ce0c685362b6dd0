import { randomBytes, randomInt } from 'node:crypto';

/**
 * Identifiers handed out by the gateway. Public links (invoice page, open-invoice checkout) use
 * `publicKey()`: 18 random bytes, 144 bits, base64url. Numeric tokens mimic Hesabe's long digit
 * strings (clients store them as strings); they are unique by constraint, not secret.
 */
export function publicKey(): string {
  return randomBytes(18).toString('base64url');
}

/** A numeric token: unix seconds then 16 random digits (26 digits), like Hesabe's 19–30 digit tokens. */
export function numericToken(now: Date): string {
  const seconds = Math.floor(now.getTime() / 1000).toString();
  let random = '';
  // Two draws of 8 digits each: randomInt's range is limited to 2^48.
  for (let i = 0; i < 2; i++) random += randomInt(0, 100_000_000).toString().padStart(8, '0');
  return seconds + random;
}

/** Opaque secret for API use (refresh tokens): 32 random bytes, base64url. */
export function opaqueSecret(): string {
  return randomBytes(32).toString('base64url');
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random string over [A-Za-z0-9] of exactly `length` characters (for AES keys that must be ASCII). */
export function randomAlnum(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[randomInt(0, ALNUM.length)];
  return out;
}

/** Random decimal digits, first one non-zero. */
export function randomDigits(length: number): string {
  let out = String(randomInt(1, 10));
  for (let i = 1; i < length; i++) out += String(randomInt(0, 10));
  return out;
}
