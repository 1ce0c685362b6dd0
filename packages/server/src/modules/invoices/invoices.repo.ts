import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import { isDeepStrictEqual } from 'node:util';
import type { Database } from '../../db/database.ts';
import type { DB, Invoice, InvoiceItem, NewInvoice } from '../../db/schema.ts';

type Executor = Kysely<DB> | Transaction<DB>;

/** Columns whose values the database assigns on insert (identity and defaults). */
const GENERATED = ['id', 'token', 'currency', 'status', 'sms_status', 'sms_response'] as const;

export interface NewItem {
  position: number;
  title: string;
  rate: bigint;
  quantity: number;
  amount: bigint;
}

export function createInvoicesRepo(deps: { database: Database }) {
  // The invoice INSERT is the hottest statement; Kysely compiling it per request showed in
  // profiles. Its text depends only on the column list and the row count, so it is compiled
  // once per shape. The first use of each shape checks our parameter order against Kysely's own.
  const insertSql = new Map<string, { text: string; name: string }>();

  return {
    /** Inserts all rows in one statement; rows come back in insertion order. */
    async insertInvoices(db: Executor, rows: NewInvoice[]): Promise<Invoice[]> {
      const columns = Object.keys(rows[0]!) as Array<keyof NewInvoice>;
      const shape = `${columns.join(',')}#${rows.length}`;
      const parameters = rows.flatMap((r) => columns.map((c) => r[c]));
      let statement = insertSql.get(shape);
      if (statement === undefined) {
        const compiled = db.insertInto('invoices').values(rows).returning(GENERATED).compile();
        if (!isDeepStrictEqual([...compiled.parameters], parameters)) throw new Error('invoice insert: parameter order differs from Kysely');
        statement = { text: compiled.sql, name: `invoice_insert_${insertSql.size + 1}` };
        if (insertSql.size < 100) insertSql.set(shape, statement);
      }
      // Outside a transaction the statement runs as a named prepared statement on any pooled
      // connection; inside one it must use the transaction's connection (Kysely's).
      const result = db.isTransaction
        ? await db.executeQuery<Pick<Invoice, (typeof GENERATED)[number]>>(CompiledQuery.raw(statement.text, parameters))
        : await deps.database.executePrepared(statement.name, statement.text, parameters);
      // Only what the database decides comes back; the rest is what we sent (parsing all 31
      // columns of every new row was measurable). Rows are matched by their unique token, since
      // SQL does not promise that RETURNING follows VALUES order; the result keeps input order.
      const byToken = new Map((result.rows as Array<Pick<Invoice, (typeof GENERATED)[number]>>).map((g) => [g.token, g]));
      return rows.map((row) => {
        const generated = byToken.get(row.token);
        if (!generated) throw new Error('invoice insert: a row came back without its token');
        return { ...row, ...generated } as Invoice;
      });
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
  };
}

export type InvoicesRepo = ReturnType<typeof createInvoicesRepo>;
