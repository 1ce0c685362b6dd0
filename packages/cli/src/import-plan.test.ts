import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.ts';
import { CliError } from './exit-codes.ts';
import { DEFAULTS, formatRowErrors, planImport, rowErrors } from './import-plan.ts';

const plan = (text: string, defaults = DEFAULTS) => planImport(parseCsv(text), { runId: 'run', defaults });

describe('planImport', () => {
  it('maps columns to invoice fields (any case or spacing), trims values, drops empty cells and applies defaults', () => {
    const p = plan('Customer Name,mobile_number,AMOUNT,expiresAt,description\r\n  Ahmad ,66666666,12.500,2026-12-31,\r\n');
    expect(p.units).toHaveLength(1);
    expect(p.units[0]).toMatchObject({ kind: 'invoice', idempotencyKey: 'run-2' });
    expect(p.units[0]!.rows[0]!.fields).toEqual({
      customerName: 'Ahmad',
      mobileNumber: '66666666',
      amount: '12.500',
      expiresAt: '2026-12-31',
      countryCode: '965',
      invoiceType: '0',
      invoiceSubType: '3',
      allocatePayType: '',
    });
    // The original values stay as written, for the failed-rows file.
    expect(p.units[0]!.rows[0]!.original).toEqual(['  Ahmad ', '66666666', '12.500', '2026-12-31', '']);
  });

  it('keeps amounts as the exact text (never a float)', () => {
    const p = plan('customerName,mobileNumber,amount,expiresAt\r\nA,66666666,0.1,2026-12-31\r\nB,66666666,12.3456,2026-12-31\r\nC,66666666,1e3,2026-12-31\r\n');
    expect(p.units.map((u) => u.rows[0]!.fields.amount)).toEqual(['0.1', '12.3456', '1e3']);
  });

  it('groups rows sharing a plan into one installment request, in row order, with one key', () => {
    const p = plan(
      'customerName,mobileNumber,amount,expiresAt,plan\r\nA,1,1,2026-01-01,P\r\nB,2,2,2026-01-01,\r\nC,3,3,2026-02-01,P\r\nD,4,4,2026-01-01,Q\r\n',
    );
    expect(p.units.map((u) => [u.kind, u.idempotencyKey, u.rows.map((r) => r.row)])).toEqual([
      ['plan', 'run-plan-2', [2, 4]],
      ['invoice', 'run-3', [3]],
      ['plan', 'run-plan-5', [5]],
    ]);
    expect(p.units[0]!.rows.map((r) => r.fields.customerName)).toEqual(['A', 'C']);
    expect('plan' in p.units[0]!.rows[0]!.fields).toBe(false);
  });

  it('skips blank lines, refuses rows with the wrong number of values, and counts rows', () => {
    const p = plan('customerName,mobileNumber,amount,expiresAt\r\nA,1,1,2026-01-01\r\n\r\nB,2\r\nC,3,3,2026-01-01,extra\r\n');
    expect(p.rowCount).toBe(3);
    expect(p.blankRows).toBe(1);
    expect(p.refused.map((r) => [r.row.row, formatRowErrors(r.errors)])).toEqual([
      [4, 'row: has 2 values but the header has 4 columns (a missing or extra comma, or an unquoted comma in a value)'],
      [5, 'row: has 5 values but the header has 4 columns (a missing or extra comma, or an unquoted comma in a value)'],
    ]);
  });

  it('ignores an "error" column, so a corrected failed-rows file imports as it is', () => {
    const p = plan('customerName,mobileNumber,amount,expiresAt,error\r\nA,66666666,1.000,2026-01-01,amount: bad\r\n');
    expect(p.header).toEqual(['customerName', 'mobileNumber', 'amount', 'expiresAt']);
    expect(p.errorColumn).toBe(4);
    expect(p.units[0]!.rows[0]!.original).toEqual(['A', '66666666', '1.000', '2026-01-01']);
  });

  it('takes expiresAt from the defaults when the column is absent', () => {
    const p = plan('customerName,mobileNumber,amount\r\nA,1,1\r\n', { ...DEFAULTS, expiresAt: '2026-05-01' });
    expect(p.units[0]!.rows[0]!.fields.expiresAt).toBe('2026-05-01');
  });

  it('refuses a file it cannot import, naming the problem (exit 65)', () => {
    const refusal = (text: string) => {
      try {
        plan(text);
      } catch (err) {
        expect(err).toBeInstanceOf(CliError);
        expect((err as CliError).exitCode).toBe(65);
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    expect(refusal('')).toMatch(/empty/);
    expect(refusal('customerName,mobileNumber,amount,expiresAt,custmerEmail\r\n')).toMatch(/unknown column "custmerEmail"/);
    expect(refusal('customerName,mobileNumber,amount,expiresAt,Amount\r\n')).toMatch(/"amount" and "Amount" both name amount/);
    expect(refusal('customerName,amount\r\n')).toBe('Row 1 (header): missing columns mobileNumber, expiresAt (or give --expires-at).');
  });
});

describe('rowErrors', () => {
  const p = plan('customerName,mobileNumber,amount,expiresAt,plan\r\nA,1,1,2026-01-01,P\r\nB,2,2,2026-01-01,P\r\nC,3,3,2026-01-01,P\r\nD,4,4,2026-01-01,\r\n');
  const [planUnit, single] = p.units;

  it("puts an installment's field errors on its own row, and tells the plan's other rows why they were not created", () => {
    const errors = rowErrors(planUnit!, { 'invoices.1.amount': ['bad amount'], 'invoices.1.mobileNumber': ['bad mobile'] }, 'invalid');
    expect([...errors.values()].map(formatRowErrors)).toEqual([
      'plan: not created: plan "P" is all or nothing and row 3 was refused',
      'amount: bad amount; mobileNumber: bad mobile',
      'plan: not created: plan "P" is all or nothing and row 3 was refused',
    ]);
  });

  it('gives a single invoice its field errors, and a message when there are none', () => {
    expect(formatRowErrors(rowErrors(single!, { amount: ['amount must be …'] }, 'x').get(single!.rows[0])!)).toBe('amount: amount must be …');
    expect(formatRowErrors(rowErrors(single!, {}, 'Idempotency-Key was already used').get(single!.rows[0])!)).toBe('request: Idempotency-Key was already used');
  });
});
