import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, Invoice, InvoiceItem, Merchant, OpenInvoice, PaymentTransaction } from '../../db/schema.ts';

type Executor = Kysely<DB> | Transaction<DB>;

/** The columns of a new attempt the service decides; the rest come from the claimed row or defaults. */
export interface NewAttempt {
  merchantId: bigint;
  token: string;
  receiptKey: string;
  trackId: string;
  connector: string;
  referenceNumber: string | null;
  amount: bigint;
  method: number;
  customerName: string | null;
  customerEmail: string | null;
  customerMobile: string | null;
  now: Date;
}

/** Merchant columns a customer page needs. */
export type PageMerchant = Pick<Merchant, 'id' | 'code' | 'name' | 'time_zone' | 'page_digits' | 'payment_methods' | 'default_language'>;

export interface CompletedAttempt {
  status: 'SUCCESSFUL' | 'FAILED';
  paymentId: string | null;
  terminal: string | null;
  resultCode: string | null;
  failureReason: string | null;
  cardType: string | null;
  maskedCard: string | null;
  now: Date;
}

function attemptValues(a: NewAttempt) {
  return sql`${a.merchantId}::bigint, ${a.token}, ${a.receiptKey}, ${a.trackId}, ${a.connector}, ${a.referenceNumber}::text,
    ${a.amount}::bigint, ${a.method}::smallint, ${a.customerName}::text, ${a.customerEmail}::text, ${a.customerMobile}::text, ${a.now}::timestamptz`;
}

const ATTEMPT_COLUMNS = sql`merchant_id, token, receipt_key, track_id, connector, reference_number, amount, method,
  customer_name, customer_email, customer_mobile, created_at`;

interface MerchantColumns {
  m_name: string;
  m_code: string;
  m_time_zone: string;
  m_page_digits: 'latn' | 'arab';
  m_payment_methods: number[];
  m_default_language: 'en' | 'ar';
}

function splitMerchant<T extends Record<string, unknown>>(row: T & MerchantColumns) {
  const { m_name, m_code, m_time_zone, m_page_digits, m_payment_methods, m_default_language, ...rest } = row;
  return {
    row: rest,
    merchant: { name: m_name, code: m_code, time_zone: m_time_zone, page_digits: m_page_digits, payment_methods: m_payment_methods, default_language: m_default_language },
  };
}

const MERCHANT_COLUMNS = sql`m.name AS m_name, m.code AS m_code, m.time_zone AS m_time_zone, m.page_digits AS m_page_digits,
  m.payment_methods AS m_payment_methods, m.default_language AS m_default_language`;

export function createPaymentsRepo() {
  return {
    /**
     * The invoice behind a public link, with its merchant, counting the visit when asked: one
     * statement either way.
     */
    async invoiceByAccessKey(db: Executor, accessKey: string, countVisit: boolean): Promise<{ invoice: Invoice; merchant: PageMerchant } | undefined> {
      const source = countVisit
        ? sql`UPDATE invoices SET visited_count = coalesce(visited_count, 0) + 1 WHERE access_key = ${accessKey} RETURNING *`
        : sql`SELECT * FROM invoices WHERE access_key = ${accessKey}`;
      const { rows } = await sql<Invoice & MerchantColumns>`
        WITH i AS (${source}) SELECT i.*, ${MERCHANT_COLUMNS} FROM i JOIN merchants m ON m.id = i.merchant_id`.execute(db);
      const first = rows[0];
      if (!first) return undefined;
      const { row, merchant } = splitMerchant(first);
      return { invoice: row as unknown as Invoice, merchant: { id: (row as unknown as Invoice).merchant_id, ...merchant } };
    },

    async openInvoiceByPublicKey(db: Executor, publicKey: string): Promise<{ openInvoice: OpenInvoice; merchant: PageMerchant } | undefined> {
      const { rows } = await sql<OpenInvoice & MerchantColumns>`
        SELECT o.*, ${MERCHANT_COLUMNS} FROM open_invoices o JOIN merchants m ON m.id = o.merchant_id WHERE o.public_key = ${publicKey}`.execute(db);
      const first = rows[0];
      if (!first) return undefined;
      const { row, merchant } = splitMerchant(first);
      return { openInvoice: row as unknown as OpenInvoice, merchant: { id: (row as unknown as OpenInvoice).merchant_id, ...merchant } };
    },

    async itemsOf(db: Executor, invoiceId: bigint): Promise<InvoiceItem[]> {
      return db.selectFrom('invoice_items').selectAll().where('invoice_id', '=', invoiceId).orderBy('position').execute();
    },

    async installmentsCount(db: Executor, planId: bigint): Promise<number | undefined> {
      const row = await db.selectFrom('installment_plans').select('installments_count').where('id', '=', planId).executeTakeFirst();
      return row?.installments_count;
    },

    /**
     * Claims a pending invoice for one payment attempt and opens the attempt, in one statement.
     * The UPDATE's conditions are the guard: the invoice must be pending, not past its expiry day
     * (`today` in the merchant's zone) and not claimed by a live attempt. Under concurrency the
     * row lock makes every other claimant re-check these conditions after the winner commits, so
     * exactly one gets a row back. Returns undefined when the claim was refused.
     */
    async claimInvoice(db: Executor, invoiceId: bigint, today: string, lockUntil: Date, attempt: NewAttempt): Promise<PaymentTransaction | undefined> {
      const { rows } = await sql<PaymentTransaction>`
        WITH claimed AS (
          UPDATE invoices SET payment_locked_until = ${lockUntil}
          WHERE id = ${invoiceId} AND status = 'pending' AND expires_on >= ${today}::date
            AND (payment_locked_until IS NULL OR payment_locked_until < ${attempt.now})
          RETURNING id
        )
        INSERT INTO transactions (invoice_id, ${ATTEMPT_COLUMNS})
        SELECT claimed.id, ${attemptValues(attempt)} FROM claimed
        RETURNING *`.execute(db);
      return rows[0];
    },

    /** Opens an attempt on an active, unexpired open invoice and counts it as tried. */
    async claimOpenInvoice(db: Executor, openInvoiceId: bigint, today: string, attempt: NewAttempt): Promise<PaymentTransaction | undefined> {
      const { rows } = await sql<PaymentTransaction>`
        WITH tried AS (
          UPDATE open_invoices SET tried_count = coalesce(tried_count, 0) + 1
          WHERE id = ${openInvoiceId} AND status = 'active' AND (expiry_date IS NULL OR expiry_date >= ${today}::date)
          RETURNING id
        )
        INSERT INTO transactions (open_invoice_id, ${ATTEMPT_COLUMNS})
        SELECT tried.id, ${attemptValues(attempt)} FROM tried
        RETURNING *`.execute(db);
      return rows[0];
    },

    /** PROCESSING → SUCCESSFUL | FAILED; undefined when the attempt was already settled. */
    async completeAttempt(db: Executor, id: bigint, c: CompletedAttempt): Promise<PaymentTransaction | undefined> {
      return db
        .updateTable('transactions')
        .set({
          status: c.status,
          payment_id: c.paymentId,
          terminal: c.terminal,
          result_code: c.resultCode,
          failure_reason: c.failureReason,
          card_type: c.cardType,
          masked_card: c.maskedCard,
          completed_at: c.now,
        })
        .where('id', '=', id)
        .where('status', '=', 'PROCESSING')
        .returningAll()
        .executeTakeFirst();
    },

    /** pending → paid, releasing the claim. False when the invoice was no longer pending. */
    async markInvoicePaid(db: Executor, invoiceId: bigint, now: Date): Promise<boolean> {
      const r = await db
        .updateTable('invoices')
        .set({ status: 'paid', paid_at: now, updated_at: now, payment_locked_until: null })
        .where('id', '=', invoiceId)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    /** Releases a claim, but only our own: a lapsed claim may since belong to another attempt. */
    async releaseInvoiceClaim(db: Executor, invoiceId: bigint, lockUntil: Date): Promise<void> {
      await db.updateTable('invoices').set({ payment_locked_until: null }).where('id', '=', invoiceId).where('payment_locked_until', '=', lockUntil).execute();
    },

    async addOpenInvoicePayment(db: Executor, openInvoiceId: bigint, amount: bigint): Promise<void> {
      await db
        .updateTable('open_invoices')
        .set((eb) => ({ total_paid: eb('total_paid', '+', amount), paid_count: eb('paid_count', '+', 1) }))
        .where('id', '=', openInvoiceId)
        .execute();
    },

    async byReceiptKey(db: Executor, receiptKey: string): Promise<PaymentTransaction | undefined> {
      return db.selectFrom('transactions').selectAll().where('receipt_key', '=', receiptKey).executeTakeFirst();
    },

    async byToken(db: Executor, merchantId: bigint, token: string): Promise<PaymentTransaction[]> {
      return db.selectFrom('transactions').selectAll().where('merchant_id', '=', merchantId).where('token', '=', token).execute();
    },

    /** Every attempt with this order reference, oldest first. */
    async byReference(db: Executor, merchantId: bigint, reference: string): Promise<PaymentTransaction[]> {
      return db
        .selectFrom('transactions')
        .selectAll()
        .where('merchant_id', '=', merchantId)
        .where('reference_number', '=', reference)
        .orderBy('id')
        .limit(1000)
        .execute();
    },

    /** The successful transaction of each paid invoice given. */
    async successfulFor(db: Executor, invoiceIds: bigint[]): Promise<Map<bigint, PaymentTransaction>> {
      const out = new Map<bigint, PaymentTransaction>();
      if (invoiceIds.length === 0) return out;
      const rows = await db.selectFrom('transactions').selectAll().where('invoice_id', 'in', invoiceIds).where('status', '=', 'SUCCESSFUL').execute();
      for (const r of rows) out.set(r.invoice_id!, r);
      return out;
    },

    /** Attempts still PROCESSING that started before `before`: a crash or a lost acquirer reply. */
    async staleAttempts(db: Executor, before: Date, limit: number): Promise<PaymentTransaction[]> {
      return db.selectFrom('transactions').selectAll().where('status', '=', 'PROCESSING').where('created_at', '<', before).orderBy('created_at').limit(limit).execute();
    },

    async openInvoiceById(db: Executor, id: bigint): Promise<OpenInvoice | undefined> {
      return db.selectFrom('open_invoices').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async invoiceById(db: Executor, id: bigint): Promise<Invoice | undefined> {
      return db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async merchantById(db: Executor, id: bigint): Promise<PageMerchant | undefined> {
      return db.selectFrom('merchants').select(['id', 'code', 'name', 'time_zone', 'page_digits', 'payment_methods', 'default_language']).where('id', '=', id).executeTakeFirst();
    },
  };
}

export type PaymentsRepo = ReturnType<typeof createPaymentsRepo>;
