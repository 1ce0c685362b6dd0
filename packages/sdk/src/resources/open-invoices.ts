import type { Core, CreateOptions, RequestOptions } from '../core.ts';
import { singleObject } from '../framing.ts';
import { MoneyProblems } from '../money.ts';
import { allPages, allRows, pageNumber, toPage, type Page } from '../pagination.ts';
import type { OpenInvoice, OpenInvoiceCreateParams, OpenInvoiceListParams, OpenInvoiceUpdateParams } from '../types.ts';
import { expectObject, listPage, paramsObject, segment } from './shared.ts';

/**
 * Open invoices: reusable payment links with a fixed amount or one the customer chooses
 * between limits.
 *
 * @example
 * const link = await client.openInvoices.create({ title: 'Donation', amountType: '1', minAmount: '1', maxAmount: 500000n });
 * console.log(link.url, link.qr_code.svg);
 */
export class OpenInvoices {
  constructor(private readonly core: Core) {}

  /**
   * Creates an open invoice (POST /api/v1/open-invoice): `amountType` "0" with `fixAmount`, or
   * "1" with `minAmount` and `maxAmount`. Money as string or bigint fils. Repeat-safe (an
   * Idempotency-Key is always sent).
   *
   * @example
   * const fixed = await client.openInvoices.create({ title: 'Membership', amountType: '0', fixAmount: '25.000', expiryDate: '2027-06-30' });
   * const open = await client.openInvoices.create({ title: 'Tips', amountType: '1', minAmount: 500n, maxAmount: '50' });
   */
  async create(params: OpenInvoiceCreateParams, options: CreateOptions = {}): Promise<OpenInvoice> {
    const input = paramsObject(params, 'openInvoices.create');
    const problems = new MoneyProblems();
    const payload: Record<string, unknown> = { ...input };
    for (const field of ['fixAmount', 'minAmount', 'maxAmount'] as const) payload[field] = problems.convert(input[field], field, true);
    problems.throwIfAny();
    const result = await this.core.create('/api/v1/open-invoice', payload, options);
    return expectObject<OpenInvoice>(singleObject(result), 'openInvoices.create');
  }

  /**
   * One page of open invoices (GET /api/v1/open-invoice/), newest first.
   *
   * @example
   * const page = await client.openInvoices.list({ search: 'Donation' });
   */
  async list(params: OpenInvoiceListParams = {}, options: RequestOptions = {}): Promise<Page<OpenInvoice>> {
    const { result, page, perPage } = await listPage(this.core, '/api/v1/open-invoice/', params, 'openInvoices.list', options);
    return toPage<OpenInvoice>(result, page, perPage);
  }

  /**
   * Every page from `params.page` (default 1) on, fetched lazily.
   *
   * @example
   * for await (const page of client.openInvoices.listPages({ perPage: 100 })) console.log(page.data.length);
   */
  listPages(params: OpenInvoiceListParams = {}, options: RequestOptions = {}): AsyncGenerator<Page<OpenInvoice>, void, undefined> {
    return allPages((page) => this.list({ ...params, page }, options), pageNumber(params.page));
  }

  /**
   * Every open invoice matching the filters, across all pages.
   *
   * @example
   * for await (const link of client.openInvoices.listAll()) console.log(link.title, link.total_amount_customer_paid);
   */
  listAll(params: OpenInvoiceListParams = {}, options: RequestOptions = {}): AsyncGenerator<OpenInvoice, void, undefined> {
    return allRows(this.listPages(params, options));
  }

  /**
   * Changes the expiry date (PUT /api/v1/open-invoice/{id}); nothing else can change.
   *
   * @example
   * const updated = await client.openInvoices.update(link.id, { expiryDate: '2027-12-31' });
   */
  async update(id: number | string, params: OpenInvoiceUpdateParams, options: RequestOptions = {}): Promise<OpenInvoice> {
    const payload = paramsObject(params, 'openInvoices.update');
    const result = await this.core.api({ method: 'PUT', path: `/api/v1/open-invoice/${segment(id, 'open invoice id')}`, payload, options });
    return expectObject<OpenInvoice>(singleObject(result), 'openInvoices.update');
  }

  /**
   * Cancels an open invoice (DELETE /api/v1/open-invoice/{id}): its link stops taking payments.
   *
   * @throws ConflictError when it is already cancelled.
   * @example
   * await client.openInvoices.cancel(link.id);
   */
  async cancel(id: number | string, options: RequestOptions = {}): Promise<void> {
    await this.core.api({ method: 'DELETE', path: `/api/v1/open-invoice/${segment(id, 'open invoice id')}`, options });
  }
}
