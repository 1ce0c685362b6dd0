import { CompiledQuery, sql, type SelectQueryBuilder } from 'kysely';
import { isDeepStrictEqual } from 'node:util';
import type { Database, Executor } from '../../db/database.ts';
import { containsPattern } from '../../db/like-pattern.ts';
import type { DB, Invoice, InvoiceItem, InvoiceStatus, NewInvoice } from '../../db/schema.ts';
import { statementName, type Statement } from '../../db/write-scope.ts';

/** Columns whose values the database assigns on insert (identity and defaults). */
const GENERATED = ['id', 'token', 'currency', 'status', 'sms_status', 'sms_response'] as const;

export interface NewItem {
  position: number;
  title: string;
  rate: bigint;
  quantity: number;
  amount: bigint;
}

/**
 * The searchable text of an invoice. Must stay identical to the expression of
 * invoices_search_idx (migration 0002) or the planner cannot use the trigram index.
 */
const SEARCH_TEXT = sql<string>`lower(coalesce(reference_number, '') || ' ' || customer_name || ' ' || coalesce(customer_email, '') || ' ' || mobile_number)`;

export interface InvoiceFilters {
  merchantId: bigint;
  fromDate?: string;
  toDate?: string;
  kind?: Invoice['kind'];
  /** Lower-cased; matched as a substring. */
  search?: string;
}

export interface PlanSummary {
  planId: bigint;
  count: number;
  paid: number;
  cancelled: number;
}

function filtered<O>(q: SelectQueryBuilder<DB, 'invoices', O>, f: InvoiceFilters): SelectQueryBuilder<DB, 'invoices', O> {
  let out = q.where('merchant_id', '=', f.merchantId);
  if (f.fromDate) out = out.where('created_on', '>=', f.fromDate);
  if (f.toDate) out = out.where('created_on', '<=', f.toDate);
  if (f.kind) out = out.where('kind', '=', f.kind);
  if (f.search) out = out.where(SEARCH_TEXT, 'like', containsPattern(f.search));
  return out;
}

export function createInvoicesRepo(deps: { database: Database }) {
  // The invoice INSERT is the hottest statement; Kysely compiling it per request showed in
  // profiles. Its text depends only on the column list and the row count, so it is compiled
  // once per shape. The first use of each shape checks our parameter order against Kysely's own.
  const insertSql = new Map<string, { text: string; name: string }>();

  /** One INSERT of all rows; rows come back in insertion order. */
  function insertStatement(rows: NewInvoice[]): Statement<Invoice[]> {
    const columns = Object.keys(rows[0]!) as Array<keyof NewInvoice>;
    const shape = `${columns.join(',')}#${rows.length}`;
    const parameters = rows.flatMap((r) => columns.map((c) => r[c]));
    let statement = insertSql.get(shape);
    if (statement === undefined) {
      const compiled = deps.database.db.insertInto('invoices').values(rows).returning(GENERATED).compile();
      if (!isDeepStrictEqual([...compiled.parameters], parameters)) throw new Error('invoice insert: parameter order differs from Kysely');
      statement = { text: compiled.sql, name: statementName('invoice_insert', compiled.sql) };
      if (insertSql.size < 100) insertSql.set(shape, statement);
    }
    return {
      ...statement,
      parameters,
      // Only what the database decides comes back; the rest is what we sent (parsing all 31
      // columns of every new row was measurable). Rows are matched by their unique token, since
      // SQL does not promise that RETURNING follows VALUES order; the result keeps input order.
      rows(returned) {
        const byToken = new Map((returned as Array<Pick<Invoice, (typeof GENERATED)[number]>>).map((g) => [g.token, g]));
        return rows.map((row) => {
          const generated = byToken.get(row.token);
          if (!generated) throw new Error('invoice insert: a row came back without its token');
          return { ...row, ...generated } as Invoice;
        });
      },
    };
  }

  return {
    insertStatement,

    /** `insertStatement` run on `db` (a transaction, when other writes go with it). */
    async insertInvoices(db: Executor, rows: NewInvoice[]): Promise<Invoice[]> {
      const statement = insertStatement(rows);
      const result = await db.executeQuery(CompiledQuery.raw(statement.text, [...statement.parameters]));
      return statement.rows(result.rows);
    },

    async insertItems(db: Executor, invoiceId: bigint, items: NewItem[]): Promise<InvoiceItem[]> {
      if (items.length === 0) return [];
      return db
        .insertInto('invoice_items')
        .values(items.map((it) => ({ invoice_id: invoiceId, ...it })))
        .returningAll()
        .execute();
    },

    async insertPlan(db: Executor, p: { merchantId: bigint; count: number; total: bigint }): Promise<bigint> {
      const row = await db
        .insertInto('installment_plans')
        .values({ merchant_id: p.merchantId, installments_count: p.count, total_amount: p.total })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },

    async findById(db: Executor, merchantId: bigint, id: bigint): Promise<Invoice | undefined> {
      return db.selectFrom('invoices').selectAll().where('id', '=', id).where('merchant_id', '=', merchantId).executeTakeFirst();
    },

    async findByToken(db: Executor, merchantId: bigint, token: string): Promise<Invoice | undefined> {
      return db.selectFrom('invoices').selectAll().where('token', '=', token).where('merchant_id', '=', merchantId).executeTakeFirst();
    },

    /** An invoice with its merchant's name, in one query (a message to its customer names both); throws when there is none. */
    async getWithMerchantName(db: Executor, id: bigint): Promise<Invoice & { merchant_name: string }> {
      return db
        .selectFrom('invoices as i')
        .innerJoin('merchants as m', 'm.id', 'i.merchant_id')
        .selectAll('i')
        .select('m.name as merchant_name')
        .where('i.id', '=', id)
        .executeTakeFirstOrThrow();
    },

    /** A page, newest first (merchant-local day, then id). */
    async listPage(db: Executor, f: InvoiceFilters, limit: number, offset: number): Promise<Invoice[]> {
      return filtered(db.selectFrom('invoices').selectAll(), f).orderBy('created_on', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute();
    },

    /**
     * A search page from ONE trigram index scan: up to `cap` matches are materialised, counted,
     * and the page is sorted from them. Counting and paging separately scanned the index twice,
     * and the planner sometimes walked the day index instead, filtering a million rows. When the
     * cap is reached the matches are not all known, so `rows` is undefined and the caller pages
     * by the day index (a broad term finds its 20 newest matches quickly that way).
     */
    async searchPage(
      db: Executor,
      f: InvoiceFilters & { search: string },
      limit: number,
      offset: number,
      cap: number,
    ): Promise<{ total: number; rows: Invoice[] | undefined }> {
      const match = filtered(db.selectFrom('invoices').select(['id', 'created_on']), f).limit(cap);
      const result = await sql<Invoice & { total_matches: string }>`
        WITH m AS MATERIALIZED (${match}),
             total AS (SELECT count(*) AS n FROM m),
             page AS (SELECT id FROM m ORDER BY created_on DESC, id DESC LIMIT ${limit} OFFSET ${offset})
        SELECT total.n AS total_matches, i.*
        FROM total LEFT JOIN page ON true LEFT JOIN invoices i ON i.id = page.id
        ORDER BY i.created_on DESC, i.id DESC`.execute(db);
      const total = Number(result.rows[0]?.total_matches ?? 0);
      if (total >= cap) return { total, rows: undefined };
      const rows = result.rows.filter((r) => r.id !== null).map(({ total_matches: _, ...inv }) => inv as Invoice);
      return { total, rows };
    },

    /** Counts by status from the rollup (migration 0002), for the date range and kind. */
    async statusCounts(db: Executor, f: Omit<InvoiceFilters, 'search'>): Promise<Record<InvoiceStatus, number>> {
      let q = db
        .selectFrom('invoice_daily_stats')
        .select(['status', (eb) => eb.fn.sum<string>('invoices').as('n')])
        .where('merchant_id', '=', f.merchantId);
      if (f.fromDate) q = q.where('day', '>=', f.fromDate);
      if (f.toDate) q = q.where('day', '<=', f.toDate);
      if (f.kind) q = q.where('kind', '=', f.kind);
      const rows = await q.groupBy('status').execute();
      const out: Record<InvoiceStatus, number> = { pending: 0, paid: 0, cancelled: 0, expired: 0 };
      for (const r of rows) out[r.status] = Number(r.n);
      return out;
    },

    async itemsFor(db: Executor, invoiceIds: bigint[]): Promise<Map<bigint, InvoiceItem[]>> {
      const out = new Map<bigint, InvoiceItem[]>();
      if (invoiceIds.length === 0) return out;
      const rows = await db.selectFrom('invoice_items').selectAll().where('invoice_id', 'in', invoiceIds).orderBy('invoice_id').orderBy('position').execute();
      for (const r of rows) {
        const list = out.get(r.invoice_id) ?? [];
        list.push(r);
        out.set(r.invoice_id, list);
      }
      return out;
    },

    async planSummaries(db: Executor, planIds: bigint[]): Promise<Map<bigint, PlanSummary>> {
      const out = new Map<bigint, PlanSummary>();
      if (planIds.length === 0) return out;
      const rows = await db
        .selectFrom('invoices')
        .select((eb) => [
          'plan_id',
          eb.fn.countAll<string>().as('count'),
          eb.fn.count<string>('id').filterWhere('status', '=', 'paid').as('paid'),
          eb.fn.count<string>('id').filterWhere('status', '=', 'cancelled').as('cancelled'),
        ])
        .where('plan_id', 'in', planIds)
        .groupBy('plan_id')
        .execute();
      for (const r of rows) out.set(r.plan_id!, { planId: r.plan_id!, count: Number(r.count), paid: Number(r.paid), cancelled: Number(r.cancelled) });
      return out;
    },

    /**
     * Pending invoices with a delivery channel whose expiry day is exactly their merchant's
     * `reminder_days` ahead and that have had no reminder yet (locked, SKIP LOCKED).
     */
    async dueForReminder(
      db: Executor,
      now: Date,
      limit: number,
    ): Promise<Array<Pick<Invoice, 'id' | 'merchant_id' | 'delivery_channel' | 'country_code' | 'mobile_number' | 'customer_email'>>> {
      const { rows } = await sql<Pick<Invoice, 'id' | 'merchant_id' | 'delivery_channel' | 'country_code' | 'mobile_number' | 'customer_email'>>`
        SELECT i.id, i.merchant_id, i.delivery_channel, i.country_code, i.mobile_number, i.customer_email
        FROM invoices i JOIN merchants m ON m.id = i.merchant_id
        WHERE m.reminder_days IS NOT NULL
          AND i.status = 'pending'
          AND i.delivery_channel IN (0, 1, 2)
          AND i.expires_on = (${now}::timestamptz AT TIME ZONE m.time_zone)::date + m.reminder_days
          AND NOT EXISTS (SELECT 1 FROM delivery_requests r WHERE r.invoice_id = i.id AND r.reason = 'reminder')
        ORDER BY i.id
        LIMIT ${limit}
        FOR UPDATE OF i SKIP LOCKED`.execute(db);
      return rows;
    },
  };
}

export type InvoicesRepo = ReturnType<typeof createInvoicesRepo>;
