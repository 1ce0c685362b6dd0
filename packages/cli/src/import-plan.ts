import { isBlankRecord, type ParsedCsv } from './csv.ts';
import { dataError } from './exit-codes.ts';

/**
 * From CSV records to the API requests of `fawtara import`: the header names invoice fields
 * (README "CLI"), each data row is one invoice, and rows that share a `plan` value become one
 * installment plan (`POST /api/v1/invoice/emi`, installments in row order). Values are kept as
 * the strings they are — amounts included, never through a float — and the API (and the SDK
 * before it) validates them, naming each bad field.
 */

/** The columns an import file may have, as the API names the fields. */
export const IMPORT_COLUMNS = [
  'customerName',
  'mobileNumber',
  'countryCode',
  'amount',
  'expiresAt',
  'invoiceType',
  'invoiceSubType',
  'referenceNumber',
  'customerEmail',
  'description',
  'language',
  'allocatePayType',
  'webhook',
  'plan',
] as const;

export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
/** An invoice field taken from a column (every column but `plan`). */
export type InvoiceField = Exclude<ImportColumn, 'plan'>;

/** The column `fawtara import` writes into the failed-rows file; ignored on input, so a corrected failed-rows file imports as it is. */
export const ERROR_COLUMN = 'error';

const REQUIRED: readonly ImportColumn[] = ['customerName', 'mobileNumber', 'amount'];

/** Values used where a row has no value (an absent column or an empty cell). */
export interface ImportDefaults {
  countryCode: string;
  invoiceType: string;
  invoiceSubType: string;
  allocatePayType: string;
  expiresAt?: string | undefined;
  language?: string | undefined;
}

export const DEFAULTS: ImportDefaults = { countryCode: '965', invoiceType: '0', invoiceSubType: '3', allocatePayType: '' };

export interface ImportRow {
  /** The row number a spreadsheet shows (the header is row 1). */
  row: number;
  /** The row's values as written, in header order (for the failed-rows file). */
  original: string[];
  /** The invoice's fields as sent: trimmed, empty cells left out, defaults applied. */
  fields: Partial<Record<InvoiceField, string>>;
}

export type ImportUnit =
  { kind: 'invoice'; idempotencyKey: string; rows: [ImportRow] } | { kind: 'plan'; plan: string; idempotencyKey: string; rows: ImportRow[] };

/** field (an invoice field, or `row`/`plan`/`request`) → messages. */
export type RowErrors = Record<string, string[]>;

export interface ImportPlan {
  /** The header as written (without an `error` column). */
  header: string[];
  /** Where the header had an `error` column (index), to replace it rather than add another. */
  errorColumn: number | undefined;
  units: ImportUnit[];
  /** Rows refused before anything is sent (a wrong number of values). */
  refused: { row: ImportRow; errors: RowErrors }[];
  /** Data rows in the file, blank lines not counted. */
  rowCount: number;
  blankRows: number;
}

/** `Customer Name`, `customer_name` and `CUSTOMERNAME` all name customerName. */
function normalise(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
}

const BY_NORMALISED = new Map<string, ImportColumn>(IMPORT_COLUMNS.map((c) => [normalise(c), c]));

/**
 * Reads the header and groups the rows into requests. Throws a data error (exit 65) for a file
 * that cannot be imported at all: no header, an unknown or repeated column, a required column
 * missing. `runId` prefixes every Idempotency-Key (the file's hash by default), so a re-run of
 * the same file replays instead of creating again.
 */
export function planImport(parsed: ParsedCsv, options: { runId: string; defaults: ImportDefaults }): ImportPlan {
  const [headerRecord, ...records] = parsed.records;
  if (!headerRecord || isBlankRecord(headerRecord))
    throw dataError('The file is empty: the first row must be a header naming the columns (see fawtara import --help).');

  const columns: (ImportColumn | undefined)[] = [];
  const unknown: string[] = [];
  const seen = new Map<ImportColumn, string>();
  let errorColumn: number | undefined;
  headerRecord.fields.forEach((name, i) => {
    if (normalise(name) === ERROR_COLUMN && errorColumn === undefined) {
      errorColumn = i;
      columns.push(undefined);
      return;
    }
    const column = BY_NORMALISED.get(normalise(name));
    if (column === undefined) unknown.push(JSON.stringify(name));
    else if (seen.has(column))
      throw dataError(`Row 1 (header): the columns ${JSON.stringify(seen.get(column))} and ${JSON.stringify(name)} both name ${column}.`);
    else seen.set(column, name);
    columns.push(column);
  });
  if (unknown.length > 0) {
    throw dataError(`Row 1 (header): unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}. The columns are: ${IMPORT_COLUMNS.join(', ')}.`);
  }
  const missing = REQUIRED.filter((c) => !seen.has(c));
  if (!seen.has('expiresAt') && options.defaults.expiresAt === undefined) missing.push('expiresAt');
  if (missing.length > 0) {
    throw dataError(
      `Row 1 (header): missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}${missing.includes('expiresAt') ? ' (or give --expires-at)' : ''}.`,
    );
  }

  const header = headerRecord.fields.filter((_, i) => i !== errorColumn);
  const width = headerRecord.fields.length;
  const units: ImportUnit[] = [];
  const plans = new Map<string, Extract<ImportUnit, { kind: 'plan' }>>();
  const refused: ImportPlan['refused'] = [];
  let blankRows = 0;

  for (const record of records) {
    if (isBlankRecord(record) && width > 1) {
      blankRows += 1;
      continue;
    }
    const original = Array.from({ length: width }, (_, i) => record.fields[i] ?? '').filter((_, i) => i !== errorColumn);
    const row: ImportRow = { row: record.row, original, fields: {} };
    if (record.fields.length !== width) {
      refused.push({
        row,
        errors: { row: [`has ${record.fields.length} values but the header has ${width} columns (a missing or extra comma, or an unquoted comma in a value)`] },
      });
      continue;
    }
    let plan = '';
    record.fields.forEach((raw, i) => {
      const column = columns[i];
      if (column === undefined) return;
      const value = raw.trim();
      if (column === 'plan') plan = value;
      else if (value !== '') row.fields[column] = value;
    });
    for (const [field, value] of Object.entries(options.defaults) as [keyof ImportDefaults, string | undefined][]) {
      if (value !== undefined && row.fields[field] === undefined) row.fields[field] = value;
    }
    if (plan === '') {
      units.push({ kind: 'invoice', idempotencyKey: `${options.runId}-${record.row}`, rows: [row] });
      continue;
    }
    const existing = plans.get(plan);
    if (existing) {
      existing.rows.push(row);
    } else {
      const unit: ImportUnit = { kind: 'plan', plan, idempotencyKey: `${options.runId}-plan-${record.row}`, rows: [row] };
      plans.set(plan, unit);
      units.push(unit);
    }
  }
  return { header, errorColumn, units, refused, rowCount: records.length - blankRows, blankRows };
}

/**
 * Spreads an API refusal over the rows it concerns: for a plan, `invoices.<i>.<field>` goes to
 * the i-th installment's row and every other row of the plan is told why it was not created
 * either (a plan is all or nothing); anything else goes to every row of the unit.
 */
export function rowErrors(unit: ImportUnit, fields: Record<string, string[]>, message: string): Map<ImportRow, RowErrors> {
  const out = new Map<ImportRow, RowErrors>(unit.rows.map((r) => [r, {}]));
  const add = (row: ImportRow, field: string, messages: string[]) => {
    const errors = out.get(row)!;
    (errors[field] ??= []).push(...messages);
  };
  const entries = Object.entries(fields);
  if (entries.length === 0) {
    for (const row of unit.rows) add(row, 'request', [message]);
    return out;
  }
  for (const [path, messages] of entries) {
    const installment = unit.kind === 'plan' ? /^invoices\.(\d+)\.(.+)$/.exec(path) : null;
    const row = installment ? unit.rows[Number(installment[1])] : undefined;
    if (installment && row) {
      add(row, installment[2]!, messages);
    } else {
      for (const r of unit.rows) add(r, unit.kind === 'plan' ? path.replace(/^invoices\.\d+\./, '') : path, messages);
    }
  }
  if (unit.kind === 'plan') {
    const bad = unit.rows.filter((r) => Object.keys(out.get(r)!).length > 0).map((r) => r.row);
    for (const r of unit.rows) {
      if (Object.keys(out.get(r)!).length === 0)
        add(r, 'plan', [
          `not created: plan "${unit.plan}" is all or nothing and row${bad.length > 1 ? 's' : ''} ${bad.join(', ')} ${bad.length > 1 ? 'were' : 'was'} refused`,
        ]);
    }
  }
  return out;
}

/** `amount: The amount …; mobileNumber: The mobileNumber …` — each bad field named. */
export function formatRowErrors(errors: RowErrors): string {
  return Object.entries(errors)
    .map(([field, messages]) => `${field}: ${messages.join(' ')}`)
    .join('; ');
}
