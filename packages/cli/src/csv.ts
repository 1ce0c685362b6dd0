/**
 * RFC 4180 CSV, both ways, without a dependency. Reading is lenient where real files differ
 * from the RFC in harmless ways (LF or lone CR line breaks, a UTF-8 byte order mark, no final
 * line break) and strict where a guess could shift values into the wrong column (a quote
 * inside an unquoted field, text after a closing quote, an unterminated quoted field).
 *
 * @example
 * const { records } = parseCsv('name,amount\r\n"Al ""Noor""",12.500\r\n');
 * records[1]; // { row: 2, line: 2, fields: ['Al "Noor"', '12.500'] }
 * formatCsv([['name', 'note'], ['Ahmad', 'a, b']]); // 'name,note\r\nAhmad,"a, b"\r\n'
 */

export interface CsvRecord {
  /** 1-based record number, the header included: the row number a spreadsheet shows. */
  row: number;
  /** 1-based line of the file where the record starts (differs from `row` after a multi-line cell). */
  line: number;
  fields: string[];
}

export interface ParsedCsv {
  /** Every record in order, the header first. A file that ends with a line break has no empty last record. */
  records: CsvRecord[];
  /** The text started with a UTF-8 byte order mark (removed from the first field). */
  hadBom: boolean;
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(`line ${line}, column ${column}: ${message}`);
    this.name = 'CsvSyntaxError';
  }
}

const QUOTE = 34; // "
const CR = 13;
const LF = 10;

/**
 * Parses CSV text (a decoded string, so Arabic and any UTF-8 text is plain characters).
 * Throws {@link CsvSyntaxError} with the line and column of the first problem.
 */
export function parseCsv(text: string, delimiter = ','): ParsedCsv {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\r' || delimiter === '\n')
    throw new TypeError('the delimiter must be one character other than a quote or a line break');
  const delim = delimiter.charCodeAt(0);
  const hadBom = text.charCodeAt(0) === 0xfeff;
  const s = hadBom ? text.slice(1) : text;
  const n = s.length;
  const records: CsvRecord[] = [];

  let fields: string[] = [];
  let line = 1;
  let lineStart = 0; // index of the current line's first character (for columns)
  let recordLine = 1;
  let i = 0;

  const column = (at: number) => at - lineStart + 1;
  const endRecord = () => {
    records.push({ row: records.length + 1, line: recordLine, fields });
    fields = [];
  };
  /** Consumes a line break at i (CRLF, LF or CR) if there is one. */
  const lineBreak = (): boolean => {
    const c = s.charCodeAt(i);
    if (c === CR) {
      i += s.charCodeAt(i + 1) === LF ? 2 : 1;
    } else if (c === LF) {
      i += 1;
    } else {
      return false;
    }
    line += 1;
    lineStart = i;
    return true;
  };

  if (n === 0) return { records, hadBom };

  for (;;) {
    // At the start of a field.
    if (s.charCodeAt(i) === QUOTE) {
      const openLine = line;
      const openColumn = column(i);
      i += 1;
      let value = '';
      let chunkStart = i;
      for (;;) {
        if (i >= n) throw new CsvSyntaxError(openLine, openColumn, 'a quoted field is never closed (missing ")');
        const c = s.charCodeAt(i);
        if (c === QUOTE) {
          if (s.charCodeAt(i + 1) === QUOTE) {
            value += s.slice(chunkStart, i + 1);
            i += 2;
            chunkStart = i;
            continue;
          }
          value += s.slice(chunkStart, i);
          i += 1;
          break;
        }
        if (c === CR || c === LF) {
          // A line break inside quotes is part of the value, kept as written; only the line count moves.
          lineBreak();
          continue;
        }
        i += 1;
      }
      fields.push(value);
      // After a closing quote: a delimiter, a line break or the end — nothing else.
      if (i >= n) {
        endRecord();
        break;
      }
      const c = s.charCodeAt(i);
      if (c === delim) {
        i += 1;
        continue;
      }
      if (lineBreak()) {
        endRecord();
        recordLine = line;
        if (i >= n) break;
        continue;
      }
      throw new CsvSyntaxError(line, column(i), `unexpected ${JSON.stringify(s[i])} after a closing quote (a quote inside a quoted field is written "")`);
    }

    // An unquoted field: up to the delimiter, a line break or the end.
    const start = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === delim || c === CR || c === LF) break;
      if (c === QUOTE) throw new CsvSyntaxError(line, column(i), 'a quote inside an unquoted field (quote the whole field and write the quote as "")');
      i += 1;
    }
    fields.push(s.slice(start, i));
    if (i >= n) {
      endRecord();
      break;
    }
    if (s.charCodeAt(i) === delim) {
      i += 1; // at the end, the next round reads the empty last field of "a,b,"
      continue;
    }
    lineBreak();
    endRecord();
    recordLine = line;
    if (i >= n) break;
  }
  return { records, hadBom };
}

/** True for a record that is one empty field: a blank line. */
export function isBlankRecord(record: CsvRecord): boolean {
  return record.fields.length === 1 && record.fields[0] === '';
}

/**
 * Formats rows as RFC 4180 CSV with CRLF line breaks. A field is quoted when it holds the
 * delimiter, a quote, a line break, or leading/trailing spaces; quotes are doubled.
 */
export function formatCsv(rows: readonly (readonly string[])[], options: { bom?: boolean; delimiter?: string } = {}): string {
  const delimiter = options.delimiter ?? ',';
  const needsQuotes = new RegExp(`[${delimiter === ']' ? '\\]' : delimiter.replace(/[\\^-]/g, '\\$&')}"\\r\\n]|^\\s|\\s$`);
  const out = rows.map((row) => row.map((field) => (needsQuotes.test(field) ? `"${field.replace(/"/g, '""')}"` : field)).join(delimiter)).join('\r\n');
  return `${options.bom ? '\ufeff' : ''}${out}${rows.length > 0 ? '\r\n' : ''}`;
}
