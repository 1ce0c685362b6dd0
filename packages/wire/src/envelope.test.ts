import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCodec, decrypt, decryptJson, encrypt, EnvelopeError } from './envelope.ts';
import type { EnvelopeKeys } from './envelope.ts';

interface Vectors {
  secretKey: string;
  iv: string;
  valid: { name: string; padBlock: number; hex: string; plaintext: string }[];
  invalid: { name: string; hex: string }[];
}

// The documented samples of Hesabe's merchant API, encrypted with its public sandbox key, plus
// edge cases. Read eagerly at import: a missing or broken file fails the suite instead of skipping it.
const vectors = JSON.parse(readFileSync(new URL('../fixtures/wire-vectors.json', import.meta.url), 'utf8')) as Vectors;
const keys: EnvelopeKeys = { secretKey: vectors.secretKey, iv: vectors.iv };
const codec = createCodec(keys);

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** Everything an HTTP layer could leak about an error, stack aside. */
function fingerprint(error: unknown) {
  const e = error as Error & { code?: unknown };
  return {
    isEnvelopeError: error instanceof EnvelopeError,
    ctor: e.constructor,
    name: e.name,
    message: e.message,
    code: e.code,
    cause: e.cause,
    hasCause: 'cause' in e,
    ownKeys: Object.getOwnPropertyNames(e)
      .filter((k) => k !== 'stack')
      .sort(),
    json: JSON.stringify(e),
  };
}

/** 16-byte PKCS#7, as node pads by default (the doc samples and the flutter kit do this). */
function encrypt16(plaintext: string): string {
  const cipher = createCipheriv('aes-256-cbc', Buffer.from(keys.secretKey), Buffer.from(keys.iv));
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]).toString('hex');
}

describe('wire vectors', () => {
  it('has vectors of both kinds', () => {
    expect(vectors.valid.length).toBeGreaterThanOrEqual(8);
    expect(vectors.invalid.length).toBeGreaterThanOrEqual(11);
    expect(vectors.valid.some((v) => v.padBlock === 16)).toBe(true);
    expect(vectors.valid.some((v) => v.padBlock === 32)).toBe(true);
  });

  it.each(vectors.valid)('valid: $name decrypts to exactly its plaintext', (vector) => {
    expect(codec.decrypt(vector.hex)).toBe(vector.plaintext);
    expect(decrypt(vector.hex, keys)).toBe(vector.plaintext);
    expect(codec.decryptJson(vector.hex)).toEqual(JSON.parse(vector.plaintext));
  });

  // Only 32-block senders can be reproduced: we always pad to 32.
  it.each(vectors.valid.filter((v) => v.padBlock === 32))('valid: $name re-encrypts to the same hex', (vector) => {
    expect(codec.encrypt(vector.plaintext)).toBe(vector.hex.toLowerCase());
  });

  it('includes uppercase hex, and the output is always lowercase', () => {
    const upper = vectors.valid.find((v) => /[A-F]/.test(v.hex));
    expect(upper).toBeDefined();
    expect(codec.encrypt(upper!.plaintext)).toMatch(/^[0-9a-f]+$/);
  });

  it.each(vectors.invalid)('invalid: $name is rejected with EnvelopeError', (vector) => {
    const error = caught(() => codec.decryptJson(vector.hex));
    expect(error).toBeInstanceOf(EnvelopeError);
    expect(fingerprint(error)).toEqual(fingerprint(new EnvelopeError()));
    expect(caught(() => decryptJson(vector.hex, keys))).toBeInstanceOf(EnvelopeError);
  });

  it('all invalid vectors produce indistinguishable errors', () => {
    const prints = vectors.invalid.map((v) => fingerprint(caught(() => codec.decryptJson(v.hex))));
    for (const print of prints) expect(print).toEqual(prints[0]);
    expect(prints[0]).toMatchObject({
      name: 'EnvelopeError',
      message: 'Invalid Request Data',
      code: 'INVALID_ENVELOPE',
      hasCause: false,
    });
  });

  it('even the stacks agree on where the error was thrown', () => {
    const sites = new Set(vectors.invalid.map((v) => (caught(() => codec.decryptJson(v.hex)) as Error).stack?.split('\n')[1]));
    expect(sites.size).toBe(1);
  });

  it('reproduces the published envelope examples for short payloads', () => {
    const short = '{"merchantCode":"842217"}';
    expect(codec.encrypt(short)).toBe('0e7898bd7464d0c402fe8a949d9cbf9b826ccb9b83b56fa003373275f1947a65');
    const two = '{"merchantCode":"842217","statusId":"3"}';
    expect(codec.encrypt(two)).toBe(
      '0e7898bd7464d0c402fe8a949d9cbf9b5f8c59ee58f681aecdd90bd6b0b506decbce0c0645ebc2f2ad9b4f62b0fc16af0eca8140d848262891bd256724ad179f',
    );
    expect(codec.decrypt('0e7898bd7464d0c402fe8a949d9cbf9b5f8c59ee58f681aecdd90bd6b0b506de11a11b69c0a658c7a9948425daa7261a')).toBe(two);
  });
});

describe('decrypt', () => {
  const good = codec.encrypt('{"a":1}');

  it.each([
    ['empty', ''],
    ['one block short of hex', good.slice(0, -2)],
    ['odd length', good + '0'],
    ['one AES block of 15 bytes', good.slice(0, 30)],
    ['non-hex at the start', 'zz' + good.slice(2)],
    ['non-hex in the middle', good.slice(0, 20) + 'g0' + good.slice(22)],
    ['non-hex at the end', good.slice(0, -1) + 'x'],
    ['whitespace', ' ' + good.slice(1)],
    ['0x prefix', '0x' + good.slice(2)],
  ])('rejects %s', (_name, hex) => {
    expect(() => codec.decrypt(hex)).toThrow(EnvelopeError);
  });

  it('rejects non-string input the same way (e.g. a repeated query parameter)', () => {
    for (const value of [undefined, null, 42, ['ab'], { data: good }]) {
      expect(() => codec.decrypt(value as unknown as string)).toThrow(EnvelopeError);
    }
  });

  it('accepts a whole 32-byte pad block and pads of every length 1..32', () => {
    for (let length = 0; length <= 64; length++) {
      const text = 'x'.repeat(length);
      const hex = codec.encrypt(text);
      const padded = Math.ceil((length + 1) / 32) * 32;
      expect(hex.length).toBe(padded * 2);
      expect(codec.decrypt(hex)).toBe(text);
      expect(codec.decrypt(encrypt16(text))).toBe(text);
    }
  });

  it('pads by UTF-8 bytes, not UTF-16 units', () => {
    const text = 'مرحبا 😀';
    const bytes = Buffer.byteLength(text);
    expect(codec.encrypt(text).length).toBe((Math.floor(bytes / 32) + 1) * 64);
  });

  it('keeps a leading byte-order mark (TextDecoder would strip it by default)', () => {
    expect(codec.decrypt(codec.encrypt('\ufeff{}'))).toBe('\ufeff{}');
    expect(() => codec.decryptJson(codec.encrypt('\ufeff{}'))).toThrow(EnvelopeError);
  });

  it('decryptJson accepts only a JSON object', () => {
    expect(codec.decryptJson(codec.encrypt('{}'))).toEqual({});
    expect(codec.decryptJson(codec.encrypt(' {"a":[1]} '))).toEqual({ a: [1] });
    for (const text of ['[]', 'null', '1', '"s"', 'true', '', '{', '{"a":1}x']) {
      expect(() => codec.decryptJson(codec.encrypt(text))).toThrow(EnvelopeError);
    }
  });

  it('decryptJson keeps "__proto__" as plain data', () => {
    const value = codec.decryptJson(codec.encrypt('{"__proto__":{"polluted":true}}'));
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('methods work detached from the codec', () => {
    const { encrypt: enc, decrypt: dec } = codec;
    expect(dec(enc('ok'))).toBe('ok');
  });
});

describe('createCodec', () => {
  it.each([
    [{ secretKey: 'short', iv: vectors.iv }, /secret key must be exactly 32 bytes/],
    [{ secretKey: vectors.secretKey + 'x', iv: vectors.iv }, /secret key must be exactly 32 bytes/],
    [{ secretKey: vectors.secretKey, iv: vectors.iv.slice(1) }, /IV must be exactly 16 bytes/],
    // 16 characters but 17 bytes: lengths are counted in UTF-8 bytes.
    [{ secretKey: vectors.secretKey, iv: 'é' + vectors.iv.slice(2) + 'x' }, /IV must be exactly 16 bytes/],
    [{ secretKey: undefined, iv: vectors.iv }, /secret key must be a string/],
  ])('rejects bad key material with a TypeError %#', (bad, pattern) => {
    const error = caught(() => createCodec(bad as unknown as EnvelopeKeys));
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(EnvelopeError);
    expect((error as Error).message).toMatch(pattern);
  });

  it('never puts the secret in the error message', () => {
    const secret = vectors.secretKey.slice(0, 31);
    const error = caught(() => createCodec({ secretKey: secret, iv: vectors.iv })) as Error;
    expect(error.message).not.toContain(secret);
  });

  it('another key does not decrypt (or, rarely, yields garbage)', () => {
    const other = createCodec({ secretKey: 'A'.repeat(32), iv: 'B'.repeat(16) });
    expect(() => other.decryptJson(codec.encrypt('{"merchantCode":"842217"}'))).toThrow(EnvelopeError);
  });

  it('the convenience functions match the codec', () => {
    const hex = encrypt('{"a":"b"}', keys);
    expect(hex).toBe(codec.encrypt('{"a":"b"}'));
    expect(decryptJson(hex, { ...keys })).toEqual({ a: 'b' });
  });
});

describe('properties', () => {
  it('round-trips any Unicode string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const hex = codec.encrypt(text);
        expect(hex).toMatch(/^(?:[0-9a-f]{64})+$/);
        expect(codec.decrypt(hex)).toBe(text);
        expect(codec.decrypt(hex.toUpperCase())).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  const arabic = fc.string({ unit: fc.integer({ min: 0x0600, max: 0x06ff }).map((c) => String.fromCharCode(c)) });
  const text = fc.oneof(arabic, fc.string({ unit: 'binary' }), fc.string());
  const jsonObject = fc.dictionary(text, fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 }), { maxKeys: 8 });

  it('round-trips JSON objects, Arabic included', () => {
    fc.assert(
      fc.property(jsonObject, arabic, (object, name) => {
        const value = { ...object, customerName: name };
        const decoded = codec.decryptJson(codec.encrypt(JSON.stringify(value)));
        expect(decoded).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });

  it('decrypts 16-byte PKCS#7 ciphertext from node default padding', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(codec.decrypt(encrypt16(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('tampered ciphertext fails with EnvelopeError or decrypts, never anything else', () => {
    const base = codec.encrypt('{"merchantCode":"842217","amount":"20.000","note":"تجربة"}');
    const tamper = fc.oneof(
      // flip bits of one byte
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(base.length / 2 - 1), mask: fc.integer({ min: 1, max: 255 }) }),
      // truncate or extend
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(base.length) }),
      fc.record({ kind: fc.constant('append' as const), extra: fc.string({ unit: 'binary-ascii', maxLength: 40 }) }),
      // replace one character with anything
      fc.record({ kind: fc.constant('char' as const), at: fc.nat(base.length - 1), ch: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }),
    );
    let decrypted = 0;
    fc.assert(
      fc.property(tamper, (t) => {
        let hex: string;
        if (t.kind === 'flip') {
          const bytes = Buffer.from(base, 'hex');
          bytes[t.at] = (bytes[t.at] ?? 0) ^ t.mask;
          hex = bytes.toString('hex');
        } else if (t.kind === 'cut') {
          hex = base.slice(0, t.at);
        } else if (t.kind === 'append') {
          hex = base + t.extra;
        } else {
          hex = base.slice(0, t.at) + t.ch + base.slice(t.at + 1);
        }
        for (const fn of [() => codec.decrypt(hex), () => codec.decryptJson(hex)]) {
          try {
            fn();
            decrypted++;
          } catch (error) {
            expect(error).toBeInstanceOf(EnvelopeError);
            expect((error as EnvelopeError).message).toBe('Invalid Request Data');
          }
        }
      }),
      { numRuns: 1000 },
    );
    // Sanity: the generator really tampers (unchanged inputs would all decrypt).
    expect(decrypted).toBeLessThan(2000);
  });
});
