import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney, MAX_MONEY_FILS, MoneyError, parseMoney, parseMoneyOrNull } from './money.ts';
import type { MoneyErrorReason } from './money.ts';

describe('parseMoney accepts', () => {
  it.each<[unknown, bigint]>([
    ['20', 20_000n],
    ['20.5', 20_500n],
    ['20.50', 20_500n],
    ['20.000', 20_000n],
    ['0.001', 1n],
    ['0', 0n],
    ['0.000', 0n],
    ['0.5', 500n],
    ['100.000', 100_000n],
    ['9000000000', MAX_MONEY_FILS],
    ['9000000000.000', MAX_MONEY_FILS],
    ['8999999999.999', MAX_MONEY_FILS - 1n],
    [20, 20_000n],
    [20.5, 20_500n],
    [0.001, 1n],
    [20.005, 20_005n],
    [0, 0n],
    [-0, 0n],
    [1.1, 1_100n],
    [9_000_000_000, MAX_MONEY_FILS],
  ])('%o -> %o', (input, fils) => {
    expect(parseMoney(input)).toBe(fils);
    expect(parseMoneyOrNull(input)).toBe(fils);
  });
});

describe('parseMoney rejects', () => {
  it.each<[unknown, MoneyErrorReason]>([
    ['1.2345', 'too_many_decimals'],
    ['20.0004', 'too_many_decimals'],
    ['0.0000', 'too_many_decimals'],
    [1.2345, 'too_many_decimals'],
    [0.1 + 0.2, 'too_many_decimals'],
    [1e-7, 'too_many_decimals'],
    [0.000001, 'too_many_decimals'],
    ['-1', 'negative'],
    ['-1.500', 'negative'],
    ['-0', 'negative'],
    [-1, 'negative'],
    [-0.5, 'negative'],
    [-Infinity, 'not_a_number'],
    [Number.NaN, 'not_a_number'],
    [Infinity, 'not_a_number'],
    [true, 'not_a_number'],
    [false, 'not_a_number'],
    [null, 'not_a_number'],
    [undefined, 'not_a_number'],
    [{}, 'not_a_number'],
    [['20'], 'not_a_number'],
    [20n, 'not_a_number'],
    ['', 'format'],
    ['1e3', 'format'],
    ['1E3', 'format'],
    ['0x10', 'format'],
    ['+20', 'format'],
    [' 20', 'format'],
    ['20 ', 'format'],
    ['20\n', 'format'],
    ['1.', 'format'],
    ['.5', 'format'],
    ['007.5', 'format'],
    ['00', 'format'],
    ['01', 'format'],
    ['1,000', 'format'],
    ['1.2.3', 'format'],
    ['NaN', 'format'],
    ['Infinity', 'format'],
    ['abc', 'format'],
    ['٢٠', 'format'],
    ['20 KWD', 'format'],
    ['9000000000.001', 'too_large'],
    ['9000000001', 'too_large'],
    ['99999999999', 'too_large'],
    ['1' + '0'.repeat(400), 'too_large'],
    [9_000_000_000.001, 'too_large'],
    [1e21, 'too_large'],
    [Number.MAX_VALUE, 'too_large'],
  ])('%o (%s)', (input, reason) => {
    let error: unknown;
    try {
      parseMoney(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MoneyError);
    expect((error as MoneyError).reason).toBe(reason);
    expect((error as MoneyError).name).toBe('MoneyError');
    expect((error as MoneyError).message).toMatch(/^must /);
    expect(parseMoneyOrNull(input)).toBeNull();
  });

  it('explains too many decimals in words an API client understands', () => {
    expect(() => parseMoney('1.2345')).toThrow('must be an amount with at most three decimals');
  });
});

describe('formatMoney', () => {
  it.each<[bigint, string]>([
    [20_000n, '20.000'],
    [5n, '0.005'],
    [50n, '0.050'],
    [500n, '0.500'],
    [0n, '0.000'],
    [1_000n, '1.000'],
    [-1_500n, '-1.500'],
    [-5n, '-0.005'],
    [MAX_MONEY_FILS, '9000000000.000'],
    [10n ** 30n, '1' + '0'.repeat(27) + '.000'],
  ])('%o -> %s', (fils, text) => {
    expect(formatMoney(fils)).toBe(text);
  });

  it('refuses numbers (fils must be bigint)', () => {
    expect(() => formatMoney(5 as unknown as bigint)).toThrow(TypeError);
  });

  it('round-trips every amount in range', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_MONEY_FILS }), (fils) => {
        const text = formatMoney(fils);
        expect(text).toMatch(/^(?:0|[1-9][0-9]*)\.[0-9]{3}$/);
        expect(parseMoney(text)).toBe(fils);
      }),
      { numRuns: 2000 },
    );
  });

  it('a JS number with up to three decimals parses to the same fils as its string', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_MONEY_FILS }), (fils) => {
        const asNumber = Number(formatMoney(fils));
        expect(parseMoney(asNumber)).toBe(fils);
      }),
      { numRuns: 2000 },
    );
  });
});
