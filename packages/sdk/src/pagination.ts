import { isRecord } from './is-record.ts';

/**
 * Pages of a list: the server sends Laravel-paginator fields
 * (`current_page`, `last_page`, `per_page`, `total`, `from`, `to`) beside `data`. Fawtara always
 * does; Hesabe's replies may carry `data` alone, so the paginator fields are `null` when absent
 * and `hasMore` then falls back to "the page was full".
 */
export interface Page<T> {
  /** The rows of this page, in the server's order (newest first). */
  data: T[];
  currentPage: number;
  lastPage: number | null;
  perPage: number | null;
  /** Rows matching the filters (Fawtara caps search totals at 1,000, see `totalIsCapped`). */
  total: number | null;
  /** 1-based position of the first and last row of this page, null on an empty page. */
  from: number | null;
  to: number | null;
  /** Whether a next page exists. */
  hasMore: boolean;
}

function intOrNull(value: unknown): number | null {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d{1,9}$/.test(value)) return Number(value);
  return null;
}

/**
 * A Page from a paginator-shaped object (or a bare array).
 *
 * @example
 * toPage({ current_page: 1, last_page: 3, per_page: 20, total: 45, from: 1, to: 20, data: rows }, 1, undefined).hasMore; // true
 */
export function toPage<T>(raw: unknown, requestedPage: number, requestedPerPage: number | undefined): Page<T> {
  const source = isRecord(raw) ? raw : { data: raw };
  const data = (Array.isArray(source.data) ? source.data : []) as T[];
  const currentPage = intOrNull(source.current_page) ?? requestedPage;
  const lastPage = intOrNull(source.last_page);
  const perPage = intOrNull(source.per_page) ?? requestedPerPage ?? null;
  const hasMore = data.length > 0 && (lastPage !== null ? currentPage < lastPage : perPage !== null && data.length >= perPage);
  return {
    data,
    currentPage,
    lastPage,
    perPage,
    total: intOrNull(source.total),
    from: intOrNull(source.from),
    to: intOrNull(source.to),
    hasMore,
  };
}

/**
 * Every page from `first` on, fetching the next only when asked for (lazy).
 *
 * @example
 * for await (const page of allPages((n) => client.invoices.list({ page: n }), 1)) console.log(page.currentPage);
 */
export async function* allPages<P extends Page<unknown>>(fetchPage: (page: number) => Promise<P>, first: number): AsyncGenerator<P, void, undefined> {
  let page = first;
  for (;;) {
    const current = await fetchPage(page);
    yield current;
    // Stop at the last page, at an empty page, and at a server that ignored the page asked for
    // (it would serve the same rows forever).
    if (!current.hasMore || current.data.length === 0 || current.currentPage !== page) return;
    page += 1;
  }
}

/**
 * Every row of every page.
 *
 * @example
 * for await (const invoice of allRows(client.invoices.listPages())) console.log(invoice.id);
 */
export async function* allRows<T>(pages: AsyncIterable<Page<T>>): AsyncGenerator<T, void, undefined> {
  for await (const page of pages) yield* page.data;
}

/**
 * A 1-based page number from user input; 1 for anything else.
 *
 * @example
 * pageNumber('3'); // 3
 * pageNumber(0);   // 1
 */
export function pageNumber(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : 1;
  return Number.isInteger(n) && n >= 1 ? n : 1;
}
