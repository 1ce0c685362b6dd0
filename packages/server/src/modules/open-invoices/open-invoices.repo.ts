import { sql, type Insertable } from 'kysely';
import type { Executor } from '../../db/database.ts';
import { containsPattern } from '../../db/like-pattern.ts';
import type { OpenInvoice, OpenInvoicesTable } from '../../db/schema.ts';
import type { Statement } from '../../db/write-scope.ts';

export interface OpenInvoiceFilters {
  merchantId: bigint;
  timeZone: string;
  fromDate?: string;
  toDate?: string;
  search?: string;
}

export function createOpenInvoicesRepo() {
  function filtered(db: Executor, f: OpenInvoiceFilters) {
    let q = db.selectFrom('open_invoices').where('merchant_id', '=', f.merchantId);
    // Merchant-local days turned into instants in SQL, so the (merchant_id, created_at) index applies.
    if (f.fromDate) q = q.where('created_at', '>=', sql<Date>`(${f.fromDate}::date)::timestamp AT TIME ZONE ${f.timeZone}`);
    if (f.toDate) q = q.where('created_at', '<', sql<Date>`(${f.toDate}::date + 1)::timestamp AT TIME ZONE ${f.timeZone}`);
    if (f.search) {
      const pattern = containsPattern(f.search.toLowerCase());
      q = q.where((eb) =>
        eb.or([
          eb(eb.fn('lower', ['title']), 'like', pattern),
          eb('reference_number', 'like', pattern),
          eb(eb.fn('lower', [eb.fn.coalesce('description', sql.lit(''))]), 'like', pattern),
        ]),
      );
    }
    return q;
  }

  return {
    /** The INSERT of one open invoice, returning it. */
    insertStatement(db: Executor, row: Insertable<OpenInvoicesTable>): Statement<OpenInvoice> {
      const { sql: text, parameters } = db.insertInto('open_invoices').values(row).returningAll().compile();
      return { text, parameters, rows: (rows) => rows[0] as OpenInvoice };
    },

    async findById(db: Executor, merchantId: bigint, id: bigint): Promise<OpenInvoice | undefined> {
      return db.selectFrom('open_invoices').selectAll().where('id', '=', id).where('merchant_id', '=', merchantId).executeTakeFirst();
    },

    async listPage(db: Executor, f: OpenInvoiceFilters, limit: number, offset: number): Promise<OpenInvoice[]> {
      return filtered(db, f).selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute();
    },

    async count(db: Executor, f: OpenInvoiceFilters): Promise<number> {
      const row = await filtered(db, f)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
