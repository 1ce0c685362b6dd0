import type { Invoice, InvoiceCreateParams, InvoiceListParams, OpenInvoice, OpenInvoiceCreateParams } from '@fawtara/sdk';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { createApiClient } from '../client.ts';
import { CONNECTION_HELP, connectionOptions, type ConnectionFlags } from '../connection.ts';
import { usageError } from '../exit-codes.ts';
import { createOutput, table } from '../output.ts';

/** `fawtara invoice …` and `fawtara open-invoice …`: the merchant API through the SDK. */
export function registerApiCommands(program: Command): void {
  registerInvoiceCommands(program);
  registerOpenInvoiceCommands(program);
}

const dateArg = (value: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new InvalidArgumentError('expected a date as YYYY-MM-DD');
  return value;
};

const positiveInt = (value: string): number => {
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return Number(value);
};

/** Today + n days as YYYY-MM-DD (UTC; Kuwait is ahead of UTC, so never in its past). */
function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** What commander makes of `invoice create`'s options (the defaulted ones are always there). */
interface InvoiceCreateFlags extends ConnectionFlags {
  amount: string;
  customerName: string;
  mobile: string;
  countryCode: string;
  email?: string;
  reference?: string;
  description?: string;
  expiresAt?: string;
  invoiceType: string;
  invoiceSubType: string;
  payTypes: string;
  language?: string;
  webhook?: string;
  idempotencyKey?: string;
  json?: boolean;
}

function invoiceSummary(invoice: Invoice): string {
  const lines = [
    `Invoice ${invoice.id} (${invoice.status}): ${invoice.amount} ${invoice.currency} for ${invoice.customer.name} (${invoice.customer.phone_number}), expires ${invoice.expires_at}`,
    `  url        ${invoice.url}`,
    `  token      ${invoice.token}`,
  ];
  if (invoice.reference_number) lines.push(`  reference  ${invoice.reference_number}`);
  if (invoice.description) lines.push(`  note       ${invoice.description}`);
  if (invoice.plan_id !== undefined) lines.push(`  plan       ${invoice.plan_id}, installment ${invoice.installment_number} of ${invoice.installments_count}`);
  if (invoice.transaction)
    lines.push(
      `  paid       ${invoice.transaction.payment_type} ${invoice.transaction.amount} on ${invoice.transaction.datetime} (${invoice.transaction.status})`,
    );
  return lines.join('\n');
}

function registerInvoiceCommands(program: Command): void {
  const invoice = program
    .command('invoice')
    .summary('create, show, list and cancel invoices (over the API)')
    .description('Single invoices over the merchant API (POST/GET /api/v1/invoice, the dashboard, cancel).')
    .addHelpText(
      'after',
      `
Examples:
  $ fawtara invoice create --amount 12.500 --customer-name "Ahmad" --mobile 66666666
  $ fawtara invoice get 42
  $ fawtara invoice list --search ahmad --json
  $ fawtara invoice cancel --id 42
${CONNECTION_HELP}`,
    );

  const create = invoice
    .command('create')
    .summary('create one invoice and print its payment link')
    .description('Creates a single invoice (POST /api/v1/invoice) and prints its payment link. Amounts are text\n(at most three decimals, never rounded).')
    .requiredOption('--amount <kwd>', 'KWD, e.g. 12.500')
    .requiredOption('--customer-name <name>', "the customer's name")
    .requiredOption('--mobile <number>', '8-digit Kuwaiti mobile number')
    .option('--country-code <code>', 'country code', '965')
    .option('--email <email>', 'customer e-mail (required with --invoice-sub-type 2)')
    .option('--reference <number>', 'your invoice number (referenceNumber)')
    .option('--description <text>', 'description')
    .option('--expires-at <date>', 'last day to pay, YYYY-MM-DD (default: 30 days from today)', dateArg)
    .addOption(new Option('--invoice-type <code>', '0 URL sharing, 1 SMS invoice').choices(['0', '1']).default('0'))
    .addOption(
      new Option('--invoice-sub-type <code>', 'delivery: 0 SMS, 1 WhatsApp, 2 Email, 3 URL only (sends nothing)').choices(['0', '1', '2', '3']).default('3'),
    )
    .option('--pay-types <codes>', 'allowed payment methods (allocatePayType), e.g. 1,2; default: every enabled method', '')
    .addOption(new Option('--language <language>', 'invoice language').choices(['en', 'ar']))
    .option('--webhook <url>', 'URL notified about this invoice')
    .option('--idempotency-key <key>', 'makes a repeat return the same invoice instead of a new one')
    .option('--json', 'print the invoice as JSON');
  connectionOptions(create)
    .addHelpText(
      'after',
      `
Examples:
  $ fawtara invoice create --amount 12.500 --customer-name "Ahmad" --mobile 66666666
  $ fawtara invoice create --amount 7 --customer-name "محمد" --mobile 99999999 --language ar \\
      --invoice-type 1 --invoice-sub-type 0 --reference INV-1001 --expires-at 2026-12-31
  $ fawtara invoice create --amount 20 --customer-name Sara --mobile 55555555 --json | jq -r .url
${CONNECTION_HELP}`,
    )
    .action(async (flags: InvoiceCreateFlags) => {
      const out = createOutput(flags);
      // Options left out stay undefined, which the JSON payload leaves out too.
      const params: InvoiceCreateParams = {
        amount: flags.amount,
        customerName: flags.customerName,
        mobileNumber: flags.mobile,
        countryCode: flags.countryCode,
        invoiceType: flags.invoiceType,
        invoiceSubType: flags.invoiceSubType,
        allocatePayType: flags.payTypes,
        expiresAt: flags.expiresAt ?? inDays(30),
        customerEmail: flags.email,
        referenceNumber: flags.reference,
        description: flags.description,
        language: flags.language,
        webhook: flags.webhook,
      };
      const created = await createApiClient(flags, out.note).invoices.create(params, { idempotencyKey: flags.idempotencyKey });
      out.data(created, () => invoiceSummary(created));
    });

  const get = invoice
    .command('get')
    .summary('show one invoice')
    .description('Shows one invoice by its numeric id (GET /api/v1/invoice/{id}): status, link, items, payment.')
    .argument('<id>', 'the invoice id', (v: string) => String(positiveInt(v)))
    .option('--json', 'print the invoice as JSON');
  connectionOptions(get)
    .addHelpText('after', `\nExamples:\n  $ fawtara invoice get 42\n  $ fawtara invoice get 42 --json | jq .status\n${CONNECTION_HELP}`)
    .action(async (id: string, flags: ConnectionFlags & { json?: boolean }) => {
      const out = createOutput(flags);
      const found = await createApiClient(flags, out.note).invoices.get(id);
      out.data(found, () => invoiceSummary(found));
    });

  const list = invoice
    .command('list')
    .summary('list invoices, newest first')
    .description('One page of the invoice dashboard (GET /api/v1/invoice-dashboard), newest first, with the total;\n--all fetches every page.')
    .option('--from <date>', 'created on or after (YYYY-MM-DD)', dateArg)
    .option('--to <date>', 'created on or before (YYYY-MM-DD)', dateArg)
    .option('--search <text>', 'reference, customer name, phone or e-mail (3+ characters)')
    .addOption(new Option('--type <code>', 'invoiceType: 1 single, 7 installments, 0 subscription, 6 split').choices(['0', '1', '6', '7']))
    .option('--page <n>', 'page number', positiveInt)
    .option('--per-page <n>', 'rows a page (up to 100; default 20)', positiveInt)
    .option('--all', 'every page (JSON: one array)')
    .option('--json', 'print the page (or with --all the list) as JSON');
  connectionOptions(list)
    .addHelpText(
      'after',
      `
Examples:
  $ fawtara invoice list
  $ fawtara invoice list --from 2026-11-01 --to 2026-11-30 --type 7 --per-page 100
  $ fawtara invoice list --json | jq .total
  $ fawtara invoice list --all --json | jq -r '.[] | select(.status == "paid") | .reference_number'
${CONNECTION_HELP}`,
    )
    .action(
      async (
        flags: ConnectionFlags & { from?: string; to?: string; search?: string; type?: string; page?: number; perPage?: number; all?: boolean; json?: boolean },
      ) => {
        const out = createOutput(flags);
        const client = createApiClient(flags, out.note);
        const params: InvoiceListParams = {
          ...(flags.from ? { fromDate: flags.from } : {}),
          ...(flags.to ? { toDate: flags.to } : {}),
          ...(flags.search ? { search: flags.search } : {}),
          ...(flags.type ? { invoiceType: flags.type } : {}),
          ...(flags.page ? { page: flags.page } : {}),
          ...(flags.perPage ? { perPage: flags.perPage } : {}),
        };
        const rows = (invoices: Invoice[]) =>
          table(
            ['ID', 'REFERENCE', 'CUSTOMER', 'MOBILE', 'AMOUNT', 'STATUS', 'EXPIRES', 'CREATED'],
            invoices.map((i) => [
              String(i.id),
              i.reference_number ?? '',
              i.customer.name,
              i.customer.phone_number,
              i.amount,
              i.status,
              i.expires_at,
              i.created_at,
            ]),
          );
        if (flags.all) {
          const all: Invoice[] = [];
          for await (const inv of client.invoices.listAll({ perPage: 100, ...params })) all.push(inv);
          out.data(all, () => (all.length === 0 ? 'No invoices.' : `${rows(all)}\n${all.length} invoice${all.length === 1 ? '' : 's'}`));
          return;
        }
        const page = await client.invoices.list(params);
        out.data(page, () =>
          page.data.length === 0
            ? `No invoices${page.currentPage > 1 ? ` on page ${page.currentPage}` : ''}.`
            : `${rows(page.data)}\nPage ${page.currentPage}${page.lastPage !== null ? ` of ${page.lastPage}` : ''}: ${page.from ?? ''}–${page.to ?? ''} of ${page.total ?? '?'}${page.totalIsCapped ? '+' : ''} invoices.` +
              (page.stats ? ` Paid ${page.stats.invoice_paid}, not paid ${page.stats.invoice_not_paid}, cancelled ${page.stats.invoice_cancelled}.` : ''),
        );
      },
    );

  const cancel = invoice
    .command('cancel')
    .summary('cancel a payable invoice')
    .description(
      "Cancels a payable invoice (PUT /api/v1/invoice/{token}, statusId 3); it can then never be paid.\nGive the invoice's token (as Hesabe does) or --id.",
    )
    .argument('[token]', "the invoice's numeric token")
    .option('--id <id>', 'the invoice id instead of its token (looked up first)', (v: string) => String(positiveInt(v)))
    .option('--json', 'print the result as JSON');
  connectionOptions(cancel)
    .addHelpText('after', `\nExamples:\n  $ fawtara invoice cancel 8417596678339677489\n  $ fawtara invoice cancel --id 42 --json\n${CONNECTION_HELP}`)
    .action(async (token: string | undefined, flags: ConnectionFlags & { id?: string; json?: boolean }) => {
      if ((token === undefined) === (flags.id === undefined)) throw usageError('invoice cancel: give the invoice token or --id <id> (one of them).');
      const out = createOutput(flags);
      const client = createApiClient(flags, out.note);
      let id: number | null = null;
      if (flags.id !== undefined) {
        const found = await client.invoices.get(flags.id);
        token = found.token;
        id = found.id;
      }
      await client.invoices.cancel(token!);
      out.data({ cancelled: true, token, id }, () => `Invoice ${id !== null ? `${id} (token ${token})` : token} cancelled.`);
    });
}

function registerOpenInvoiceCommands(program: Command): void {
  const openInvoice = program
    .command('open-invoice')
    .summary('create reusable payment links (open invoices)')
    .description('Open invoices: reusable payment links with a fixed amount or one the customer chooses.')
    .addHelpText(
      'after',
      `\nExamples:\n  $ fawtara open-invoice create --title "Membership" --amount 25\n  $ fawtara open-invoice create --title "Donation" --min 1 --max 500\n${CONNECTION_HELP}`,
    );

  const create = openInvoice
    .command('create')
    .summary('create a payment link and show it as a QR code')
    .description(
      'Creates an open invoice (POST /api/v1/open-invoice): a fixed --amount, or --min and --max for an\namount the customer chooses. Prints the link, and its QR code when the output is a terminal (--qr forces it, --no-qr omits it).',
    )
    .requiredOption('--title <title>', 'what the customer pays for')
    .option('--amount <kwd>', 'fixed amount (amountType 0)')
    .option('--min <kwd>', 'lowest amount the customer may pay (amountType 1)')
    .option('--max <kwd>', 'highest amount the customer may pay (amountType 1)')
    .option('--expires-at <date>', 'last day to pay, YYYY-MM-DD (default: no expiry)', dateArg)
    .option('--description <text>', 'description')
    .option('--idempotency-key <key>', 'makes a repeat return the same link instead of a new one')
    .option('--qr', 'print the QR code even when the output is not a terminal')
    .option('--no-qr', 'print the link only')
    .option('--json', 'print the open invoice as JSON');
  connectionOptions(create)
    .addHelpText(
      'after',
      `
Examples:
  $ fawtara open-invoice create --title "Membership 2027" --amount 25.000 --expires-at 2027-01-31
  $ fawtara open-invoice create --title "تبرع" --min 1 --max 500 --description "Any amount"
  $ fawtara open-invoice create --title "Tips" --min 0.5 --max 50 --json | jq -r .url
${CONNECTION_HELP}`,
    )
    .action(
      async (
        flags: ConnectionFlags & {
          title: string;
          amount?: string;
          min?: string;
          max?: string;
          expiresAt?: string;
          description?: string;
          idempotencyKey?: string;
          qr?: boolean;
          json?: boolean;
        },
      ) => {
        const fixed = flags.amount !== undefined;
        const open = flags.min !== undefined || flags.max !== undefined;
        if (fixed === open) throw usageError('open-invoice create: give --amount (a fixed amount) or --min and --max (the customer chooses), not both.');
        if (open && (flags.min === undefined || flags.max === undefined)) throw usageError('open-invoice create: --min and --max go together.');
        const out = createOutput(flags);
        const params = {
          title: flags.title,
          amountType: fixed ? '0' : '1',
          ...(fixed ? { fixAmount: flags.amount } : { minAmount: flags.min, maxAmount: flags.max }),
          ...(flags.expiresAt ? { expiryDate: flags.expiresAt } : {}),
          ...(flags.description !== undefined ? { description: flags.description } : {}),
        } as OpenInvoiceCreateParams;
        const link: OpenInvoice = await createApiClient(flags, out.note).openInvoices.create(params, { idempotencyKey: flags.idempotencyKey });
        // The terminal QR code is drawn with escape codes that only a terminal renders; a pipe or a
        // file gets the link alone unless --qr asks. qrcode loads only when a code is printed.
        const printQr = !out.json && (flags.qr ?? process.stdout.isTTY === true);
        const qr = printQr ? await (await import('qrcode')).default.toString(link.url, { type: 'terminal', small: true }) : '';
        out.data(link, () =>
          [
            `Open invoice ${link.id} "${link.title}": ${link.type === '0' ? `${link.fixed_amount} ${link.currency}` : `the customer chooses ${link.min_amount}–${link.max_amount} ${link.currency}`}${link.expiry_date ? `, until ${link.expiry_date}` : ''}`,
            `  ${link.url}`,
            ...(qr ? ['', qr.trimEnd()] : []),
          ].join('\n'),
        );
      },
    );
}
