import { INSTALLMENTS_MAX } from '@fawtara/contract';
import type { Merchant, NewInvoice } from '../../db/schema.ts';
import { retryOnUniqueClash, type Database, type Executor } from '../../db/database.ts';
import type { WriteScope } from '../../db/write-scope.ts';
import type { Clock } from '../../lib/clock.ts';
import { asObject, FieldValidator, scalarText } from '../../lib/field-validator.ts';
import { localDate } from '../../lib/merchant-time.ts';
import { numericToken, publicKey } from '../../lib/random-ids.ts';
import { readInvoice, type InvoiceInput } from './invoice-input.ts';
import { toInvoiceObject, type InvoiceObject } from './invoice-view.ts';
import { createInvoicesRepo } from './invoices.repo.ts';
import { CHANNEL_OF, type DeliveryService } from '../delivery/delivery.service.ts';

/** The random identifiers of an invoice; a clash on one is retried with fresh values. */
const FRESH_ID_CONSTRAINTS = ['invoices_token_key', 'invoices_access_key_key'] as const;

/** What this service reports to the metrics (after each commit). */
export interface InvoiceMetrics {
  invoicesCreated(kind: 'invoice' | 'installment', count: number): void;
}

export interface CreateContext {
  merchant: Merchant;
  userId: bigint;
  payload: Record<string, unknown>;
  write: WriteScope;
}

/**
 * Invoice creation. Validation runs before any transaction is opened; the write is one
 * transaction (all-or-nothing for an installment plan). Tokens and public keys are random, so
 * a collision is astronomically rare, but the unique constraints are the guarantee: on a clash
 * the transaction is retried with fresh values.
 */
export function createInvoicesService(deps: {
  clock: Clock;
  publicBaseUrl: string;
  database: Database;
  delivery: DeliveryService;
  allowPrivateAddresses: boolean;
  metrics?: InvoiceMetrics;
}) {
  const repo = createInvoicesRepo({ database: deps.database });

  function newRow(merchant: Merchant, userId: bigint, input: InvoiceInput, now: Date): NewInvoice {
    return {
      merchant_id: merchant.id,
      created_by: userId,
      kind: 'single',
      plan_id: null,
      installment_number: null,
      token: numericToken(now),
      access_key: publicKey(),
      reference_number: input.referenceNumber,
      amount: input.amount,
      description: input.description,
      customer_name: input.customerName,
      customer_email: input.customerEmail,
      country_code: input.countryCode,
      mobile_number: input.mobileNumber,
      delivery_type: input.deliveryType,
      delivery_channel: input.deliveryChannel,
      payment_methods: input.paymentMethods,
      language: input.language,
      expires_on: input.expiresOn,
      created_on: localDate(now, merchant.time_zone),
      webhook_url: input.webhookUrl,
      visited_count: null,
      paid_at: null,
      cancelled_at: null,
      expired_at: null,
      created_at: now,
      updated_at: now,
    };
  }

  async function insertWithItems(trx: Executor, merchant: Merchant, rows: NewInvoice[], inputs: InvoiceInput[], plan?: { installmentsCount: number }) {
    const invoices = await repo.insertInvoices(trx, rows);
    // The customer's message is asked for in the same transaction (an installment plan sends
    // its first installment; the others are reached by reminders or a resend).
    // (A link-only invoice has no channel: request() then asks for nothing.)
    if (invoices[0]) await deps.delivery.request(trx, { invoice: invoices[0], reason: 'created' });
    const objects = [];
    for (let i = 0; i < invoices.length; i++) {
      const inv = invoices[i]!;
      const items = await repo.insertItems(
        trx,
        inv.id,
        inputs[i]!.items.map((it, n) => ({ position: n + 1, title: it.title, rate: it.rate, quantity: it.quantity, amount: it.amount })),
      );
      objects.push(toInvoiceObject(inv, items, merchant, deps.publicBaseUrl, plan));
    }
    return objects;
  }

  return {
    /** One invoice, delivered as its `invoiceSubType` asks. */
    async createSingle(ctx: CreateContext): Promise<InvoiceObject> {
      const now = deps.clock.now();
      const v = new FieldValidator();
      const input = readInvoice(v, ctx.payload, {
        merchant: ctx.merchant,
        today: localDate(now, ctx.merchant.time_zone),
        requireReference: false,
        allowPrivateWebhooks: deps.allowPrivateAddresses || ctx.merchant.allow_private_webhooks,
      });
      v.throwIfInvalid();
      const delivers = CHANNEL_OF[input!.deliveryChannel] !== undefined;
      const result = await retryOnUniqueClash(FRESH_ID_CONSTRAINTS, () => {
        const row = newRow(ctx.merchant, ctx.userId, input!, now);
        // A link-only invoice without items is one INSERT … RETURNING.
        if (input!.items.length === 0 && !delivers) {
          return ctx.write.statement(repo.insertStatement([row]), ([inv]) => toInvoiceObject(inv!, [], ctx.merchant, deps.publicBaseUrl));
        }
        return ctx.write.transaction(async (trx) => (await insertWithItems(trx, ctx.merchant, [row], [input!]))[0]!);
      });
      // The write scope resolves once committed (a lost Idempotency-Key race throws instead).
      deps.metrics?.invoicesCreated('invoice', 1);
      if (delivers) deps.delivery.wake();
      return result;
    },

    /**
     * One installment plan, one invoice per element, in order. One bad element fails the whole
     * request and names it (`invoices.1.amount`).
     */
    async createInstallments(ctx: CreateContext): Promise<InvoiceObject[]> {
      const now = deps.clock.now();
      const today = localDate(now, ctx.merchant.time_zone);
      const v = new FieldValidator();
      const list = ctx.payload.invoices;
      if (!Array.isArray(list) || list.length === 0) {
        v.fail('invoices', 'The invoices field is required and must be a non-empty array of installments.');
      } else if (list.length > INSTALLMENTS_MAX) {
        v.fail('invoices', `The invoices field must not have more than ${INSTALLMENTS_MAX} installments.`);
      }
      v.throwIfInvalid();

      const inputs: InvoiceInput[] = [];
      (list as unknown[]).forEach((entry, i) => {
        const body = asObject(entry);
        if (!body) {
          v.nested('invoices').fail(String(i), 'Each installment must be an object with the single-invoice fields.');
          return;
        }
        const iv = v.nested('invoices').nested(i);
        if (body.merchantCode !== undefined && scalarText(body.merchantCode) !== ctx.merchant.code) {
          iv.fail('merchantCode', 'The merchantCode field must match the merchant of the request.');
        }
        const input = readInvoice(iv, body, {
          merchant: ctx.merchant,
          today,
          requireReference: true,
          allowPrivateWebhooks: deps.allowPrivateAddresses || ctx.merchant.allow_private_webhooks,
        });
        if (input) inputs.push(input);
      });
      v.throwIfInvalid();

      const total = inputs.reduce((s, i) => s + i.amount, 0n);
      const plan = { installmentsCount: inputs.length };
      const result = await retryOnUniqueClash(FRESH_ID_CONSTRAINTS, () =>
        ctx.write.transaction(async (trx) => {
          const planId = await repo.insertPlan(trx, { merchantId: ctx.merchant.id, count: inputs.length, total });
          const rows = inputs.map((input, i) => ({
            ...newRow(ctx.merchant, ctx.userId, input, now),
            kind: 'installment' as const,
            plan_id: planId,
            installment_number: i + 1,
          }));
          return insertWithItems(trx, ctx.merchant, rows, inputs, plan);
        }),
      );
      deps.metrics?.invoicesCreated('installment', result.length);
      deps.delivery.wake();
      return result;
    },
  };
}

export type InvoicesService = ReturnType<typeof createInvoicesService>;
