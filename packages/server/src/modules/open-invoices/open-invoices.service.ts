import { DESCRIPTION_MAX_LENGTH, INVOICE_AMOUNT_MAX_FILS, OPEN_INVOICE_TITLE_MAX_LENGTH, SEARCH_MAX_LENGTH } from '@fawtara/contract';
import { retryOnUniqueClash } from '../../db/database.ts';
import type { Database } from '../../db/database.ts';
import type { Merchant } from '../../db/schema.ts';
import type { WriteScope } from '../../db/write-scope.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/app-error.ts';
import { FieldValidator } from '../../lib/field-validator.ts';
import { parseId } from '../../lib/path-id.ts';
import { pageOf, readListQuery } from '../../lib/list-query.ts';
import { localDate } from '../../lib/merchant-time.ts';
import { numericToken, publicKey } from '../../lib/random-ids.ts';
import { toOpenInvoiceObject, type OpenInvoiceObject } from './open-invoice-view.ts';
import { createOpenInvoicesRepo } from './open-invoices.repo.ts';
import * as openInvoiceState from './open-invoice-state.ts';

/**
 * Open invoices: a reusable payment link, fixed amount (`amountType` "0") or an amount
 * the customer chooses between `minAmount` and `maxAmount` (`amountType` "1"). The expiry is
 * optional: a link on a poster may never expire.
 */
/** What this service reports to the metrics (after each commit). */
export interface OpenInvoiceMetrics {
  invoicesCreated(kind: 'open_invoice', count: number): void;
}

export function createOpenInvoicesService(deps: { clock: Clock; publicBaseUrl: string; database: Database; metrics?: OpenInvoiceMetrics }) {
  const repo = createOpenInvoicesRepo();

  return {
    async create(ctx: { merchant: Merchant; userId: bigint; payload: Record<string, unknown>; write: WriteScope }): Promise<OpenInvoiceObject> {
      const now = deps.clock.now();
      const body = ctx.payload;
      const v = new FieldValidator();
      const title = v.string(body, 'title', { required: true, max: OPEN_INVOICE_TITLE_MAX_LENGTH });
      const description = v.string(body, 'description', { max: DESCRIPTION_MAX_LENGTH }) ?? null;
      const amountType = v.code(body, 'amountType', ['0', '1'] as const, {
        required: true,
        names: '"0" fixed amount, "1" customer chooses between min and max',
      });
      const expiryDate = v.date(body, 'expiryDate', { notBefore: localDate(now, ctx.merchant.time_zone) }) ?? null;

      let fixed: bigint | null = null;
      let min: bigint | null = null;
      let max: bigint | null = null;
      const isBlank = (f: string) => body[f] === undefined || body[f] === null || body[f] === '';
      if (amountType === '0') {
        fixed = v.money(body, 'fixAmount', { required: true, max: INVOICE_AMOUNT_MAX_FILS }) ?? null;
        for (const f of ['minAmount', 'maxAmount']) if (!isBlank(f)) v.fail(f, `The ${f} field must be empty for a fixed amount invoice (amountType "0").`);
      } else if (amountType === '1') {
        min = v.money(body, 'minAmount', { required: true, max: INVOICE_AMOUNT_MAX_FILS }) ?? null;
        max = v.money(body, 'maxAmount', { required: true, max: INVOICE_AMOUNT_MAX_FILS }) ?? null;
        if (!isBlank('fixAmount')) v.fail('fixAmount', 'The fixAmount field must be empty for an open amount invoice (amountType "1").');
        if (min !== null && max !== null && max <= min) v.fail('maxAmount', 'The maxAmount field must be greater than minAmount.');
      }
      v.throwIfInvalid();

      // Reference number and public key are random; a clash is retried with fresh values.
      const created = await retryOnUniqueClash(['open_invoices_reference_number_key', 'open_invoices_public_key_key'], () =>
        ctx.write.statement(
          repo.insertStatement(deps.database.db, {
            merchant_id: ctx.merchant.id,
            created_by: ctx.userId,
            reference_number: numericToken(now),
            public_key: publicKey(),
            title: title!,
            description,
            amount_type: Number(amountType),
            fixed_amount: fixed,
            min_amount: min,
            max_amount: max,
            expiry_date: expiryDate,
            tried_count: null,
            cancelled_at: null,
            created_at: now,
            updated_at: now,
          }),
          (row) => toOpenInvoiceObject(row, ctx.merchant, deps.publicBaseUrl),
        ),
      );
      // The write scope resolves once committed (a lost Idempotency-Key race throws instead).
      deps.metrics?.invoicesCreated('open_invoice', 1);
      return created;
    },

    /** A page of open invoices, newest first: dates (merchant-local, by creation), page, search. */
    async list(ctx: { merchant: Merchant; filters: Record<string, unknown> }) {
      const input = ctx.filters;
      const v = new FieldValidator();
      const list = readListQuery(v, input);
      const { fromDate, toDate } = list;
      const search = v.string(input, 'search', { max: SEARCH_MAX_LENGTH });
      v.throwIfInvalid();
      const filters = {
        merchantId: ctx.merchant.id,
        timeZone: ctx.merchant.time_zone,
        ...(fromDate ? { fromDate } : {}),
        ...(toDate ? { toDate } : {}),
        ...(search ? { search } : {}),
      };
      const { db } = deps.database;
      const total = await repo.count(db, filters);
      const rows = list.offset >= total ? [] : await repo.listPage(db, filters, list.perPage, list.offset);
      const data = rows.map((r) => toOpenInvoiceObject(r, ctx.merchant, deps.publicBaseUrl));
      return pageOf(list, data, total);
    },

    /** Only the expiry date of an active open invoice changes. */
    async update(ctx: { merchant: Merchant; payload: Record<string, unknown>; id: string }): Promise<OpenInvoiceObject> {
      const v = new FieldValidator();
      const now = deps.clock.now();
      const expiryDate = v.date(ctx.payload, 'expiryDate', { required: true, notBefore: localDate(now, ctx.merchant.time_zone) });
      for (const field of Object.keys(ctx.payload)) {
        if (field !== 'merchantCode' && field !== 'expiryDate') v.fail(field, `The ${field} field cannot be changed: only expiryDate can be updated.`);
      }
      v.throwIfInvalid();
      const id = parseId(ctx.id);
      if (id === undefined) throw new AppError('NOT_FOUND');
      const { db } = deps.database;
      // The guarded UPDATE decides; a miss is then told apart: not found, or cancelled.
      const updated = await openInvoiceState.setExpiry(db, ctx.merchant.id, id, expiryDate!, now);
      if (!updated) {
        if (!(await repo.findById(db, ctx.merchant.id, id))) throw new AppError('NOT_FOUND');
        throw new AppError('CONFLICT', { message: 'Open invoice update failed: it is cancelled.' });
      }
      return toOpenInvoiceObject(updated, ctx.merchant, deps.publicBaseUrl);
    },

    /** Its link stops taking payments. */
    async cancel(ctx: { merchant: Merchant; id: string }): Promise<void> {
      const id = parseId(ctx.id);
      if (id === undefined) throw new AppError('NOT_FOUND');
      const { db } = deps.database;
      const cancelled = await openInvoiceState.cancel(db, ctx.merchant.id, id, deps.clock.now());
      if (!cancelled) {
        if (!(await repo.findById(db, ctx.merchant.id, id))) throw new AppError('NOT_FOUND');
        throw new AppError('CONFLICT', { message: 'Open invoice cancel failed: it is already cancelled.' });
      }
      return;
    },
  };
}

export type OpenInvoicesService = ReturnType<typeof createOpenInvoicesService>;
