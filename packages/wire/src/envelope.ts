/**
 * The Hesabe ("HesabeCrypt") envelope: AES-256-CBC with the merchant's fixed key and IV,
 * PKCS#7-style padding to 32-byte blocks, lowercase hex.
 *
 * Senders in the wild pad to 16 or 32 bytes, so decryption accepts any pad length 1..32.
 * Every decryption failure surfaces as the same {@link EnvelopeError}, thrown from one place,
 * so nothing about it (message, code, stack) tells an attacker which check failed.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

const ALGORITHM = 'aes-256-cbc';
const KEY_BYTES = 32;
const IV_BYTES = 16;
/** Hesabe pads to 32-byte blocks although AES blocks are 16 bytes. */
const PAD_BLOCK = 32;
const AES_BLOCK_HEX = 32;

/** The merchant's envelope credentials as shown in the panel. */
export interface EnvelopeKeys {
  /** 32 characters (32 bytes of UTF-8). */
  secretKey: string;
  /** 16 characters (16 bytes of UTF-8). */
  iv: string;
}

/** An envelope codec bound to one merchant's key and IV. Methods do not use `this`. */
export interface Codec {
  /** Encrypts a string; returns lowercase hex. */
  encrypt(plaintext: string): string;
  /** Decrypts upper- or lower-case hex to a string; throws {@link EnvelopeError}. */
  decrypt(hex: string): string;
  /** Decrypts and parses a JSON object; throws {@link EnvelopeError}. */
  decryptJson(hex: string): Record<string, unknown>;
}

/**
 * The one error every envelope decryption failure becomes: bad hex, bad length, bad padding,
 * wrong key, not UTF-8, not a JSON object. It deliberately carries no cause or detail.
 *
 * @example
 * try { codec.decryptJson(data) } catch (e) { if (e instanceof EnvelopeError) reply(400, e.message) }
 */
export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
  readonly code = 'INVALID_ENVELOPE';
  constructor() {
    super('Invalid Request Data');
  }
}

// `ignoreBOM: true` keeps a leading U+FEFF: the default would silently strip it and break
// byte-exact round trips (JSON.parse then rejects it, as PHP's json_decode does).
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function keyBuffer(value: unknown, bytes: number, what: string): Buffer {
  if (typeof value !== 'string') {
    throw new TypeError(`Envelope ${what} must be a string of ${bytes} bytes`);
  }
  const buf = Buffer.from(value, 'utf8');
  if (buf.length !== bytes) {
    // Never echo the value: it is a secret.
    throw new TypeError(`Envelope ${what} must be exactly ${bytes} bytes of UTF-8 (got ${buf.length})`);
  }
  return buf;
}

/**
 * Creates a codec for one merchant. Validates the key lengths once (a wrong length is a
 * configuration error, so it is a `TypeError`, not an {@link EnvelopeError}).
 *
 * @example
 * const codec = createCodec({ secretKey: 'PkW64zMe5NVdrlPVNnjo2Jy9nOb7v1Xg', iv: '5NVdrlPVNnjo2Jy9' });
 * const hex = codec.encrypt('{"merchantCode":"842217"}');
 * codec.decryptJson(hex); // { merchantCode: '842217' }
 */
export function createCodec(keys: EnvelopeKeys): Codec {
  const key = keyBuffer(keys?.secretKey, KEY_BYTES, 'secret key');
  const iv = keyBuffer(keys?.iv, IV_BYTES, 'IV');

  function encrypt(plaintext: string): string {
    if (typeof plaintext !== 'string') throw new TypeError('Envelope plaintext must be a string');
    const length = Buffer.byteLength(plaintext, 'utf8');
    const pad = PAD_BLOCK - (length % PAD_BLOCK);
    // One allocation holds text and padding; allocUnsafe is fine because every byte is written.
    const buf = Buffer.allocUnsafe(length + pad);
    buf.write(plaintext, 0, 'utf8');
    buf.fill(pad, length);
    const cipher = createCipheriv(ALGORITHM, key, iv).setAutoPadding(false);
    const out = cipher.update(buf);
    // Input is block-aligned and auto padding is off, so final() yields nothing.
    cipher.final();
    return out.toString('hex');
  }

  /** Returns undefined on any failure so the caller throws from a single site. */
  function tryDecrypt(hex: unknown): string | undefined {
    if (typeof hex !== 'string' || hex.length === 0 || hex.length % AES_BLOCK_HEX !== 0) {
      return undefined;
    }
    // Buffer.from stops silently at the first non-hex pair; a short result means bad input.
    const data = Buffer.from(hex, 'hex');
    if (data.length * 2 !== hex.length) return undefined;

    let plain: Buffer;
    try {
      const decipher = createDecipheriv(ALGORITHM, key, iv).setAutoPadding(false);
      plain = decipher.update(data);
      const tail = decipher.final();
      if (tail.length !== 0) plain = Buffer.concat([plain, tail]);
    } catch {
      return undefined;
    }

    const length = plain.length;
    const n = plain[length - 1] ?? 0;
    // Check all candidate pad bytes without an early exit, so timing says little about where
    // the padding went wrong.
    let bad = n === 0 || n > PAD_BLOCK || n > length ? 1 : 0;
    const span = Math.min(PAD_BLOCK, length);
    for (let i = 1; i <= span; i++) {
      const inPad = i <= n ? 1 : 0;
      bad |= inPad & ((plain[length - i] ?? 0) !== n ? 1 : 0);
    }
    if (bad !== 0) return undefined;

    try {
      return utf8.decode(plain.subarray(0, length - n));
    } catch {
      return undefined;
    }
  }

  function decrypt(hex: string): string {
    const text = tryDecrypt(hex);
    if (text === undefined) throw new EnvelopeError();
    return text;
  }

  function tryDecryptJson(hex: unknown): Record<string, unknown> | undefined {
    const text = tryDecrypt(hex);
    if (text === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return value as Record<string, unknown>;
  }

  function decryptJson(hex: string): Record<string, unknown> {
    const value = tryDecryptJson(hex);
    if (value === undefined) throw new EnvelopeError();
    return value;
  }

  return { encrypt, decrypt, decryptJson };
}

// Keyed by the caller's keys object, so a merchant record reused across requests builds its
// codec once, and nothing secret lingers after that record is dropped.
const codecs = new WeakMap<EnvelopeKeys, Codec>();

function codecFor(keys: EnvelopeKeys): Codec {
  let codec = codecs.get(keys);
  if (codec === undefined) {
    codec = createCodec(keys);
    codecs.set(keys, codec);
  }
  return codec;
}

/**
 * One-off encryption; prefer {@link createCodec} for repeated use.
 *
 * @example
 * encrypt('{"merchantCode":"842217"}', keys); // '0e7898bd7464d0c4…'
 */
export function encrypt(plaintext: string, keys: EnvelopeKeys): string {
  return codecFor(keys).encrypt(plaintext);
}

/**
 * One-off decryption to a string; throws {@link EnvelopeError} on any bad input.
 *
 * @example
 * decrypt('0e7898bd7464d0c402fe8a949d9cbf9b826ccb9b83b56fa003373275f1947a65', keys);
 * // '{"merchantCode":"842217"}'
 */
export function decrypt(hex: string, keys: EnvelopeKeys): string {
  return codecFor(keys).decrypt(hex);
}

/**
 * One-off decryption of a JSON object; throws {@link EnvelopeError} on any bad input,
 * including JSON that is not an object.
 *
 * @example
 * decryptJson('0e7898bd7464d0c402fe8a949d9cbf9b826ccb9b83b56fa003373275f1947a65', keys);
 * // { merchantCode: '842217' }
 */
export function decryptJson(hex: string, keys: EnvelopeKeys): Record<string, unknown> {
  return codecFor(keys).decryptJson(hex);
}
