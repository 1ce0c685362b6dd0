import { randomBytes, randomFillSync, randomInt } from 'node:crypto';

/**
 * Identifiers handed out by the gateway. Public links (invoice page, open-invoice checkout) use
 * `publicKey()`: 18 random bytes, 144 bits, base64url. Numeric tokens mimic Hesabe's long digit
 * strings (clients store them as strings); they are unique by constraint, not secret.
 */
export function publicKey(): string {
  return takeRandom(18).toString('base64url');
}

// One CSPRNG call per 4 KiB instead of one per key: the call showed up in profiles of invoice
// creation. Bytes are handed out once and never reused.
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

function takeRandom(n: number): Buffer {
  if (poolOffset + n > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = Buffer.from(pool.subarray(poolOffset, poolOffset + n));
  poolOffset += n;
  return out;
}

/** A numeric token: unix seconds then 16 random digits (26 digits), like Hesabe's 19–30 digit tokens. */
export function numericToken(now: Date): string {
  const seconds = Math.floor(now.getTime() / 1000).toString();
  // 16 digits from 8 random bytes: 2^64 > 10^16 and the rejection region (values at or above the
  // largest multiple of 10^16) is rejected, so every digit string is equally likely.
  const limit = 18_446_744_073_709_551_616n - (18_446_744_073_709_551_616n % 10_000_000_000_000_000n);
  for (;;) {
    const n = takeRandom(8).readBigUInt64BE();
    if (n < limit) return seconds + (n % 10_000_000_000_000_000n).toString().padStart(16, '0');
  }
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
