import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCodec } from './envelope.ts';
import { phpJsonEncode } from './php-json.ts';

interface Vectors {
  secretKey: string;
  iv: string;
  valid: { name: string; hex: string; plaintext: string }[];
}

// The documented samples of Hesabe's merchant API, encrypted with its public sandbox key.
const vectors = JSON.parse(readFileSync(new URL('../fixtures/wire-vectors.json', import.meta.url), 'utf8')) as Vectors;

describe('phpJsonEncode', () => {
  it.each([
    ['compact object', { a: 1, b: [true, false, null], c: 'x' }, '{"a":1,"b":[true,false,null],"c":"x"}'],
    ['slashes', { url: 'http://demo.hesabe.com/s/9Q6EE769' }, '{"url":"http:\\/\\/demo.hesabe.com\\/s\\/9Q6EE769"}'],
    ['slash in a key', { 'a/b': 1 }, '{"a\\/b":1}'],
    ['Arabic', 'مبلغ', '"\\u0645\\u0628\\u0644\\u063a"'],
    ['Arabic key', { اسم: 'x' }, '{"\\u0627\\u0633\\u0645":"x"}'],
    ['Latin-1 and BMP', 'é€', '"\\u00e9\\u20ac"'],
    ['U+0080 and U+00FF', '\u0080\u00ff', '"\\u0080\\u00ff"'],
    ['U+0800', '\u0800', '"\\u0800"'],
    ['emoji as a surrogate pair', '😀', '"\\ud83d\\ude00"'],
    ['U+2028 and U+2029', 'a\u2028b\u2029c', '"a\\u2028b\\u2029c"'],
    ['BOM', '\ufeff', '"\\ufeff"'],
    ['short control escapes', '\b\f\n\r\t', '"\\b\\f\\n\\r\\t"'],
    ['other controls in lowercase hex', '\u0000\u0001\u001f\u000b', '"\\u0000\\u0001\\u001f\\u000b"'],
    ['DEL is left alone', '\u007f', '"\u007f"'],
    ['quotes and backslashes', 'say "hi" \\ bye', '"say \\"hi\\" \\\\ bye"'],
    ['nested', { r: { list: [{ n: 'ن/1' }], e: {}, a: [] } }, '{"r":{"list":[{"n":"\\u0646\\/1"}],"e":{},"a":[]}}'],
    ['undefined properties are omitted', { a: undefined, b: 2 }, '{"b":2}'],
    ['integers', { n: 14697, z: 0, neg: -3 }, '{"n":14697,"z":0,"neg":-3}'],
    ['top-level scalars', null, 'null'],
    ['empty string', '', '""'],
    ['ASCII only is unchanged', { plain: 'abc 123 ~!@#$%^&*()' }, '{"plain":"abc 123 ~!@#$%^&*()"}'],
  ])('%s', (_name, value, expected) => {
    expect(phpJsonEncode(value)).toBe(expected);
  });

  it('refuses bigint with a TypeError pointing at money formatting', () => {
    expect(() => phpJsonEncode({ amount: 20000n })).toThrow(TypeError);
    expect(() => phpJsonEncode({ amount: 20000n })).toThrow(/format money/);
    expect(() => phpJsonEncode(1n)).toThrow(TypeError);
  });

  it('refuses bigint even when a library installed BigInt.prototype.toJSON', () => {
    const proto = BigInt.prototype as unknown as { toJSON?: () => string };
    proto.toJSON = function (this: bigint) {
      return this.toString();
    };
    try {
      expect(() => phpJsonEncode({ nested: [{ amount: 20000n }] })).toThrow(/format money/);
      expect(() => phpJsonEncode(5n)).toThrow(/format money/);
      expect(phpJsonEncode({ a: 'é/' })).toBe('{"a":"\\u00e9\\/"}');
    } finally {
      delete proto.toJSON;
    }
  });

  it('refuses values with no JSON representation', () => {
    expect(() => phpJsonEncode(undefined)).toThrow(TypeError);
    expect(() => phpJsonEncode(() => 1)).toThrow(TypeError);
  });

  it('output is pure ASCII and parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), (value) => {
        const encoded = phpJsonEncode(value);
        expect(encoded).toMatch(/^[\x20-\x7e]*$/);
        expect(encoded).not.toMatch(/(?<!\\)\//);
        expect(JSON.parse(encoded)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 500 },
    );
  });

  describe('matches the real server byte for byte', () => {
    const codec = createCodec({ secretKey: vectors.secretKey, iv: vectors.iv });
    const responses = vectors.valid.filter((v) => v.name.includes('response'));

    it('has the documented responses', () => {
      expect(responses.length).toBeGreaterThanOrEqual(2);
    });

    it.each(responses)('$name', (vector) => {
      const plaintext = codec.decrypt(vector.hex);
      expect(plaintext).toBe(vector.plaintext);
      expect(phpJsonEncode(JSON.parse(plaintext))).toBe(plaintext);
      // And therefore the whole envelope is reproduced.
      expect(codec.encrypt(phpJsonEncode(JSON.parse(plaintext)))).toBe(vector.hex.toLowerCase());
    });
  });
});
