import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { Invoice, Merchant, OpenInvoice, PaymentTransaction } from '../../db/schema.ts';
import { claimForPaymentStatement, countVisitStatement, EVENT_INVOICE_COLUMNS, type EventInvoice } from '../invoices/invoice-state.ts';
import { EVENT_OPEN_INVOICE_COLUMNS, tryStatement, type EventOpenInvoice } from '../open-invoices/open-invoice-state.ts';

export type { EventInvoice, EventOpenInvoice };

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

/** An attempt as its receipt shows it: the invoice's or open invoice's columns that say where to retry. */
export type ReceiptRow = { transaction: PaymentTransaction; merchant: PageMerchant } & (
  | { invoice: Pick<Invoice, 'access_key' | 'status' | 'expires_on' | 'reference_number' | 'token'>; openInvoice?: undefined }
  | { openInvoice: Pick<OpenInvoice, 'public_key' | 'status' | 'expiry_date' | 'title'>; invoice?: undefined }
);

interface LinkColumns {
  i_access_key: string | null;
  i_status: Invoice['status'] | null;
  i_expires_on: string | null;
  i_reference_number: string | null;
  i_token: string | null;
  o_public_key: string | null;
  o_status: OpenInvoice['status'] | null;
  o_expiry_date: string | null;
  o_title: string | null;
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

/** A row joined with its merchant's columns (MERCHANT_COLUMNS) → the row and the merchant. */
function splitMerchant<T extends { merchant_id: bigint }>(joined: T & MerchantColumns): { row: T; merchant: PageMerchant } {
  const { m_name, m_code, m_time_zone, m_page_digits, m_payment_methods, m_default_language, ...rest } = joined;
  const row = rest as unknown as T;
  return {
    row,
    merchant: {
      id: row.merchant_id,
      name: m_name,
      code: m_code,
      time_zone: m_time_zone,
      page_digits: m_page_digits,
      payment_methods: m_payment_methods,
      default_language: m_default_language,
    },
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
      const source = countVisit ? countVisitStatement(accessKey) : sql`SELECT * FROM invoices WHERE access_key = ${accessKey}`;
      const { rows } = await sql<Invoice & MerchantColumns>`
        WITH i AS (${source}) SELECT i.*, ${MERCHANT_COLUMNS} FROM i JOIN merchants m ON m.id = i.merchant_id`.execute(db);
      const first = rows[0];
      if (!first) return undefined;
      const { row, merchant } = splitMerchant(first);
      return { invoice: row, merchant };
    },

    async openInvoiceByPublicKey(db: Executor, publicKey: string): Promise<{ openInvoice: OpenInvoice; merchant: PageMerchant } | undefined> {
      const { rows } = await sql<OpenInvoice & MerchantColumns>`
        SELECT o.*, ${MERCHANT_COLUMNS} FROM open_invoices o JOIN merchants m ON m.id = o.merchant_id WHERE o.public_key = ${publicKey}`.execute(db);
      const first = rows[0];
      if (!first) return undefined;
      const { row, merchant } = splitMerchant(first);
      return { openInvoice: row, merchant };
    },

    /** Whether an invoice link exists: one index lookup, nothing else read or counted. */
    async invoiceKeyExists(db: Executor, accessKey: string): Promise<boolean> {
      return (await db.selectFrom('invoices').select('id').where('access_key', '=', accessKey).executeTakeFirst()) !== undefined;
    },

    async openInvoiceKeyExists(db: Executor, publicKey: string): Promise<boolean> {
      return (await db.selectFrom('open_invoices').select('id').where('public_key', '=', publicKey).executeTakeFirst()) !== undefined;
    },

    async installmentsCount(db: Executor, planId: bigint): Promise<number | undefined> {
      const row = await db.selectFrom('installment_plans').select('installments_count').where('id', '=', planId).executeTakeFirst();
      return row?.installments_count;
    },

    /**
     * Claims a pending invoice for one payment attempt and opens the attempt, in one statement,
     * so a refused claim opens nothing and a failed insert leaves no claim behind. The claim's
     * guard is invoice-state.ts's. Returns undefined when the claim was refused.
     */
    async claimInvoice(db: Executor, invoiceId: bigint, today: string, lockUntil: Date, attempt: NewAttempt): Promise<PaymentTransaction | undefined> {
      const { rows } = await sql<PaymentTransaction>`
        WITH claimed AS (${claimForPaymentStatement({ invoiceId, today, lockUntil, now: attempt.now })})
        INSERT INTO transactions (invoice_id, ${ATTEMPT_COLUMNS})
        SELECT claimed.id, ${attemptValues(attempt)} FROM claimed
        RETURNING *`.execute(db);
      return rows[0];
    },

    /** Opens an attempt on an active, unexpired open invoice and counts it as tried. */
    async claimOpenInvoice(db: Executor, openInvoiceId: bigint, today: string, attempt: NewAttempt): Promise<PaymentTransaction | undefined> {
      const { rows } = await sql<PaymentTransaction>`
        WITH tried AS (${tryStatement(openInvoiceId, today)})
        INSERT INTO transactions (open_invoice_id, ${ATTEMPT_COLUMNS})
        SELECT tried.id, ${attemptValues(attempt)} FROM tried
        RETURNING *`.execute(db);
      return rows[0];
    },

    /** What a settled attempt's webhook event tells about the invoice or open invoice it paid. */
    async eventSubject(db: Executor, tx: PaymentTransaction): Promise<{ invoice: EventInvoice } | { openInvoice: EventOpenInvoice }> {
      if (tx.invoice_id !== null) {
        return { invoice: await db.selectFrom('invoices').select(EVENT_INVOICE_COLUMNS).where('id', '=', tx.invoice_id).executeTakeFirstOrThrow() };
      }
      return {
        openInvoice: await db.selectFrom('open_invoices').select(EVENT_OPEN_INVOICE_COLUMNS).where('id', '=', tx.open_invoice_id!).executeTakeFirstOrThrow(),
      };
    },

    /**
     * One attempt by its receipt key, with its merchant and what the receipt says about the
     * invoice or open invoice it was for: one statement.
     */
    async receiptByKey(db: Executor, receiptKey: string): Promise<ReceiptRow | undefined> {
      const { rows } = await sql<PaymentTransaction & MerchantColumns & LinkColumns>`
        SELECT t.*, ${MERCHANT_COLUMNS},
          i.access_key AS i_access_key, i.status AS i_status, i.expires_on AS i_expires_on, i.reference_number AS i_reference_number, i.token AS i_token,
          o.public_key AS o_public_key, o.status AS o_status, o.expiry_date AS o_expiry_date, o.title AS o_title
        FROM transactions t
          JOIN merchants m ON m.id = t.merchant_id
          LEFT JOIN invoices i ON i.id = t.invoice_id
          LEFT JOIN open_invoices o ON o.id = t.open_invoice_id
        WHERE t.receipt_key = ${receiptKey}`.execute(db);
      const first = rows[0];
      if (!first) return undefined;
      const { row, merchant } = splitMerchant(first);
      const { i_access_key, i_status, i_expires_on, i_reference_number, i_token, o_public_key, o_status, o_expiry_date, o_title, ...transaction } = row;
      if (transaction.invoice_id !== null) {
        return {
          transaction,
          merchant,
          invoice: { access_key: i_access_key!, status: i_status!, expires_on: i_expires_on!, reference_number: i_reference_number, token: i_token! },
        };
      }
      return { transaction, merchant, openInvoice: { public_key: o_public_key!, status: o_status!, expiry_date: o_expiry_date, title: o_title! } };
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
      return db
        .selectFrom('transactions')
        .selectAll()
        .where('status', '=', 'PROCESSING')
        .where('created_at', '<', before)
        .orderBy('created_at')
        .limit(limit)
        .execute();
    },
  };
}
