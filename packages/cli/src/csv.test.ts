import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, formatCsv, isBlankRecord, parseCsv } from './csv.ts';

const fields = (text: string) => parseCsv(text).records.map((r) => r.fields);

describe('parseCsv', () => {
  it('reads plain fields with CRLF, LF or CR line breaks, with or without a final one', () => {
    const want = [
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ];
    expect(fields('a,b,c\r\n1,2,3\r\n')).toEqual(want);
    expect(fields('a,b,c\n1,2,3\n')).toEqual(want);
    expect(fields('a,b,c\r1,2,3')).toEqual(want);
    expect(fields('a,b,c\r\n1,2,3')).toEqual(want);
  });

  it('reads quoted fields with delimiters, doubled quotes and line breaks inside', () => {
    const { records } = parseCsv('name,note\r\n"Al ""Noor"" Co.","a, b"\r\n"multi\r\nline","x\ny"\r\nlast,""\r\n');
    expect(records.map((r) => r.fields)).toEqual([
      ['name', 'note'],
      ['Al "Noor" Co.', 'a, b'],
      ['multi\r\nline', 'x\ny'],
      ['last', ''],
    ]);
    // Row numbers count records (as a spreadsheet does); lines count the file's lines.
    expect(records.map((r) => [r.row, r.line])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 6], // record 3 holds two line breaks
    ]);
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(fields('a,,c\r\n,,\r\nx,y,\r\n')).toEqual([
      ['a', '', 'c'],
      ['', '', ''],
      ['x', 'y', ''],
    ]);
    expect(fields('"a",')).toEqual([['a', '']]);
  });

  it('removes a UTF-8 byte order mark and says it was there', () => {
    const parsed = parseCsv('\ufeffcustomerName,amount\r\nأحمد,1.000\r\n');
    expect(parsed.hadBom).toBe(true);
    expect(parsed.records[0]!.fields[0]).toBe('customerName');
    expect(parseCsv('a\r\n').hadBom).toBe(false);
  });

  it('reads Arabic and other non-ASCII text unchanged, quoted or not', () => {
    expect(fields('الاسم,الوصف\r\n"محمد, الكويت","فاتورة ""شهرية"""\r\nعلي 🧾,٣٫٥\r\n')).toEqual([
      ['الاسم', 'الوصف'],
      ['محمد, الكويت', 'فاتورة "شهرية"'],
      ['علي 🧾', '٣٫٥'],
    ]);
  });

  it('keeps spaces as written (they are data)', () => {
    expect(fields(' a , b \r\n')).toEqual([[' a ', ' b ']]);
  });

  it('reports blank lines as one empty field, and an empty text as no records', () => {
    const { records } = parseCsv('a\r\n\r\nb\r\n');
    expect(records.map(isBlankRecord)).toEqual([false, true, false]);
    expect(parseCsv('').records).toEqual([]);
  });

  it('accepts another delimiter', () => {
    expect(parseCsv('a;"b;c"\r\n1;2\r\n', ';').records.map((r) => r.fields)).toEqual([
      ['a', 'b;c'],
      ['1', '2'],
    ]);
  });

  it('refuses what cannot be read without guessing, with line and column', () => {
    const error = (text: string) => {
      try {
        parseCsv(text);
      } catch (err) {
        expect(err).toBeInstanceOf(CsvSyntaxError);
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    expect(error('a,b\r\n1,"open\r\n')).toBe('line 2, column 3: a quoted field is never closed (missing ")');
    expect(error('a,b\r\n1,"x"y\r\n')).toMatch(/^line 2, column 6: unexpected "y" after a closing quote/);
    expect(error('a,b\r\nab"c,d\r\n')).toMatch(/^line 2, column 3: a quote inside an unquoted field/);
  });
});

describe('formatCsv', () => {
  it('quotes only what needs it and round-trips through parseCsv', () => {
    const rows = [
      ['customerName', 'amount', 'error'],
      ['Al "Noor"', '12.500', 'amount: bad; mobileNumber: bad'],
      ['a, b', ' lead', 'multi\nline'],
      ['محمد', '', 'x\r\ny'],
    ];
    const text = formatCsv(rows);
    expect(text.split('\r\n')[1]).toBe('"Al ""Noor""",12.500,amount: bad; mobileNumber: bad');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parseCsv(text).records.map((r) => r.fields)).toEqual(rows);
  });

  it('writes a byte order mark when asked (spreadsheets then read UTF-8 Arabic correctly)', () => {
    const text = formatCsv([['محمد']], { bom: true });
    expect(text).toBe('\ufeffمحمد\r\n');
    expect(parseCsv(text).hadBom).toBe(true);
  });
});
