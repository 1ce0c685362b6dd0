import { MoneyError, parseMoney } from '@fawtara/wire';
import type { Database } from '../../db/database.ts';
import { isUniqueViolation, retryOnUniqueClash } from '../../db/database.ts';
import type { Invoice, InvoiceItem, OpenInvoice, PaymentTransaction } from '../../db/schema.ts';
import { AppError } from '../../lib/app-error.ts';
import type { Clock } from '../../lib/clock.ts';
import { localDate } from '../../lib/merchant-time.ts';
import { numericToken, publicKey, randomDigits } from '../../lib/random-ids.ts';
import type { FieldProblems, PaymentConnector, PaymentCredentials, PaymentOutcome, StartedPayment } from './payment-connector.ts';
import { createPaymentsRepo, type PageMerchant } from './payments.repo.ts';
import type { WebhooksService } from '../webhooks/webhooks.service.ts';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';

/**
 * Customers paying invoices and open invoices (issue 4), and what the merchant can ask about it
 * afterwards.
 *
 * One attempt, one transaction row, three steps:
 *   1. claim   — one guarded statement checks the invoice is payable, holds it for CLAIM_MS and
 *                opens the attempt as PROCESSING. A refused claim charges nothing.
 *   2. charge  — the connector is called outside any database transaction, so no row lock is
 *                held while an acquirer thinks.
 *   3. settle  — one transaction records the outcome and applies the transition
 *                (pending → paid, or the open invoice's totals), releasing the claim.
 * A crash between 1 and 3 leaves a PROCESSING row and a claim that lapses by itself;
 * `settleStaleAttempts` asks the connector what happened and finishes the job.
 */

/**
 * How long an attempt holds an invoice. Must outlast any connector call (the sandbox answers at
 * once; a real connector must time out well within this) so two charges never overlap.
 */
export const CLAIM_MS = 5 * 60_000;

const CLASHING = ['transactions_token_key', 'transactions_receipt_key_key', 'transactions_track_id_key'] as const;

export type InvoiceState = Invoice['status'];
export type OpenInvoiceState = 'active' | 'cancelled' | 'expired';

export interface InvoiceForCustomer {
  invoice: Invoice;
  merchant: PageMerchant;
  items: InvoiceItem[];
  /** What the customer meets today: a pending invoice past its expiry day is expired. */
  state: InvoiceState;
  installment: { number: number; count: number } | null;
  /** The transaction that paid it. */
  paidBy: PaymentTransaction | undefined;
}

export interface OpenInvoiceForCustomer {
  openInvoice: OpenInvoice;
  merchant: PageMerchant;
  state: OpenInvoiceState;
}

/** What a customer types on an open-invoice checkout besides the card. */
export interface OpenInvoiceForm {
  amount?: string;
  customerName?: string;
  customerMobile?: string;
  customerEmail?: string;
  method?: string;
}

export interface AcceptedOpenInvoiceForm {
  amount: bigint;
  method: number;
  customerName: string;
  customerMobile: string;
  customerEmail: string | null;
}

export interface Receipt {
  transaction: PaymentTransaction;
  merchant: PageMerchant;
  /** Where to try again (invoice or checkout page) while the thing can still be paid. */
  payable: boolean;
  /** Public key of the invoice (`/s/<key>`) or open invoice (`/open-invoice/checkout/<key>`). */
  link: { kind: 'invoice'; key: string } | { kind: 'open-invoice'; key: string };
  title: string;
}

/** Field problems as the one error type carries them: each field's first message is the problem key. */
export function problemsError(problems: FieldProblems): AppError {
  const fields: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [k, v] of Object.entries(problems)) fields[k] = [v];
  return new AppError('VALIDATION_FAILED', { fields, message: 'The payment form has errors.' });
}

export function problemsOf(err: AppError): FieldProblems {
  const out: FieldProblems = {};
  for (const [k, v] of Object.entries(err.fields ?? {})) out[k] = v[0] as FieldProblems[string];
  return out;
}

const conflict = (reason: 'not_payable' | 'in_progress') =>
  new AppError('CONFLICT', {
    reason,
    message: reason === 'in_progress' ? 'Another payment of this invoice is being processed' : 'This can no longer be paid',
  });

// Letters in any script, marks, spaces and common name punctuation; no control characters.
const NAME_RE = /^[\p{L}\p{M}\p{N} .,'’\-()&/]{1,100}$/u;
const EMAIL_RE = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

/** Kuwaiti mobile: 8 digits; a +965 / 00965 / 965 prefix and spaces or dashes are tolerated. */
export function normalizeMobile(input: string): string | undefined {
  const digits = input.replace(/[\s-]/g, '').replace(/^(\+|00)?965(?=\d{8}$)/, '');
  return /^\d{8}$/.test(digits) ? digits : undefined;
}

export interface PaymentsServiceDeps {
  database: Database;
  clock: Clock;
  connector: PaymentConnector;
  webhooks: WebhooksService;
  log?: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export function createPaymentsService(deps: PaymentsServiceDeps) {
  const repo = createPaymentsRepo();
  const { db } = deps.database;
  const { connector } = deps;

  function invoiceState(inv: Invoice, today: string): InvoiceState {
    return inv.status === 'pending' && inv.expires_on < today ? 'expired' : inv.status;
  }

  function openInvoiceState(oi: OpenInvoice, today: string): OpenInvoiceState {
    if (oi.status === 'cancelled') return 'cancelled';
    return oi.expiry_date !== null && oi.expiry_date < today ? 'expired' : 'active';
  }

  /** The webhook event of a settled attempt, in the settling transaction. */
  async function emitFor(trx: Kysely<DB> | Transaction<DB>, row: PaymentTransaction): Promise<void> {
    const merchant = { id: row.merchant_id };
    const ok = row.status === 'SUCCESSFUL';
    if (row.invoice_id !== null) {
      const invoice = await trx.selectFrom('invoices').select(['id', 'token', 'amount', 'reference_number', 'webhook_url']).where('id', '=', row.invoice_id).executeTakeFirstOrThrow();
      await deps.webhooks.emit(trx, { type: ok ? 'invoice.paid' : 'invoice.payment_failed', merchant, invoice, transaction: row });
    } else {
      const openInvoice = await trx.selectFrom('open_invoices').select(['id', 'reference_number']).where('id', '=', row.open_invoice_id!).executeTakeFirstOrThrow();
      await deps.webhooks.emit(trx, { type: ok ? 'open_invoice.paid' : 'open_invoice.payment_failed', merchant, openInvoice, transaction: row });
    }
  }

  /** Records the connector's answer, applies the transition and reports it. Returns the settled row. */
  async function settle(tx: PaymentTransaction, started: StartedPayment | undefined, outcome: PaymentOutcome | undefined): Promise<PaymentTransaction> {
    const row = await settleOnly(tx, started, outcome);
    deps.webhooks.wake();
    return row;
  }

  async function settleOnly(tx: PaymentTransaction, started: StartedPayment | undefined, outcome: PaymentOutcome | undefined): Promise<PaymentTransaction> {
    const now = deps.clock.now();
    const lockUntil = new Date(tx.created_at.getTime() + CLAIM_MS);
    const base = {
      paymentId: started?.paymentId ?? tx.payment_id,
      terminal: started?.terminal ?? tx.terminal,
      cardType: outcome?.cardType ?? null,
      maskedCard: outcome?.maskedCard ?? null,
      now,
    };
    if (outcome?.approved) {
      try {
        const done = await db.transaction().execute(async (trx) => {
          const row = await repo.completeAttempt(trx, tx.id, { ...base, status: 'SUCCESSFUL', resultCode: outcome.resultCode, failureReason: null });
          if (!row) return undefined;
          if (row.invoice_id !== null) {
            if (!(await repo.markInvoicePaid(trx, row.invoice_id, now))) throw new NoLongerPayable();
          } else {
            await repo.addOpenInvoicePayment(trx, row.open_invoice_id!, row.amount);
          }
          await emitFor(trx, row);
          return row;
        });
        return done ?? (await current(tx));
      } catch (err) {
        if (!(err instanceof NoLongerPayable) && !isUniqueViolation(err, 'transactions_invoice_paid_once')) throw err;
        // Money was taken for an invoice that meanwhile stopped being payable (only possible once
        // a claim has lapsed): give it back at once and record the attempt as failed.
        deps.log?.warn({ transactionId: String(tx.id) }, 'captured payment for an invoice no longer payable; refunding');
        if (base.paymentId) await connector.refund(base.paymentId, tx.amount);
        const row = await db.transaction().execute(async (trx) => {
          const failed = await repo.completeAttempt(trx, tx.id, { ...base, status: 'FAILED', resultCode: outcome.resultCode, failureReason: 'refunded' });
          if (failed) await emitFor(trx, failed);
          return failed;
        });
        return row ?? (await current(tx));
      }
    }
    const failed = await db.transaction().execute(async (trx) => {
      const row = await repo.completeAttempt(trx, tx.id, {
        ...base,
        status: 'FAILED',
        resultCode: outcome?.resultCode ?? 'TIMED_OUT',
        failureReason: outcome?.reason ?? 'timed_out',
      });
      if (row?.invoice_id != null) await repo.releaseInvoiceClaim(trx, row.invoice_id, lockUntil);
      if (row) await emitFor(trx, row);
      return row;
    });
    return failed ?? (await current(tx));
  }

  async function current(tx: PaymentTransaction): Promise<PaymentTransaction> {
    const row = await db.selectFrom('transactions').selectAll().where('id', '=', tx.id).executeTakeFirstOrThrow();
    return row;
  }

  /** Calls the connector for an opened attempt and settles it. */
  async function charge(tx: PaymentTransaction, credentials: PaymentCredentials): Promise<PaymentTransaction> {
    const request = { trackId: tx.track_id, amount: tx.amount, currency: 'KWD' as const, method: tx.method };
    // A connector that throws leaves the attempt PROCESSING: its fate is unknown until
    // settleStaleAttempts asks the acquirer. The claim keeps anyone else from paying meanwhile.
    const started = await connector.start(request);
    const outcome = await connector.complete({ ...request, ...started }, credentials);
    return settle(tx, started, outcome);
  }

  function newAttempt(merchantId: bigint, p: { amount: bigint; method: number; reference: string | null; name: string | null; email: string | null; mobile: string | null }) {
    const now = deps.clock.now();
    return {
      merchantId,
      token: numericToken(now),
      receiptKey: publicKey(),
      trackId: randomDigits(16),
      connector: connector.name,
      referenceNumber: p.reference,
      amount: p.amount,
      method: p.method,
      customerName: p.name,
      customerEmail: p.email,
      customerMobile: p.mobile,
      now,
    };
  }

  function checkMethod(method: number, allowed: number[], credentials: PaymentCredentials): void {
    if (!allowed.includes(method)) throw problemsError({ method: 'not_accepted' });
    const problems = connector.validate(method, credentials);
    if (problems) throw problemsError(problems);
  }

  return {
    connector,

    /** The invoice behind `/s/<key>`; counts the visit unless asked not to (form posts, HEAD). */
    async invoiceForCustomer(accessKey: string, opts: { countVisit: boolean }): Promise<InvoiceForCustomer | undefined> {
      const found = await repo.invoiceByAccessKey(db, accessKey, opts.countVisit);
      if (!found) return undefined;
      const { invoice, merchant } = found;
      const today = localDate(deps.clock.now(), merchant.time_zone);
      const [items, count, paid] = await Promise.all([
        repo.itemsOf(db, invoice.id),
        invoice.plan_id === null ? undefined : repo.installmentsCount(db, invoice.plan_id),
        invoice.status === 'paid' ? repo.successfulFor(db, [invoice.id]) : undefined,
      ]);
      return {
        invoice,
        merchant,
        items,
        state: invoiceState(invoice, today),
        installment: invoice.installment_number !== null && count !== undefined ? { number: invoice.installment_number, count } : null,
        paidBy: paid?.get(invoice.id),
      };
    },

    async openInvoiceForCustomer(publicKey: string): Promise<OpenInvoiceForCustomer | undefined> {
      const found = await repo.openInvoiceByPublicKey(db, publicKey);
      if (!found) return undefined;
      const today = localDate(deps.clock.now(), found.merchant.time_zone);
      return { ...found, state: openInvoiceState(found.openInvoice, today) };
    },

    /**
     * The checkout's own fields (amount within the link's limits, name, mobile, e-mail, method).
     * Throws VALIDATION_FAILED with every field's problem at once.
     */
    acceptOpenInvoiceForm(found: OpenInvoiceForCustomer, form: OpenInvoiceForm): AcceptedOpenInvoiceForm {
      const problems: FieldProblems = {};
      const oi = found.openInvoice;
      let amount = oi.fixed_amount ?? 0n;
      if (oi.amount_type === 1) {
        const text = (form.amount ?? '').trim();
        if (text === '') problems.amount = 'required';
        else {
          try {
            amount = parseMoney(text);
            if (amount < oi.min_amount!) problems.amount = 'below_min';
            else if (amount > oi.max_amount!) problems.amount = 'above_max';
          } catch (err) {
            if (!(err instanceof MoneyError)) throw err;
            problems.amount = 'invalid';
          }
        }
      }
      const name = (form.customerName ?? '').trim().replace(/\s+/g, ' ');
      if (name === '') problems.customerName = 'required';
      else if (!NAME_RE.test(name)) problems.customerName = 'invalid';
      const mobileText = (form.customerMobile ?? '').trim();
      const mobile = normalizeMobile(mobileText);
      if (mobileText === '') problems.customerMobile = 'required';
      else if (mobile === undefined) problems.customerMobile = 'invalid';
      const email = (form.customerEmail ?? '').trim();
      if (email !== '' && (email.length > 254 || !EMAIL_RE.test(email))) problems.customerEmail = 'invalid';
      const method = Number(form.method);
      if (!form.method) problems.method = 'required';
      else if (!/^\d{1,2}$/.test(form.method) || !found.merchant.payment_methods.includes(method)) problems.method = 'not_accepted';
      if (Object.keys(problems).length > 0) throw problemsError(problems);
      return { amount, method, customerName: name, customerMobile: mobile!, customerEmail: email === '' ? null : email };
    },

    /**
     * Pays an invoice. Refusals: NOT_FOUND; VALIDATION_FAILED (field problems, nothing recorded);
     * CONFLICT with reason `in_progress` (another attempt holds it) or `not_payable` (paid,
     * cancelled or expired). A declined card is not a refusal: it returns a FAILED transaction
     * and the invoice stays payable.
     */
    async payInvoice(accessKey: string, method: number, credentials: PaymentCredentials): Promise<PaymentTransaction> {
      const found = await repo.invoiceByAccessKey(db, accessKey, false);
      if (!found) throw new AppError('NOT_FOUND');
      const { invoice, merchant } = found;
      const now = deps.clock.now();
      const today = localDate(now, merchant.time_zone);
      if (invoiceState(invoice, today) !== 'pending') throw conflict('not_payable');
      checkMethod(method, invoice.payment_methods, credentials);
      const tx = await retryOnUniqueClash(CLASHING, async () => {
        const attempt = newAttempt(invoice.merchant_id, {
          amount: invoice.amount,
          method,
          reference: invoice.reference_number ?? invoice.token,
          name: invoice.customer_name,
          email: invoice.customer_email,
          mobile: invoice.mobile_number,
        });
        return repo.claimInvoice(db, invoice.id, today, new Date(attempt.now.getTime() + CLAIM_MS), attempt);
      });
      if (!tx) {
        const again = await repo.invoiceById(db, invoice.id);
        const stillPending = again && invoiceState(again, localDate(deps.clock.now(), merchant.time_zone)) === 'pending';
        throw conflict(stillPending ? 'in_progress' : 'not_payable');
      }
      return charge(tx, credentials);
    },

    /** Pays an open invoice: each payment is its own transaction; totals move on success. */
    async payOpenInvoice(publicKey: string, form: OpenInvoiceForm, credentials: PaymentCredentials): Promise<PaymentTransaction> {
      const found = await this.openInvoiceForCustomer(publicKey);
      if (!found) throw new AppError('NOT_FOUND');
      if (found.state !== 'active') throw conflict('not_payable');
      const accepted = this.acceptOpenInvoiceForm(found, form);
      checkMethod(accepted.method, found.merchant.payment_methods, credentials);
      const today = localDate(deps.clock.now(), found.merchant.time_zone);
      const tx = await retryOnUniqueClash(CLASHING, () =>
        repo.claimOpenInvoice(
          db,
          found.openInvoice.id,
          today,
          newAttempt(found.openInvoice.merchant_id, {
            amount: accepted.amount,
            method: accepted.method,
            reference: found.openInvoice.reference_number,
            name: accepted.customerName,
            email: accepted.customerEmail,
            mobile: accepted.customerMobile,
          }),
        ),
      );
      if (!tx) throw conflict('not_payable');
      return charge(tx, credentials);
    },

    /** The result page of one attempt, by its unguessable receipt key. */
    async receipt(receiptKey: string): Promise<Receipt | undefined> {
      const tx = await repo.byReceiptKey(db, receiptKey);
      if (!tx) return undefined;
      const merchant = await repo.merchantById(db, tx.merchant_id);
      if (!merchant) return undefined;
      const today = localDate(deps.clock.now(), merchant.time_zone);
      if (tx.invoice_id !== null) {
        const inv = (await repo.invoiceById(db, tx.invoice_id))!;
        return {
          transaction: tx,
          merchant,
          payable: invoiceState(inv, today) === 'pending',
          link: { kind: 'invoice', key: inv.access_key },
          title: inv.reference_number ?? inv.token,
        };
      }
      const oi = (await repo.openInvoiceById(db, tx.open_invoice_id!))!;
      return {
        transaction: tx,
        merchant,
        payable: openInvoiceState(oi, today) === 'active',
        link: { kind: 'open-invoice', key: oi.public_key },
        title: oi.title,
      };
    },

    /**
     * Transaction enquiry (reference §7.5): by payment token, or by order reference with every
     * attempt under it. `data` is the successful one when there is one, else the latest.
     */
    async enquire(merchantId: bigint, value: string, byReference: boolean): Promise<{ data: PaymentTransaction; results: PaymentTransaction[] } | undefined> {
      if (value.length === 0 || value.length > 100) return undefined;
      const results = byReference ? await repo.byReference(db, merchantId, value) : await repo.byToken(db, merchantId, value);
      if (results.length === 0) return undefined;
      const data = results.find((r) => r.status === 'SUCCESSFUL') ?? results.at(-1)!;
      return { data, results };
    },

    /** Successful transactions of paid invoices, for the merchant API's `transaction` field. */
    async successfulFor(invoiceIds: bigint[]): Promise<Map<bigint, PaymentTransaction>> {
      return repo.successfulFor(db, invoiceIds);
    },

    /**
     * Finishes attempts a crash or a lost acquirer reply left PROCESSING for longer than a
     * claim lasts: the connector's record decides; no record means it never completed.
     */
    async settleStaleAttempts(limit = 100): Promise<number> {
      const before = new Date(deps.clock.now().getTime() - CLAIM_MS);
      const stale = await repo.staleAttempts(db, before, limit);
      for (const tx of stale) {
        const outcome = await connector.status(tx.track_id);
        await settle(tx, outcome && { paymentId: outcome.paymentId, terminal: outcome.terminal }, outcome);
      }
      return stale.length;
    },
  };
}

class NoLongerPayable extends Error {}

export type PaymentsService = ReturnType<typeof createPaymentsService>;
