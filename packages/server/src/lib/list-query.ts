import { PAGE_MAX, PAGE_SIZE, PAGE_SIZE_MAX } from '@fawtara/contract';
import type { FieldValidator } from './field-validator.ts';

/**
 * The list conventions shared by every list endpoint: `fromDate`,
 * `toDate` (merchant-local days, inclusive), `page` from 1, `PAGE_SIZE` a page (`perPage` up to
 * `PAGE_SIZE_MAX` as an addition), and Laravel-paginator metadata in the reply.
 */

export interface ListQuery {
  fromDate: string | undefined;
  toDate: string | undefined;
  page: number;
  perPage: number;
  offset: number;
}

export function readListQuery(v: FieldValidator, input: Record<string, unknown>): ListQuery {
  const fromDate = v.date(input, 'fromDate');
  const toDate = v.date(input, 'toDate');
  if (fromDate && toDate && fromDate > toDate) v.fail('toDate', 'The toDate field must be a date on or after fromDate.');
  const page = v.positiveInt(input, 'page', { max: PAGE_MAX }) ?? 1;
  const perPage = v.positiveInt(input, 'perPage', { max: PAGE_SIZE_MAX }) ?? PAGE_SIZE;
  return { fromDate, toDate, page, perPage, offset: (page - 1) * perPage };
}

/** `{current_page, data, from, to, last_page, per_page, total}`; a page beyond the last is empty. */
export function pageOf<T>(q: ListQuery, data: T[], total: number) {
  return {
    current_page: q.page,
    data,
    from: data.length ? q.offset + 1 : null,
    to: data.length ? q.offset + data.length : null,
    last_page: Math.max(1, Math.ceil(total / q.perPage)),
    per_page: q.perPage,
    total,
  };
}
