import type { Kysely, Transaction } from 'kysely';
import type { DB, Invoice, InvoiceItem, NewInvoice } from '../../db/schema.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export interface NewItem {
  position: number;
  title: string;
  rate: bigint;
  quantity: number;
  amount: bigint;
}

export function createInvoicesRepo() {
  return {
    /** Inserts all rows in one statement; rows come back in insertion order. */
    async insertInvoices(db: Executor, rows: NewInvoice[]): Promise<Invoice[]> {
      const inserted = await db.insertInto('invoices').values(rows).returningAll().execute();
      // RETURNING follows VALUES order in practice; sort by id to make it a guarantee.
      return inserted.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
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
