import type { Core, CreateOptions, RequestOptions } from '../core.ts';
import { MoneyProblems } from '../money.ts';
import { allPages, allRows, pageNumber, toPage, type Page } from '../pagination.ts';
import { singleObject } from '../framing.ts';
import type { InstallmentsCreateParams, Invoice, InvoiceCreateParams, InvoiceListParams, InvoiceResendParams, InvoiceStats } from '../types.ts';
import { isRecord } from '../is-record.ts';
import { expectArray, expectObject, invoiceMoney, listPage, paramsObject, segment } from './shared.ts';

/** One page of the invoice dashboard, with its stats. */
export interface InvoicePage extends Page<Invoice> {
  /** Counts by status over the date range and invoice type (not the search); null when the server sent none. */
  stats: InvoiceStats | null;
  orderStats: InvoiceStats | null;
  /** A search matching 1,000 invoices or more reports `total` 1,000 (Fawtara). */
  totalIsCapped: boolean;
}

/**
 * Invoices: single invoices and installment plans.
 *
 * @example
 * const invoice = await client.invoices.create({
 *   amount: '12.500', customerName: 'Fatima', mobileNumber: '66666666', countryCode: '965',
 *   invoiceType: '0', invoiceSubType: '3', allocatePayType: '1,2', expiresAt: '2026-12-31',
 * });
 * console.log(invoice.url); // the hosted payment page
 */
export class Invoices {
  constructor(private readonly core: Core) {}

  /**
   * Creates a single invoice (POST /api/v1/invoice). Money is a string or bigint fils (see
   * MoneyInput); bad amounts throw ValidationError before anything is sent. Repeat-safe: an
   * Idempotency-Key is sent (yours, or a random one) and reused on the client's retries.
   *
   * @example
   * const invoice = await client.invoices.create({ ...fields, amount: 12500n }, { idempotencyKey: `order-${orderId}` });
   */
  async create(params: InvoiceCreateParams, options: CreateOptions = {}): Promise<Invoice> {
    const problems = new MoneyProblems();
    const payload = invoiceMoney(paramsObject(params, 'invoices.create'), problems, '');
    problems.throwIfAny();
    const result = await this.core.create('/api/v1/invoice', payload, options);
    return expectObject<Invoice>(singleObject(result), 'invoices.create');
  }

  /**
   * Creates an installment plan (HeStallMent, POST /api/v1/invoice/emi): one invoice per
   * installment, in order, all or none. Errors name the installment (`invoices.1.amount`).
   *
   * @example
   * const [first, second] = await client.invoices.createInstallments({
   *   invoices: [
   *     { ...fields, referenceNumber: 'PLAN-1/1', amount: '50.000', expiresAt: '2026-12-01' },
   *     { ...fields, referenceNumber: 'PLAN-1/2', amount: 50000n, expiresAt: '2027-01-01' },
   *   ],
   * });
   */
  async createInstallments(params: InstallmentsCreateParams, options: CreateOptions = {}): Promise<Invoice[]> {
    const input = paramsObject(params, 'invoices.createInstallments');
    const problems = new MoneyProblems();
    const invoices = Array.isArray(input.invoices)
      ? input.invoices.map((inst: unknown, i) => invoiceMoney(paramsObject(inst, `invoices.${i}`), problems, `invoices.${i}.`))
      : input.invoices;
    problems.throwIfAny();
    const result = await this.core.create('/api/v1/invoice/emi', { ...input, invoices }, options);
    return expectArray<Invoice>(result, 'invoices.createInstallments');
  }

  /**
   * One invoice by its numeric `id` (GET /api/v1/invoice/{id}), with items, plan and payment.
   *
   * @throws NotFoundError for an unknown id (or another merchant's).
   * @example
   * const invoice = await client.invoices.get(1042);
   * if (invoice.status === 'paid') console.log(invoice.transaction?.token);
   */
  async get(id: number | string, options: RequestOptions = {}): Promise<Invoice> {
    const result = await this.core.api({ method: 'GET', path: `/api/v1/invoice/${segment(id, 'invoice id')}`, options });
    return expectObject<Invoice>(singleObject(result), 'invoices.get');
  }

  /**
   * One page of the dashboard (GET /api/v1/invoice-dashboard), newest first, with stats.
   * Filters travel as plain query parameters, as Hesabe documents them.
   *
   * @example
   * const page = await client.invoices.list({ fromDate: '2026-11-01', toDate: '2026-11-30', perPage: 50 });
   * console.log(page.total, page.stats?.invoice_paid, page.data.map((i) => i.reference_number));
   */
  async list(params: InvoiceListParams = {}, options: RequestOptions = {}): Promise<InvoicePage> {
    const { result, page, perPage } = await listPage(this.core, '/api/v1/invoice-dashboard', params, 'invoices.list', options);
    const reply = isRecord(result) ? result : {};
    return {
      ...toPage<Invoice>(reply.invoices ?? reply.data, page, perPage),
      stats: isRecord(reply.stats) ? (reply.stats as InvoiceStats) : null,
      orderStats: isRecord(reply.order_stats) ? (reply.order_stats as InvoiceStats) : null,
      totalIsCapped: isRecord(reply.invoices) && reply.invoices.total_is_capped === true,
    };
  }

  /**
   * Every page from `params.page` (default 1) on, fetched lazily as you iterate.
   *
   * @example
   * for await (const page of client.invoices.listPages({ perPage: 100 })) console.log(page.currentPage, page.data.length);
   */
  listPages(params: InvoiceListParams = {}, options: RequestOptions = {}): AsyncGenerator<InvoicePage, void, undefined> {
    return allPages((page) => this.list({ ...params, page }, options), pageNumber(params.page));
  }

  /**
   * Every invoice matching the filters, across all pages (auto-pagination).
   *
   * @example
   * for await (const invoice of client.invoices.listAll({ invoiceType: '7' })) console.log(invoice.id, invoice.status);
   */
  listAll(params: InvoiceListParams = {}, options: RequestOptions = {}): AsyncGenerator<Invoice, void, undefined> {
    return allRows(this.listPages(params, options));
  }

  /**
   * Sends a payable invoice again to a mobile number (POST /api/v1/invoice/resend).
   * `countryCode` defaults to "965". Not retried once it may have reached the server.
   *
   * @throws ConflictError when the invoice is paid, cancelled or expired.
   * @example
   * await client.invoices.resend({ resendId: invoice.id, mobileNumber: '66666666' });
   */
  async resend(params: InvoiceResendParams, options: RequestOptions = {}): Promise<Invoice> {
    const input = paramsObject(params, 'invoices.resend');
    const result = await this.core.api({ method: 'POST', path: '/api/v1/invoice/resend', payload: { countryCode: '965', ...input }, options });
    return expectObject<Invoice>(singleObject(result), 'invoices.resend');
  }

  /**
   * Cancels a payable invoice (PUT /api/v1/invoice/{token} with statusId "3"). Takes the
   * invoice's numeric **token** (`invoice.token`), not its id, as Hesabe does. A cancelled
   * invoice can never be paid. Not retried once it may have reached the server.
   *
   * @throws ConflictError when it is already paid, cancelled or expired.
   * @example
   * await client.invoices.cancel(invoice.token);
   */
  async cancel(token: string, options: RequestOptions = {}): Promise<void> {
    await this.core.api({ method: 'PUT', path: `/api/v1/invoice/${segment(token, 'invoice token')}`, payload: { statusId: '3' }, options });
  }
}
