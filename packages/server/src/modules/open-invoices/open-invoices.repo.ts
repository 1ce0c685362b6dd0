import type { Insertable, Kysely, Transaction } from 'kysely';
import type { DB, OpenInvoice, OpenInvoicesTable } from '../../db/schema.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export function createOpenInvoicesRepo() {
  return {
    async insert(db: Executor, row: Insertable<OpenInvoicesTable>): Promise<OpenInvoice> {
      return db.insertInto('open_invoices').values(row).returningAll().executeTakeFirstOrThrow();
    },
  };
}
