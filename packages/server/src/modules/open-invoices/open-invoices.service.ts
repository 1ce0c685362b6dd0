import { isUniqueViolation } from '../../db/database.ts';
import type { Merchant } from '../../db/schema.ts';
import type { ApiResult, WriteScope } from '../../api/merchant-api.ts';
import type { Clock } from '../../lib/clock.ts';
import { FieldValidator } from '../../lib/field-validator.ts';
import { localDate } from '../../lib/merchant-time.ts';
import { numericToken, publicKey } from '../../lib/random-ids.ts';
import { MAX_INVOICE_FILS } from '../invoices/invoice-input.ts';
import { toOpenInvoiceObject } from './open-invoice-view.ts';
import { createOpenInvoicesRepo } from './open-invoices.repo.ts';

/**
 * Open invoices (seed 004): a reusable payment link, fixed amount (`amountType` "0") or an amount
 * the customer chooses between `minAmount` and `maxAmount` (`amountType` "1"). The expiry is
 * optional: a link on a poster may never expire.
 */
export function createOpenInvoicesService(deps: { clock: Clock; publicBaseUrl: string }) {
  const repo = createOpenInvoicesRepo();

  return {
    async create(ctx: { merchant: Merchant; userId: bigint; payload: Record<string, unknown>; write: WriteScope }): Promise<ApiResult> {
      const now = deps.clock.now();
      const body = ctx.payload;
      const v = new FieldValidator();
      const title = v.string(body, 'title', { required: true, max: 200 });
      const description = v.string(body, 'description', { max: 1000 }) ?? null;
      const amountType = v.code(body, 'amountType', ['0', '1'] as const, { required: true, names: '"0" fixed amount, "1" customer chooses between min and max' });
      const expiryDate = v.date(body, 'expiryDate', { notBefore: localDate(now, ctx.merchant.time_zone) }) ?? null;

      let fixed: bigint | null = null;
      let min: bigint | null = null;
      let max: bigint | null = null;
      const isBlank = (f: string) => body[f] === undefined || body[f] === null || body[f] === '';
      if (amountType === '0') {
        fixed = v.money(body, 'fixAmount', { required: true, max: MAX_INVOICE_FILS }) ?? null;
        for (const f of ['minAmount', 'maxAmount']) if (!isBlank(f)) v.fail(f, `The ${f} field must be empty for a fixed amount invoice (amountType "0").`);
      } else if (amountType === '1') {
        min = v.money(body, 'minAmount', { required: true, max: MAX_INVOICE_FILS }) ?? null;
        max = v.money(body, 'maxAmount', { required: true, max: MAX_INVOICE_FILS }) ?? null;
        if (!isBlank('fixAmount')) v.fail('fixAmount', 'The fixAmount field must be empty for an open amount invoice (amountType "1").');
        if (min !== null && max !== null && max <= min) v.fail('maxAmount', 'The maxAmount field must be greater than minAmount.');
      }
      v.throwIfInvalid();

      for (let attempt = 1; ; attempt++) {
        try {
          return await ctx.write(async (trx) => {
            const row = await repo.insert(trx, {
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
            });
            return { message: 'Open Invoice has been created successfully.', response: toOpenInvoiceObject(row, ctx.merchant, deps.publicBaseUrl) };
          }, { singleStatement: true });
        } catch (err) {
          const clash = isUniqueViolation(err, 'open_invoices_reference_number_key') || isUniqueViolation(err, 'open_invoices_public_key_key');
          if (!clash || attempt >= 3) throw err;
        }
      }
    },
  };
}

export type OpenInvoicesService = ReturnType<typeof createOpenInvoicesService>;
