import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  AuthenticationError,
  ConnectionError,
  FawtaraError,
  RateLimitError,
  ServerError,
  ValidationError,
  type InstallmentParams,
  type Invoice,
  type InvoiceCreateParams,
} from '@fawtara/sdk';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { createApiClient, type ReplayTracker } from '../client.ts';
import { CONNECTION_HELP, connectionOptions, type ConnectionFlags } from '../connection.ts';
import { CsvSyntaxError, formatCsv, parseCsv } from '../csv.ts';
import { exitCodeOf } from '../errors.ts';
import { dataError, EXIT, usageError, type ExitCode } from '../exit-codes.ts';
import {
  DEFAULTS,
  ERROR_COLUMN,
  formatRowErrors,
  planImport,
  rowErrors,
  type ImportPlan,
  type ImportRow,
  type ImportUnit,
  type RowErrors,
} from '../import-plan.ts';
import { createOutput } from '../output.ts';
import { createProgress } from '../progress.ts';

interface ImportFlags extends ConnectionFlags {
  concurrency: number;
  failed?: string;
  runId?: string;
  expiresAt?: string;
  invoiceType: string;
  invoiceSubType: string;
  countryCode: string;
  allocatePayType: string;
  language?: string;
  delimiter: string;
  progress: boolean;
  json?: boolean;
}

const IMPORT_HELP = `
The file: UTF-8 CSV (RFC 4180: quoted fields, "" for a quote, CRLF or LF, an optional byte
order mark, any script). The first row names the columns — the API's invoice fields, in any
order and case (customer_name and "Customer Name" also work):

  customerName      required   the customer's name
  mobileNumber      required   8-digit Kuwaiti mobile number, without the country code
  amount            required   KWD, at most three decimals ("12.500"), kept as text: never rounded
  expiresAt         required   YYYY-MM-DD, last day to pay (or give --expires-at for every row)
  countryCode                  965 (default --country-code)
  invoiceType                  0 URL sharing, 1 SMS invoice (default --invoice-type, 0)
  invoiceSubType               0 SMS, 1 WhatsApp, 2 Email, 3 URL only (default --invoice-sub-type, 3:
                               sends nothing)
  allocatePayType              payment methods, e.g. "1,2"; empty = every method enabled
  referenceNumber              your invoice number (required for installments)
  customerEmail                required when invoiceSubType is 2
  description, language (en|ar), webhook (URL)
  plan                         rows with the same plan value become ONE installment plan
                               (POST /api/v1/invoice/emi), installments in row order, all or none

An empty cell means "not given" (the default applies). A column named "error" is ignored, so a
corrected failed-rows file imports as it is.

Each row (each plan) is sent with an Idempotency-Key made of the run id (default: a hash of the
file) and its row number, so running the same file again creates nothing twice — within the
24 hours the gateway keeps keys. To correct rows in the original file and run it again, pass
the first run's --run-id (printed in the summary): rows already created are replayed, the
corrected ones are created.

Refused rows are written to the failed-rows file (default <name>.failed.csv beside the input):
the original columns plus "error", which names each bad field, e.g.
  amount: amount must have at most three decimals; mobileNumber: The mobileNumber field must …
Row numbers are those a spreadsheet shows (the header is row 1).`;

/** `fawtara import <file.csv>`: many invoices (and installment plans) from a CSV file, through the API. */
export function registerImportCommand(program: Command): void {
  const command = program
    .command('import')
    .summary('create many invoices (or installment plans) from a CSV file')
    .description(
      'Creates one invoice per CSV row through the API (installment plans for rows sharing a `plan`),\nconcurrently, with a progress bar on stderr, a summary on stdout and a file of the refused rows.',
    )
    .argument('<file>', 'the CSV file')
    .addOption(new Option('-c, --concurrency <n>', 'requests in flight at once (1–64)').default(8).argParser(intIn(1, 64)))
    .option('--failed <file>', 'where to write the refused rows (default <name>.failed.csv beside the input)')
    .option('--run-id <id>', 'Idempotency-Key prefix (default: from the file hash); reuse a run id to re-run a corrected file', runIdArg)
    .option('--expires-at <date>', 'expiresAt for rows without one (YYYY-MM-DD)')
    .addOption(new Option('--invoice-type <code>', 'invoiceType for rows without one').default(DEFAULTS.invoiceType).choices(['0', '1']))
    .addOption(new Option('--invoice-sub-type <code>', 'invoiceSubType for rows without one').default(DEFAULTS.invoiceSubType).choices(['0', '1', '2', '3']))
    .option('--country-code <code>', 'countryCode for rows without one', DEFAULTS.countryCode)
    .option('--allocate-pay-type <codes>', 'allocatePayType for rows without one (empty: every enabled method)', DEFAULTS.allocatePayType)
    .addOption(new Option('--language <language>', 'language for rows without one (default: the merchant’s)').choices(['en', 'ar']))
    .option('--delimiter <char>', 'field delimiter', ',')
    .option('--no-progress', 'no progress output on stderr')
    .option('--json', 'print the summary (with every row’s result) as JSON');
  connectionOptions(command)
    .addHelpText('after', IMPORT_HELP)
    .addHelpText(
      'after',
      `
Examples:
  $ cat invoices.csv
  customerName,mobileNumber,amount,expiresAt,referenceNumber,description
  Ahmad Al-Sabah,66666666,12.500,2026-12-31,INV-1001,March rent
  "Noor Trading, W.L.L.",55555555,1500.000,2026-12-31,INV-1002,"Order ""A"""
  محمد,99999999,7.250,2026-12-31,INV-1003,فاتورة
  $ fawtara import invoices.csv                       # creates 3 invoices
  $ fawtara import invoices.csv                       # again: creates nothing, replays 3
  $ fawtara import plans.csv --concurrency 4 --json > result.json
  $ fawtara import big.csv --run-id import-2f9c… # after correcting rows in big.csv
${CONNECTION_HELP}

Exit codes: 0 every row created (or already there), 2 some rows refused (see the failed-rows
file), 65 every row refused or the file unreadable as CSV, 69 the server became unreachable
(re-run: nothing is created twice), 77 authentication failed, 64 bad flags or no such file.`,
    )
    .action(async (file: string, flags: ImportFlags) => {
      process.exitCode = await runImport(file, flags);
    });
}

function intIn(min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return Number(value);
  };
}

function runIdArg(value: string): string {
  if (!/^[\x21-\x7e]{1,200}$/.test(value)) throw new InvalidArgumentError('expected 1 to 200 printable ASCII characters without spaces');
  return value;
}

/** `customers.csv` → `customers.failed.csv` (any other name gets `.failed.csv` appended). */
function defaultFailedPath(file: string): string {
  return /\.csv$/i.test(file) ? file.replace(/\.csv$/i, '.failed.csv') : `${file}.failed.csv`;
}

type RowResult =
  | { row: number; status: 'created' | 'existing'; plan?: string; id: number; token: string; url: string; reference_number: string | null }
  | { row: number; status: 'failed'; plan?: string; error: string; fields: RowErrors };

async function runImport(file: string, flags: ImportFlags): Promise<ExitCode> {
  const out = createOutput(flags);
  if (flags.delimiter.length !== 1 || /["\r\n]/.test(flags.delimiter))
    throw usageError('--delimiter must be one character other than a quote or a line break.');
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw usageError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw dataError(`${file} is not UTF-8 text. Save it as "CSV UTF-8" and try again.`);
  }
  let parsed;
  try {
    parsed = parseCsv(text, flags.delimiter);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw dataError(`${file}: not valid CSV at ${err.message}.`);
    throw err;
  }
  const runId = flags.runId ?? `import-${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}`;
  const plan = planImport(parsed, {
    runId,
    defaults: {
      countryCode: flags.countryCode,
      invoiceType: flags.invoiceType,
      invoiceSubType: flags.invoiceSubType,
      allocatePayType: flags.allocatePayType,
      expiresAt: flags.expiresAt,
      language: flags.language,
    },
  });
  const failedPath = flags.failed ?? defaultFailedPath(file);

  const replays: ReplayTracker = new Set();
  const client = createApiClient(flags, out.note, { replays });
  // Credentials first: a wrong password should stop the run before row 2, not fail every row.
  await client.profile.get();

  const started = Date.now();
  const results: RowResult[] = [];
  const counts = { done: 0, ok: 0, failed: 0 };
  for (const refused of plan.refused) {
    results.push({ row: refused.row.row, status: 'failed', error: formatRowErrors(refused.errors), fields: refused.errors });
    counts.done += 1;
    counts.failed += 1;
  }
  const progress = createProgress({ label: `import ${path.basename(file)}`, total: plan.rowCount, enabled: flags.progress });
  let stop: { code: ExitCode; message: string } | undefined;

  const fail = (unit: ImportUnit, errors: Map<ImportRow, RowErrors>) => {
    for (const row of unit.rows) {
      const fields = errors.get(row) ?? {};
      results.push({ row: row.row, status: 'failed', ...(unit.kind === 'plan' ? { plan: unit.plan } : {}), error: formatRowErrors(fields), fields });
    }
    counts.failed += unit.rows.length;
  };

  const send = async (unit: ImportUnit): Promise<void> => {
    try {
      const invoices: Invoice[] =
        unit.kind === 'invoice'
          ? [await client.invoices.create(unit.rows[0].fields as InvoiceCreateParams, { idempotencyKey: unit.idempotencyKey })]
          : await client.invoices.createInstallments(
              { invoices: unit.rows.map((r) => r.fields) as InstallmentParams[] },
              { idempotencyKey: unit.idempotencyKey },
            );
      const status = replays.has(unit.idempotencyKey) ? 'existing' : 'created';
      unit.rows.forEach((row, i) => {
        const invoice = invoices[i];
        results.push({
          row: row.row,
          status,
          ...(unit.kind === 'plan' ? { plan: unit.plan } : {}),
          id: invoice?.id ?? 0,
          token: invoice?.token ?? '',
          url: invoice?.url ?? '',
          reference_number: invoice?.reference_number ?? null,
        });
      });
      counts.ok += unit.rows.length;
    } catch (err) {
      if (err instanceof ValidationError) {
        fail(unit, rowErrors(unit, err.fields, err.message));
      } else if (
        err instanceof FawtaraError &&
        !(err instanceof AuthenticationError || err instanceof ConnectionError || err instanceof RateLimitError || err instanceof ServerError)
      ) {
        // Refused for this request only (not found, conflict, an undecryptable payload): the next rows may pass.
        fail(unit, rowErrors(unit, {}, err.message));
      } else {
        // The server is gone, refuses us, or something unexpected happened: stop sending.
        const reported = exitCodeOf(err);
        stop ??= reported;
        fail(unit, rowErrors(unit, {}, `not created: ${reported.message}`));
      }
    } finally {
      counts.done += unit.rows.length;
      progress.update(counts);
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < plan.units.length && stop === undefined) await send(plan.units[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(flags.concurrency, plan.units.length) }, worker));
  for (const unit of plan.units.slice(next)) fail(unit, rowErrors(unit, {}, `not sent: the import stopped (${stop?.message.split('\n')[0] ?? 'stopped'})`));
  progress.finish(counts);

  results.sort((a, b) => a.row - b.row);
  const failures = results.filter((r): r is Extract<RowResult, { status: 'failed' }> => r.status === 'failed');
  if (failures.length > 0) await writeFailedRows(failedPath, plan, failures, parsed.hadBom);
  const created = results.filter((r) => r.status === 'created').length;
  const existing = results.filter((r) => r.status === 'existing').length;
  const durationMs = Date.now() - started;

  out.data(
    {
      file,
      runId,
      rows: plan.rowCount,
      created,
      existing,
      failed: failures.length,
      failedFile: failures.length > 0 ? failedPath : null,
      durationMs,
      stopped: stop ? stop.message : null,
      results,
    },
    () =>
      [
        `Imported ${file}: ${plan.rowCount} rows → ${created} invoice${created === 1 ? '' : 's'} created, ${existing} already imported, ${failures.length} row${failures.length === 1 ? '' : 's'} failed (${(durationMs / 1000).toFixed(1)} s).`,
        ...(failures.length > 0 ? [`Failed rows, with the reason in the "${ERROR_COLUMN}" column: ${failedPath}`] : []),
        `Run id ${runId}: running the same file again creates nothing twice.`,
      ].join('\n'),
  );
  if (!out.json && failures.length > 0) {
    const shown = failures.slice(0, 10);
    out.note(
      shown.map((f) => `  row ${f.row}: ${f.error}`).join('\n') +
        (failures.length > shown.length ? `\n  … and ${failures.length - shown.length} more in ${failedPath}` : ''),
    );
  }
  if (stop) {
    out.note(stop.message);
    return stop.code;
  }
  if (failures.length === 0) return EXIT.OK;
  return created + existing > 0 ? EXIT.PARTIAL : EXIT.DATA;
}

async function writeFailedRows(file: string, plan: ImportPlan, failures: { row: number; error: string }[], bom: boolean): Promise<void> {
  const byRow = new Map<number, ImportRow>();
  for (const unit of plan.units) for (const row of unit.rows) byRow.set(row.row, row);
  for (const refused of plan.refused) byRow.set(refused.row.row, refused.row);
  const rows = failures.map((f) => [...(byRow.get(f.row)?.original ?? []), f.error]);
  await writeFile(file, formatCsv([[...plan.header, ERROR_COLUMN], ...rows], { bom }), 'utf8');
}
