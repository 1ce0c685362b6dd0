import type { Core, RequestOptions } from '../core.ts';
import { FawtaraError } from '../errors.ts';
import { isRecord } from '../is-record.ts';
import type { MoneyProblems } from '../money.ts';
import { pageNumber } from '../pagination.ts';

/**
 * Params must be a plain object (a JS caller may pass anything).
 *
 * @example
 * paramsObject(undefined, 'invoices.list'); // {}
 * paramsObject('x', 'invoices.list');       // throws TypeError
 */
export function paramsObject(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new TypeError(`${what}: params must be an object`);
  return value;
}

/**
 * A path segment from an id or token, URL-encoded; refuses empty values.
 *
 * @example
 * segment('ORDER 1/2', 'order reference'); // 'ORDER%201%2F2'
 */
export function segment(value: string | number | bigint, what: string): string {
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' || typeof value === 'bigint' ? String(value) : '';
  if (text === '') throw new TypeError(`${what} is required`);
  return encodeURIComponent(text);
}

/**
 * List parameters as query values, undefined and null ones dropped.
 *
 * @example
 * queryOf({ page: 2, search: undefined, invoiceType: '7' }); // { page: 2, invoiceType: '7' }
 */
function queryOf(params: Record<string, unknown>): Record<string, string | number | undefined> {
  const out: Record<string, string | number | undefined> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    out[key] = typeof value === 'number' ? value : String(value);
  }
  return out;
}

/**
 * GETs one page of a list: the filters travel as plain query parameters (as Hesabe documents
 * them) and `page` as a 1-based number. Returns the result with the page and page size asked
 * for, for {@link toPage}.
 *
 * @example
 * const { result, page, perPage } = await listPage(core, '/api/v1/open-invoice/', params, 'openInvoices.list', options);
 * return toPage<OpenInvoice>(result, page, perPage);
 */
export async function listPage(
  core: Core,
  path: string,
  params: unknown,
  what: string,
  options: RequestOptions,
): Promise<{ result: unknown; page: number; perPage: number | undefined }> {
  const query = queryOf(paramsObject(params, what));
  const page = pageNumber(query.page);
  const result = await core.api({ method: 'GET', path, query: { ...query, page }, options });
  return { result, page, perPage: query.perPage === undefined ? undefined : Number(query.perPage) };
}

/**
 * The result must be an object (one resource).
 *
 * @example
 * const invoice = expectObject<Invoice>(result, 'invoices.get');
 */
export function expectObject<T>(value: unknown, what: string): T {
  if (!isRecord(value)) throw new FawtaraError({ code: 'invalid_response', message: `Unexpected reply for ${what}: not an object`, body: value });
  return value as T;
}

/**
 * The result must be an array, or `{data: [...]}`.
 *
 * @example
 * expectArray<Invoice>({ data: [a, b] }, 'invoices.createInstallments'); // [a, b]
 */
export function expectArray<T>(value: unknown, what: string): T[] {
  if (Array.isArray(value)) return value as T[];
  if (isRecord(value) && Array.isArray(value.data)) return value.data as T[];
  throw new FawtaraError({ code: 'invalid_response', message: `Unexpected reply for ${what}: not a list`, body: value });
}

/**
 * Invoice-shaped params with their money converted (items included), problems recorded under `prefix`.
 *
 * @example
 * invoiceMoney({ amount: 12500n, itemsList: [{ rate: '1.5', amount: '1.5' }] }, problems, 'invoices.0.');
 * // { amount: '12.500', itemsList: [{ rate: '1.500', amount: '1.500' }] }
 */
export function invoiceMoney(params: Record<string, unknown>, problems: MoneyProblems, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...params };
  out.amount = problems.convert(params.amount, `${prefix}amount`);
  const items = params.itemsList;
  if (items !== undefined) {
    if (!Array.isArray(items)) {
      (problems.fields[`${prefix}itemsList`] ??= []).push(`${prefix}itemsList must be an array of items`);
    } else {
      out.itemsList = items.map((item: unknown, i) => {
        const line = isRecord(item) ? item : {};
        return {
          ...line,
          rate: problems.convert(line.rate, `${prefix}itemsList.${i}.rate`),
          amount: problems.convert(line.amount, `${prefix}itemsList.${i}.amount`),
        };
      });
    }
  }
  return out;
}
