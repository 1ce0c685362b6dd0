import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.ts';
import { MoneyProblems, toWireMoney } from './money.ts';

describe('money', () => {
  it.each([
    ['12.5', '12.500'],
    ['12.500', '12.500'],
    ['0.001', '0.001'],
    ['20', '20.000'],
    [12500n, '12.500'],
    [1n, '0.001'],
    [0n, '0.000'],
    ['9000000000.000', '9000000000.000'],
  ] as const)('%s → %s', (input, wire) => {
    expect(toWireMoney(input)).toBe(wire);
  });

  it.each([
    [12.5, /JS numbers are binary floats/],
    [0.1 + 0.2, /JS numbers/],
    [Number.NaN, /NaN/],
    [Number.POSITIVE_INFINITY, /JS numbers/],
    ['1.2345', /at most three decimals/],
    ['12.5000', /at most three decimals/],
    ['-1', /negative/],
    [-1n, /negative/],
    [9_000_000_000_001n, /not be more than/],
    ['', /amount such as/],
    [' 1', /amount such as/],
    ['1e3', /amount such as/],
    ['0x10', /amount such as/],
    ['.5', /amount such as/],
    [undefined, /must be a string/],
    [{}, /must be a string/],
  ])('%s is refused before any request', (input, message) => {
    let err: unknown;
    try {
      toWireMoney(input as string, 'fixAmount');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    const v = err as ValidationError;
    expect(v.status).toBeUndefined();
    expect(v.code).toBe('validation_error');
    expect(v.fields.fixAmount).toEqual([expect.stringMatching(message)]);
    expect(v.message).toMatch(/^fixAmount /);
  });

  it('collects every bad field of a call into one error', () => {
    const problems = new MoneyProblems();
    expect(problems.convert('1', 'a')).toBe('1.000');
    expect(problems.convert(undefined, 'b')).toBeUndefined();
    expect(problems.convert('', 'c', true)).toBe('');
    problems.convert('', 'd');
    problems.convert(1.5, 'e');
    expect(() => problems.throwIfAny()).toThrow(/^d .*\(and 1 more invalid field\)$/);
    expect(Object.keys(problems.fields)).toEqual(['d', 'e']);
  });
});
