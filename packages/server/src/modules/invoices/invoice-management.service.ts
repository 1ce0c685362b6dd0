import type { Static } from 'typebox';
import { SEARCH_MAX_LENGTH, SEARCH_MIN_LENGTH, type DashboardReply } from '@fawtara/contract';
import type { Database } from '../../db/database.ts';
import type { Invoice, Merchant } from '../../db/schema.ts';
import type { WriteScope } from '../../db/write-scope.ts';
import { AppError } from '../../lib/app-error.ts';
import type { Clock } from '../../lib/clock.ts';
import { FieldValidator, scalarText } from '../../lib/field-validator.ts';
import { localDate } from '../../lib/merchant-time.ts';
import { pageOf, readListQuery } from '../../lib/list-query.ts';
import { parseId } from '../../lib/path-id.ts';
import { nationalPartOfSearch, readApiCountryCode, readApiMobileNumber, toInternational } from '../../lib/phone.ts';
import * as invoiceState from './invoice-state.ts';
import { toInvoiceObject, type InvoiceObject } from './invoice-view.ts';
import { createInvoicesRepo, type InvoiceFilters } from './invoices.repo.ts';
import { createPaymentsRepo } from '../payments/payments.repo.ts';
import { toTransactionObject } from '../payments/transaction-view.ts';
import type { DeliveryService } from '../delivery/delivery.service.ts';
import type { WebhooksService } from '../webhooks/webhooks.service.ts';

/**
 * Reading and managing invoices: details, the dashboard list with stats,
 * resend and cancel. Every lookup is scoped to the caller's merchant, so another merchant's id
 * or token answers exactly like one that does not exist.
 */
/** A search matching this many or more reports `total` as this many with `total_is_capped`. */
export const SEARCH_COUNT_CAP = 1_000;

/** Dashboard `invoiceType` filter, as Hesabe numbers invoice types: 1 single, 0 subscription, 6 split, 7 installment. */
const KIND_FILTER: Record<string, Invoice['kind'] | null> = { '1': 'single', '7': 'installment', '0': null, '6': null };

export interface ReadContext {
  merchant: Merchant;
  payload: Record<string, unknown>;
}

const notFound = () => new AppError('NOT_FOUND');

/**
 * Lower-cased search text. A phone number typed with its country code (965…, +965…) is searched
 * without it: numbers are stored without it, and the code alone would match every invoice.
 */
export function normalizeSearch(text: string): string {
  const lower = text.toLowerCase();
  return nationalPartOfSearch(lower) ?? lower;
}

export function createInvoiceManagementService(deps: {
  database: Database;
  clock: Clock;
  publicBaseUrl: string;
  delivery: DeliveryService;
  webhooks: WebhooksService;
}) {
  const repo = createInvoicesRepo({ database: deps.database });
  const paymentsRepo = createPaymentsRepo();
  const { db } = deps.database;

  /** Invoice objects with their products and, for installments, their plan's state. */
  async function present(merchant: Merchant, invoices: Invoice[]): Promise<InvoiceObject[]> {
    const items = await repo.itemsFor(
      db,
      invoices.map((i) => i.id),
    );
    const planIds = [...new Set(invoices.filter((i) => i.plan_id !== null).map((i) => i.plan_id!))];
    const plans = await repo.planSummaries(db, planIds);
    const payments = await paymentsRepo.successfulFor(
      db,
      invoices.filter((i) => i.status === 'paid').map((i) => i.id),
    );
    return invoices.map((inv) => {
      const plan = inv.plan_id !== null ? plans.get(inv.plan_id) : undefined;
      const paidBy = payments.get(inv.id);
      return toInvoiceObject(
        inv,
        items.get(inv.id) ?? [],
        merchant,
        deps.publicBaseUrl,
        plan && { installmentsCount: plan.count, paid: plan.paid, cancelled: plan.cancelled },
        paidBy ? toTransactionObject(paidBy, merchant.time_zone) : null,
      );
    });
  }

  return {
    /** One invoice by its id, as the merchant sees it. */
    async details(ctx: { merchant: Merchant; id: string }): Promise<InvoiceObject> {
      const id = parseId(ctx.id);
      const inv = id === undefined ? undefined : await repo.findById(db, ctx.merchant.id, id);
      if (!inv) throw notFound();
      const [obj] = await present(ctx.merchant, [inv]);
      return obj!;
    },

    /** A page of invoices, newest first, with counts by status over the same dates and type. */
    async dashboard(ctx: { merchant: Merchant; filters: Record<string, unknown> }): Promise<Static<typeof DashboardReply>> {
      const input = ctx.filters;
      const v = new FieldValidator();
      const list = readListQuery(v, input);
      const { fromDate, toDate, perPage, offset } = list;
      const type = v.code(input, 'invoiceType', ['0', '1', '6', '7'] as const, { names: '"1" single, "0" subscription, "6" split, "7" HeStallMent' });
      const searchText = v.string(input, 'search', { max: SEARCH_MAX_LENGTH });
      if (searchText !== undefined && [...searchText].length < SEARCH_MIN_LENGTH)
        v.fail('search', `The search field must be at least ${SEARCH_MIN_LENGTH} characters.`);
      v.throwIfInvalid();

      const filters: InvoiceFilters = { merchantId: ctx.merchant.id };
      if (fromDate) filters.fromDate = fromDate;
      if (toDate) filters.toDate = toDate;
      const kind = type === undefined ? undefined : KIND_FILTER[type];
      if (kind) filters.kind = kind;
      const noSuchKind = kind === null; // subscription and split invoices do not exist here

      // Stats and the page are independent: on PostgreSQL they run on two connections at once.
      const statsFilters = { ...filters };
      const countsPromise = noSuchKind ? Promise.resolve({ pending: 0, paid: 0, cancelled: 0, expired: 0 }) : repo.statusCounts(db, statsFilters);
      // Awaited below; this only keeps a failure from being "unhandled" if the page query throws first.
      countsPromise.catch(() => undefined);
      let capped = false;
      let searchTotal: number | undefined;
      let rows: Invoice[] = [];
      if (!noSuchKind && searchText !== undefined) {
        filters.search = normalizeSearch(searchText);
        const found = await repo.searchPage(db, filters as InvoiceFilters & { search: string }, perPage, offset, SEARCH_COUNT_CAP);
        searchTotal = found.total;
        capped = found.rows === undefined;
        rows = found.rows ?? (offset >= found.total ? [] : await repo.listPage(db, filters, perPage, offset));
      } else if (!noSuchKind && offset === 0) {
        // The first page does not need the total first: fetch it alongside the stats.
        rows = await repo.listPage(db, filters, perPage, 0);
      }
      const counts = await countsPromise;
      const totalAll = counts.pending + counts.paid + counts.cancelled + counts.expired;
      const total = noSuchKind ? 0 : (searchTotal ?? totalAll);
      if (!noSuchKind && searchText === undefined && offset > 0 && offset < total) {
        rows = await repo.listPage(db, filters, perPage, offset);
      }
      const data = await present(ctx.merchant, rows);
      const stats = {
        total_invoice_count: totalAll,
        invoice_paid: String(counts.paid),
        invoice_not_paid: String(counts.pending + counts.expired),
        invoice_cancelled: String(counts.cancelled),
      };
      return {
        stats,
        order_stats: stats,
        invoices: { ...pageOf(list, data, total), ...(capped ? { total_is_capped: true } : {}) },
      };
    },

    /**
     * Asks for a message to the given number, by WhatsApp for WhatsApp invoices, else by SMS;
     * the request and its job commit together.
     */
    async resend(ctx: ReadContext & { write: WriteScope }): Promise<InvoiceObject> {
      const v = new FieldValidator();
      const idText = scalarText(ctx.payload.resendId);
      const resendId = idText === undefined ? undefined : parseId(idText.trim());
      if (ctx.payload.resendId === undefined || ctx.payload.resendId === null || ctx.payload.resendId === '')
        v.fail('resendId', 'The resendId field is required.');
      else if (resendId === undefined) v.fail('resendId', 'The resendId field must be an invoice id.');
      const mobile = readApiMobileNumber(v, ctx.payload);
      readApiCountryCode(v, ctx.payload);
      v.throwIfInvalid();

      const inv = await repo.findById(db, ctx.merchant.id, resendId!);
      if (!inv) throw notFound();
      const now = deps.clock.now();
      const status = invoiceState.effectiveStatus(inv, localDate(now, ctx.merchant.time_zone));
      if (status !== 'pending') throw new AppError('CONFLICT', { message: `The invoice cannot be resent: it is ${status}.` });
      // Read before the write: inside its transaction only its own connection may be used.
      const [obj] = await present(ctx.merchant, [inv]);
      const result = await ctx.write.transaction(async (w) => {
        await deps.delivery.request(w, {
          invoice: inv,
          reason: 'resend',
          channel: inv.delivery_channel === 1 ? 'whatsapp' : 'sms',
          destination: toInternational(mobile!),
        });
        return obj!;
      });
      deps.delivery.wake();
      return result;
    },

    /** `statusId` "3" cancels a payable invoice, found by its token; no other status can be set. */
    async updateStatus(ctx: ReadContext & { token: string }): Promise<void> {
      const v = new FieldValidator();
      v.code(ctx.payload, 'statusId', ['3'] as const, { required: true, names: '"3" cancels the invoice; no other status can be set' });
      v.throwIfInvalid();
      if (!/^[0-9]{1,40}$/.test(ctx.token)) throw notFound();
      const now = deps.clock.now();
      const today = localDate(now, ctx.merchant.time_zone);
      const cancelled = await db.transaction().execute(async (trx) => {
        const inv = await invoiceState.cancel(trx, ctx.merchant.id, ctx.token, today, now);
        if (inv) await deps.webhooks.emit(trx, { type: 'invoice.cancelled', merchant: ctx.merchant, invoice: inv });
        return inv;
      });
      if (cancelled) {
        deps.webhooks.wake();
        return;
      }
      const inv = await repo.findByToken(db, ctx.merchant.id, ctx.token);
      if (!inv) throw notFound();
      const status = invoiceState.effectiveStatus(inv, today);
      if (status === 'pending') {
        throw new AppError('CONFLICT', { message: 'Invoice status update failed: a customer is paying it right now. Try again in a few minutes.' });
      }
      const why = status === 'paid' ? 'it is already paid' : status === 'cancelled' ? 'it is already cancelled' : 'it has expired';
      throw new AppError('CONFLICT', { message: `Invoice status update failed: ${why}.` });
    },
  };
}

export type InvoiceManagementService = ReturnType<typeof createInvoiceManagementService>;
