import { isEmailAddress } from '@fawtara/contract';
import { parseMoneyOrNull } from '@fawtara/wire';
import type { Database, Executor } from '../../db/database.ts';
import { isUniqueViolation, retryOnUniqueClash } from '../../db/database.ts';
import type { Invoice, InvoiceItem, OpenInvoice, PaymentTransaction } from '../../db/schema.ts';
import { AppError } from '../../lib/app-error.ts';
import type { Clock } from '../../lib/clock.ts';
import { localDate } from '../../lib/merchant-time.ts';
import { parseCustomerMobile } from '../../lib/phone.ts';
import { numericToken, publicKey, randomDigits } from '../../lib/random-ids.ts';
import * as invoiceState from '../invoices/invoice-state.ts';
import * as openInvoiceTransitions from '../open-invoices/open-invoice-state.ts';
import { createInvoicesRepo } from '../invoices/invoices.repo.ts';
import type { WebhooksService } from '../webhooks/webhooks.service.ts';
import type { FieldProblems, PaymentConnector, PaymentCredentials, PaymentOutcome, StartedPayment } from './payment-connector.ts';
import { createPaymentsRepo, type EventInvoice, type EventOpenInvoice, type PageMerchant } from './payments.repo.ts';
import * as transactionState from './transaction-state.ts';

/**
 * Customers paying invoices and open invoices, and what the merchant can ask about it
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

/** An invoice link as the customer meets it. */
export interface InvoiceForCustomer {
  invoice: Invoice;
  merchant: PageMerchant;
  /** What the customer meets today: a pending invoice past its expiry day is expired. */
  state: InvoiceState;
}

/** What only the invoice page itself shows (form posts that succeed never need it). */
export interface InvoicePageDetails {
  items: InvoiceItem[];
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
  /** Whether it can still be paid: the receipt of a failed attempt then offers to try again. */
  payable: boolean;
  /** Public key of the invoice (`/s/<key>`) or open invoice (`/open-invoice/checkout/<key>`): where to try again. */
  link: { kind: 'invoice' | 'open-invoice'; key: string };
  title: string;
}

/** Field problems as the one error type carries them: each field's first message is the problem key. */
function problemsError(problems: FieldProblems): AppError {
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

/** What this service reports to the metrics, after each settling commit. */
export interface PaymentMetrics {
  /** `outcome`: `captured`, or the failure reason recorded (`declined`, `timed_out`, `refunded`, …). */
  paymentSettled(kind: 'invoice' | 'open_invoice', outcome: string): void;
}

export interface PaymentsServiceDeps {
  database: Database;
  clock: Clock;
  connector: PaymentConnector;
  webhooks: WebhooksService;
  log?: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  metrics?: PaymentMetrics;
}

function openInvoiceState(oi: Pick<OpenInvoice, 'status' | 'expiry_date'>, today: string): OpenInvoiceState {
  if (oi.status === 'cancelled') return 'cancelled';
  return oi.expiry_date !== null && oi.expiry_date < today ? 'expired' : 'active';
}

export function createPaymentsService(deps: PaymentsServiceDeps) {
  const repo = createPaymentsRepo();
  const invoicesRepo = createInvoicesRepo({ database: deps.database });
  const { db } = deps.database;
  const { connector } = deps;

  /** Today's date in the merchant's zone: expiry days end at its midnight. */
  const todayFor = (merchant: PageMerchant) => localDate(deps.clock.now(), merchant.time_zone);

  /**
   * The webhook event of a settled attempt, in the settling transaction. `subject` is what the
   * settlement's own update returned; without it the invoice or open invoice is read.
   */
  async function emitFor(trx: Executor, row: PaymentTransaction, subject?: { invoice: EventInvoice } | { openInvoice: EventOpenInvoice }): Promise<void> {
    const ok = row.status === 'SUCCESSFUL';
    const invoiceEvent = row.invoice_id !== null;
    await deps.webhooks.emit(trx, {
      type: invoiceEvent ? (ok ? 'invoice.paid' : 'invoice.payment_failed') : ok ? 'open_invoice.paid' : 'open_invoice.payment_failed',
      merchant: { id: row.merchant_id },
      ...(subject ?? (await repo.eventSubject(trx, row))),
      transaction: row,
    });
  }

  /**
   * Counted only by the call whose transaction moved the attempt out of PROCESSING: the live
   * settlement and the sweep may both try, and the one that finds it settled counts nothing.
   */
  function counted(row: PaymentTransaction | undefined): PaymentTransaction | undefined {
    if (row)
      deps.metrics?.paymentSettled(
        row.invoice_id !== null ? 'invoice' : 'open_invoice',
        row.status === 'SUCCESSFUL' ? 'captured' : (row.failure_reason ?? 'failed'),
      );
    return row;
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
          const row = await transactionState.complete(trx, tx.id, { ...base, status: 'SUCCESSFUL', resultCode: outcome.resultCode, failureReason: null });
          if (!row) return undefined;
          if (row.invoice_id !== null) {
            const invoice = await invoiceState.markPaid(trx, row.invoice_id, now);
            if (!invoice) throw new NoLongerPayable();
            await emitFor(trx, row, { invoice });
          } else {
            await emitFor(trx, row, { openInvoice: await openInvoiceTransitions.addPayment(trx, row.open_invoice_id!, row.amount) });
          }
          return row;
        });
        return counted(done) ?? (await current(tx));
      } catch (err) {
        if (!(err instanceof NoLongerPayable) && !isUniqueViolation(err, 'transactions_invoice_paid_once')) throw err;
        // Money was taken for an invoice that meanwhile stopped being payable (only possible once
        // a claim has lapsed): give it back at once and record the attempt as failed.
        deps.log?.warn({ transactionId: String(tx.id) }, 'captured payment for an invoice no longer payable; refunding');
        if (base.paymentId) await connector.refund(base.paymentId, tx.amount);
        const row = await db.transaction().execute(async (trx) => {
          const failed = await transactionState.complete(trx, tx.id, { ...base, status: 'FAILED', resultCode: outcome.resultCode, failureReason: 'refunded' });
          if (failed) await emitFor(trx, failed);
          return failed;
        });
        return counted(row) ?? (await current(tx));
      }
    }
    const failed = await db.transaction().execute(async (trx) => {
      const row = await transactionState.complete(trx, tx.id, {
        ...base,
        status: 'FAILED',
        resultCode: outcome?.resultCode ?? 'TIMED_OUT',
        failureReason: outcome?.reason ?? 'timed_out',
      });
      if (row?.invoice_id != null) await invoiceState.releaseClaim(trx, row.invoice_id, lockUntil);
      if (row) await emitFor(trx, row);
      return row;
    });
    return counted(failed) ?? (await current(tx));
  }

  function current(tx: PaymentTransaction): Promise<PaymentTransaction> {
    return db.selectFrom('transactions').selectAll().where('id', '=', tx.id).executeTakeFirstOrThrow();
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

  function newAttempt(
    merchantId: bigint,
    p: { amount: bigint; method: number; reference: string | null; name: string | null; email: string | null; mobile: string | null },
  ) {
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

  /** The connector's check of the card fields; a refusal records nothing. */
  function checkCredentials(method: number, credentials: PaymentCredentials): void {
    const problems = connector.validate(method, credentials);
    if (problems) throw problemsError(problems);
  }

  /**
   * The checkout's own fields (amount within the link's limits, name, mobile, e-mail, method).
   * Throws VALIDATION_FAILED with every field's problem at once.
   */
  function acceptOpenInvoiceForm(found: OpenInvoiceForCustomer, form: OpenInvoiceForm): AcceptedOpenInvoiceForm {
    const problems: FieldProblems = {};
    const oi = found.openInvoice;
    let amount = oi.fixed_amount ?? 0n;
    if (oi.amount_type === 1) {
      const text = (form.amount ?? '').trim();
      const parsed = parseMoneyOrNull(text);
      if (text === '') problems.amount = 'required';
      else if (parsed === null) problems.amount = 'invalid';
      else if (parsed < oi.min_amount!) problems.amount = 'below_min';
      else if (parsed > oi.max_amount!) problems.amount = 'above_max';
      else amount = parsed;
    }
    const name = (form.customerName ?? '').trim().replace(/\s+/g, ' ');
    if (name === '') problems.customerName = 'required';
    else if (!NAME_RE.test(name)) problems.customerName = 'invalid';
    const mobileText = (form.customerMobile ?? '').trim();
    const mobile = parseCustomerMobile(mobileText);
    if (mobileText === '') problems.customerMobile = 'required';
    else if (mobile === undefined) problems.customerMobile = 'invalid';
    const email = (form.customerEmail ?? '').trim();
    if (email !== '' && !isEmailAddress(email)) problems.customerEmail = 'invalid';
    const method = Number(form.method);
    if (!form.method) problems.method = 'required';
    else if (!/^\d{1,2}$/.test(form.method) || !found.merchant.payment_methods.includes(method)) problems.method = 'not_accepted';
    if (Object.keys(problems).length > 0) throw problemsError(problems);
    return { amount, method, customerName: name, customerMobile: mobile!, customerEmail: email === '' ? null : email };
  }

  return {
    /** The invoice behind `/s/<key>`, in one statement; counts the visit unless asked not to (form posts, HEAD). */
    async invoiceForCustomer(accessKey: string, opts: { countVisit: boolean }): Promise<InvoiceForCustomer | undefined> {
      const found = await repo.invoiceByAccessKey(db, accessKey, opts.countVisit);
      if (!found) return undefined;
      return { ...found, state: invoiceState.effectiveStatus(found.invoice, todayFor(found.merchant)) };
    },

    /** The invoice page's lines, installment and receipt link. */
    async invoicePageDetails({ invoice }: InvoiceForCustomer): Promise<InvoicePageDetails> {
      const [items, count, paid] = await Promise.all([
        invoicesRepo.itemsFor(db, [invoice.id]),
        invoice.plan_id === null ? undefined : repo.installmentsCount(db, invoice.plan_id),
        invoice.status === 'paid' ? repo.successfulFor(db, [invoice.id]) : undefined,
      ]);
      return {
        items: items.get(invoice.id) ?? [],
        installment: invoice.installment_number !== null && count !== undefined ? { number: invoice.installment_number, count } : null,
        paidBy: paid?.get(invoice.id),
      };
    },

    async openInvoiceForCustomer(publicKey: string): Promise<OpenInvoiceForCustomer | undefined> {
      const found = await repo.openInvoiceByPublicKey(db, publicKey);
      if (!found) return undefined;
      return { ...found, state: openInvoiceState(found.openInvoice, todayFor(found.merchant)) };
    },

    /** Whether `/s/<key>` exists (its QR code): nothing else is read and no visit is counted. */
    invoiceLinkExists(accessKey: string): Promise<boolean> {
      return repo.invoiceKeyExists(db, accessKey);
    },

    /** Whether `/open-invoice/checkout/<key>` exists (its QR code). */
    openInvoiceLinkExists(publicKey: string): Promise<boolean> {
      return repo.openInvoiceKeyExists(db, publicKey);
    },

    acceptOpenInvoiceForm,

    /**
     * Pays the invoice a form post just loaded. Refusals: VALIDATION_FAILED (field problems,
     * nothing recorded); CONFLICT with reason `in_progress` (another attempt holds it) or
     * `not_payable` (paid, cancelled or expired). A declined card is not a refusal: it returns a
     * FAILED transaction and the invoice stays payable.
     */
    async payInvoice(found: InvoiceForCustomer, method: number, credentials: PaymentCredentials): Promise<PaymentTransaction> {
      const { invoice, merchant } = found;
      if (found.state !== 'pending') throw conflict('not_payable');
      if (!invoice.payment_methods.includes(method)) throw problemsError({ method: 'not_accepted' });
      checkCredentials(method, credentials);
      const today = todayFor(merchant);
      // The claim re-checks everything `found` said, atomically: it alone decides.
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
        const again = await invoicesRepo.findById(db, invoice.merchant_id, invoice.id);
        const stillPending = again && invoiceState.effectiveStatus(again, todayFor(merchant)) === 'pending';
        throw conflict(stillPending ? 'in_progress' : 'not_payable');
      }
      return charge(tx, credentials);
    },

    /** Pays the open invoice a form post just loaded: each payment is its own transaction; totals move on success. */
    async payOpenInvoice(found: OpenInvoiceForCustomer, form: OpenInvoiceForm, credentials: PaymentCredentials): Promise<PaymentTransaction> {
      if (found.state !== 'active') throw conflict('not_payable');
      const accepted = acceptOpenInvoiceForm(found, form);
      checkCredentials(accepted.method, credentials);
      const today = todayFor(found.merchant);
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
      const found = await repo.receiptByKey(db, receiptKey);
      if (!found) return undefined;
      const { transaction, merchant } = found;
      const today = todayFor(merchant);
      if (found.invoice) {
        const inv = found.invoice;
        return {
          transaction,
          merchant,
          payable: invoiceState.effectiveStatus(inv, today) === 'pending',
          link: { kind: 'invoice', key: inv.access_key },
          title: inv.reference_number ?? inv.token,
        };
      }
      const oi = found.openInvoice;
      return {
        transaction,
        merchant,
        payable: openInvoiceState(oi, today) === 'active',
        link: { kind: 'open-invoice', key: oi.public_key },
        title: oi.title,
      };
    },

    /**
     * Transaction enquiry: by payment token, or by order reference with every
     * attempt under it. `data` is the successful one when there is one, else the latest.
     */
    async enquire(merchantId: bigint, value: string, byReference: boolean): Promise<{ data: PaymentTransaction; results: PaymentTransaction[] } | undefined> {
      if (value.length === 0 || value.length > 100) return undefined;
      const results = byReference ? await repo.byReference(db, merchantId, value) : await repo.byToken(db, merchantId, value);
      if (results.length === 0) return undefined;
      const data = results.find((r) => r.status === 'SUCCESSFUL') ?? results.at(-1)!;
      return { data, results };
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
