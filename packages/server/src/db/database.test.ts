import { describe, expect, inject, it } from 'vitest';
import type { NewInvoice } from './schema.ts';
import { migrations } from './migrations/index.ts';
import {
  isCheckViolation,
  isUniqueViolation,
  migrateToLatest,
  openDatabase,
  type Database,
} from './database.ts';
import {
  ENGINES,
  createScratchPostgresDatabase,
  createTestDatabase,
  describeEngines,
} from '../test-support/engines.ts';
import { databaseUrl, dropDatabase } from '../test-support/postgres-admin.ts';

let merchantCodes = 0;
async function insertMerchant(database: Database): Promise<bigint> {
  const { id } = await database.db
    .insertInto('merchants')
    .values({ code: String(1000 + ++merchantCodes), name: 'Test merchant' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

let invoiceTokens = 0;
function invoice(merchantId: bigint, overrides: Partial<NewInvoice> = {}): NewInvoice {
  const n = ++invoiceTokens;
  return {
    merchant_id: merchantId,
    kind: 'single',
    token: String(1_000_000_000_000_000n + BigInt(n)),
    access_key: `access-key-for-tests-${n}`.padEnd(22, 'x'),
    amount: 1500n,
    customer_name: 'Customer',
    country_code: '965',
    mobile_number: '55512345',
    created_on: '2026-01-01',
    delivery_type: 0,
    delivery_channel: 0,
    payment_methods: [1, 2],
    language: 'en',
    expires_on: '2025-02-28',
    ...overrides,
  };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describeEngines('database', (ctx) => {
  it('has every migration applied', async () => {
    const { rows } = await ctx.db.executeSql(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    const tables = rows.map((row) => row.table_name);
    expect(tables).toEqual(
      expect.arrayContaining(['merchants', 'invoices', 'invoice_items', 'open_invoices', 'idempotency_keys']),
    );
    const applied = await ctx.db.executeSql('SELECT name FROM kysely_migration ORDER BY name');
    expect(applied.rows.map((row) => row.name)).toEqual(Object.keys(migrations));
    // Running again finds nothing to do.
    await migrateToLatest(ctx.db.db);
  });

  it('returns int8 as bigint, date as text, smallint[] as number[], timestamptz as Date', async () => {
    const merchantId = await insertMerchant(ctx.db);
    expect(typeof merchantId).toBe('bigint');
    const inserted = await ctx.db.db
      .insertInto('invoices')
      .values(invoice(merchantId, { amount: 9_007_199_254_740_993n, expires_on: '2024-02-29' }))
      .returning(['amount', 'expires_on', 'payment_methods', 'created_at'])
      .executeTakeFirstOrThrow();
    expect(inserted.amount).toBe(9_007_199_254_740_993n);
    expect(inserted.expires_on).toBe('2024-02-29');
    expect(inserted.payment_methods).toEqual([1, 2]);
    expect(inserted.created_at).toBeInstanceOf(Date);

    const merchant = await ctx.db.db
      .selectFrom('merchants')
      .select('payment_methods')
      .where('id', '=', merchantId)
      .executeTakeFirstOrThrow();
    expect(merchant.payment_methods).toEqual([1, 2]);

    const { rows } = await ctx.db.executeSql(
      `SELECT $1::int8 AS small, '{1,9007199254740993,NULL}'::int8[] AS big_array,
              '{2024-01-01,2024-12-31}'::date[] AS dates, 12.50::numeric AS num, now()::timestamp AS ts`,
      [7n],
    );
    expect(rows[0]).toMatchObject({
      small: 7n,
      big_array: [1n, 9_007_199_254_740_993n, null],
      dates: ['2024-01-01', '2024-12-31'],
      num: '12.50',
    });
    expect(rows[0].ts).toBeInstanceOf(Date);
  });

  it('rolls a transaction back while a statement outside it still runs', async () => {
    const events: string[] = [];
    let outside: Promise<unknown> | undefined;
    const transaction = ctx.db.db.transaction().execute(async (trx) => {
      await trx.insertInto('server_settings').values({ name: 'inside', value: '1' }).execute();
      outside = ctx.db.db
        .insertInto('server_settings')
        .values({ name: 'outside', value: '1' })
        .execute()
        .then(() => events.push('outside done'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await trx.insertInto('server_settings').values({ name: 'inside-2', value: '1' }).execute();
      events.push('rolling back');
      throw new Error('roll back');
    });
    await expect(transaction).rejects.toThrow('roll back');
    await outside;

    const names = await ctx.db.db.selectFrom('server_settings').select('name').execute();
    expect(names.map((row) => row.name)).toEqual(['outside']);
    if (ctx.engine === 'pglite') {
      // One session: the outside statement must wait for the transaction, not join it.
      expect(events).toEqual(['rolling back', 'outside done']);
    }
    await ctx.db.executeSql('DELETE FROM server_settings');
  });

  it('runs a parameterless multi-statement script through executeSql', async () => {
    const result = await ctx.db.executeSql(`
      BEGIN;
      CREATE TABLE script_probe (id int PRIMARY KEY);
      INSERT INTO script_probe VALUES (1), (2);
      COMMIT;
      SELECT count(*)::int AS n FROM script_probe;
    `);
    expect(result.rows).toEqual([{ n: 2 }]);
    await ctx.db.executeSql('DROP TABLE script_probe');
  });

  it('recognises a unique violation, by constraint name too', async () => {
    await ctx.db.db.insertInto('merchants').values({ code: '4242', name: 'First' }).execute();
    const err = await caught(
      ctx.db.db.insertInto('merchants').values({ code: '4242', name: 'Second' }).execute(),
    );
    expect(isUniqueViolation(err)).toBe(true);
    expect(isUniqueViolation(err, 'merchants_code_key')).toBe(true);
    expect(isUniqueViolation(err, 'invoices_token_key')).toBe(false);
    expect(isCheckViolation(err)).toBe(false);
    expect(isUniqueViolation(new Error('wrapped', { cause: err }), 'merchants_code_key')).toBe(true);
  });

  it('refuses an invoice of amount 0 with a CHECK violation', async () => {
    const merchantId = await insertMerchant(ctx.db);
    const err = await caught(ctx.db.db.insertInto('invoices').values(invoice(merchantId, { amount: 0n })).execute());
    expect(isCheckViolation(err, 'invoices_amount_check')).toBe(true);
    expect(isUniqueViolation(err)).toBe(false);
  });

  it('queues concurrent work on one engine without losing any', async () => {
    const merchantId = await insertMerchant(ctx.db);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? ctx.db.db.transaction().execute((trx) => trx.insertInto('invoices').values(invoice(merchantId)).execute())
          : ctx.db.executeSql('SELECT count(*) FROM invoices'),
      ),
    );
    const { count } = await ctx.db.db
      .selectFrom('invoices')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('merchant_id', '=', merchantId)
      .executeTakeFirstOrThrow();
    expect(BigInt(count)).toBe(10n);
  });
});

describe.runIf(ENGINES.includes('postgres'))('migrateToLatest on PostgreSQL', () => {
  it('applies each migration once when two processes migrate one empty database at once', async () => {
    const name = await createScratchPostgresDatabase();
    const url = databaseUrl(inject('pgAdminUrl'), name);
    // Separate pools stand for separate processes: PostgreSQL sees distinct sessions either way.
    const first = await openDatabase({ databaseUrl: url, poolSize: 2 });
    const second = await openDatabase({ databaseUrl: url, poolSize: 2 });
    try {
      await Promise.all([migrateToLatest(first.db), migrateToLatest(second.db)]);
      const { rows } = await first.executeSql('SELECT name FROM kysely_migration');
      expect(rows.map((row) => row.name)).toEqual(Object.keys(migrations));
      const merchants = await second.db.selectFrom('merchants').select('id').execute();
      expect(merchants).toEqual([]);
    } finally {
      await first.close();
      await second.close();
      await dropDatabase(inject('pgAdminUrl'), name);
    }
  });
});

describe('migrateToLatest failures', () => {
  it('names the failing migration', async () => {
    const database = await createTestDatabase('pglite');
    try {
      // Forgetting the journal makes 0001 run again over its own tables.
      await database.executeSql('DELETE FROM kysely_migration');
      await expect(migrateToLatest(database.db)).rejects.toThrow(
        /^migration 0001-initial failed: .*already exists/,
      );
    } finally {
      await database.close();
    }
  });
});
