import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, inject, it } from 'vitest';
import type { NewInvoice } from './schema.ts';
import { migrations } from './migrations/index.ts';
import { isCheckViolation, isUniqueViolation, migrateToLatest, openDatabase, type Database } from './database.ts';
import { ENGINES, createScratchPostgresDatabase, createTestDatabase, describeEngines } from '../test-support/engines.ts';
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

/** Files of migrations/ that a migration imports (frozen SQL text) but that are not migrations. */
const MIGRATION_HELPERS = ['0005-job-queue-sql.ts', '0006-job-queue-v12-sql.ts'];

/** Kysely's own bookkeeping, created by the migrator rather than by a migration. */
const MIGRATOR_TABLES = ['public.kysely_migration', 'public.kysely_migration_lock'];

interface MigrationSource {
  file: string;
  /** The source up to `down`, where a migration's own schema changes are. */
  upSource: string;
}

/**
 * The migrations in migrations/ by file name, in name order (the order Kysely applies them in),
 * and the sources that make up their `up`: each migration's and each helper's.
 */
async function readMigrationsFolder(): Promise<{ names: string[]; sources: MigrationSource[] }> {
  const folder = new URL('./migrations/', import.meta.url);
  const files = (await readdir(folder)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'index.ts').sort();
  const sources = await Promise.all(
    files.map(async (file) => {
      const source = await readFile(new URL(file, folder), 'utf8');
      const down = source.indexOf('export async function down');
      return { file, upSource: down === -1 ? source : source.slice(0, down) };
    }),
  );
  // MIGRATION_HELPERS is kept by hand: a new helper, or a migration without `up` and `down`,
  // fails here instead of silently changing which files the test counts as migrations.
  for (const file of files) {
    const module = (await import(new URL(file, folder).href)) as Record<string, unknown>;
    const isMigration = typeof module.up === 'function' && typeof module.down === 'function';
    expect(isMigration, `${file} ${isMigration ? 'is a migration but listed as a helper' : 'exports no up and down'}`).toBe(!MIGRATION_HELPERS.includes(file));
  }
  const names = files.filter((f) => !MIGRATION_HELPERS.includes(f)).map((f) => f.slice(0, -'.ts'.length));
  return { names, sources };
}

/**
 * `schema.table` for each table the migrations' `up` sources create, less those dropped again
 * (one by one, or with their schema; a renamed schema takes its tables along). Names built at
 * run time (pg-boss's per-queue partitions) are not literal and are left out.
 */
function tablesCreatedBy(sources: MigrationSource[]): string[] {
  const qualified = (name: string) => (name.includes('.') ? name : `public.${name}`).toLowerCase();
  const bare = '[a-z_][a-z0-9_]*';
  const identifier = `(?:${bare}\\.)?${bare}`;
  const statement = new RegExp(
    `\\b(?:(CREATE|DROP) TABLE (?:IF (?:NOT )?EXISTS )?(${identifier}(?:\\s*,\\s*${identifier})*)(?=[\\s(;])` +
      `|ALTER SCHEMA (${bare}) RENAME TO (${bare})\\b|DROP SCHEMA (?:IF EXISTS )?(${bare})\\b)`,
    'gi',
  );
  let tables = new Set<string>();
  const inSchema = (name: string, schema: string) => name.startsWith(`${schema.toLowerCase()}.`);
  for (const { upSource } of sources) {
    for (const [, verb, list, renamed, renamedTo, dropped] of upSource.matchAll(statement)) {
      if (renamed !== undefined) {
        tables = new Set([...tables].map((name) => (inSchema(name, renamed) ? `${renamedTo!.toLowerCase()}${name.slice(renamed.length)}` : name)));
      } else if (dropped !== undefined) {
        tables = new Set([...tables].filter((name) => !inSchema(name, dropped)));
      } else {
        for (const name of list!.split(',').map((n) => qualified(n.trim()))) {
          if (verb!.toUpperCase() === 'CREATE') tables.add(name);
          else tables.delete(name);
        }
      }
    }
  }
  return [...tables].sort();
}

describeEngines('database', (ctx) => {
  it('has every migration applied: each file in migrations/ recorded, and every table they create present', async () => {
    const { names, sources } = await readMigrationsFolder();
    expect(Object.keys(migrations), 'migrations/index.ts vs the files in migrations/').toEqual(names);
    const applied = await ctx.db.executeSql('SELECT name FROM kysely_migration ORDER BY name');
    expect(
      applied.rows.map((row) => row.name),
      'kysely_migration vs the files in migrations/',
    ).toEqual(names);

    const created = tablesCreatedBy(sources);
    const { rows } = await ctx.db.executeSql(
      `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
        WHERE table_schema IN ('public', 'pgboss') AND table_type = 'BASE TABLE'`,
    );
    const present: string[] = rows
      .map((row) => row.name as string)
      .filter((name) => !MIGRATOR_TABLES.includes(name))
      .sort();
    expect(present, 'tables the migrations create vs the migrated database').toEqual(expect.arrayContaining(created));
    // Both ways in the public schema, so a table the source scan above misses fails too (pgboss
    // also holds partitions named at run time).
    expect(
      present.filter((name) => name.startsWith('public.')),
      'public tables in the database vs the migrations',
    ).toEqual(created.filter((name) => name.startsWith('public.')));
    // pgboss is compared one way only, so a scan that found none of its tables would pass there.
    expect(created).toEqual(expect.arrayContaining(['pgboss.job', 'pgboss.queue']));
    // Running again finds nothing to do.
    expect(await migrateToLatest(ctx.db.db)).toEqual([]);
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

    const merchant = await ctx.db.db.selectFrom('merchants').select('payment_methods').where('id', '=', merchantId).executeTakeFirstOrThrow();
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

  it('reports its connections: in use during a transaction, and on PGlite who waits for the one session', async () => {
    const max = ctx.engine === 'pglite' ? 1 : 5;
    await ctx.db.executeSql('SELECT 1');
    expect(ctx.db.poolStats()).toMatchObject({ max, waiting: 0 });
    expect(ctx.db.poolStats().idle).toBe(ctx.db.poolStats().total);
    let waiter: Promise<unknown> | undefined;
    await ctx.db.db.transaction().execute(async (trx) => {
      await trx.selectFrom('server_settings').selectAll().execute();
      const held = ctx.db.poolStats();
      expect(held.total - held.idle).toBeGreaterThanOrEqual(1);
      if (ctx.engine === 'pglite') {
        expect(held).toEqual({ max: 1, total: 1, idle: 0, waiting: 0 });
        waiter = ctx.db.executeSql('SELECT 1');
        // Queued behind the transaction, which holds the one session until it ends.
        expect(ctx.db.poolStats().waiting).toBe(1);
      }
    });
    await waiter;
    expect(ctx.db.poolStats()).toMatchObject({ max, waiting: 0 });
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

  it('answers a script with the rows of all its statements, a RETURNING before COMMIT too', async () => {
    const result = await ctx.db.executeSql(`
      BEGIN;
      CREATE TABLE returning_probe (id int PRIMARY KEY);
      INSERT INTO returning_probe VALUES (1), (2) RETURNING id;
      COMMIT;
    `);
    expect(result.rows).toEqual([{ id: 1 }, { id: 2 }]);
    await ctx.db.executeSql('DROP TABLE returning_probe');
  });

  it('recognises a unique violation, by constraint name too', async () => {
    await ctx.db.db.insertInto('merchants').values({ code: '4242', name: 'First' }).execute();
    const err = await caught(ctx.db.db.insertInto('merchants').values({ code: '4242', name: 'Second' }).execute());
    expect(isUniqueViolation(err)).toBe(true);
    expect(isUniqueViolation(err, 'merchants_code_key')).toBe(true);
    expect(isUniqueViolation(err, 'invoices_token_key')).toBe(false);
    expect(isCheckViolation(err)).toBe(false);
    expect(isUniqueViolation(new Error('wrapped', { cause: err }), 'merchants_code_key')).toBe(true);
  });

  it('refuses an invoice of amount 0 with a CHECK violation', async () => {
    const merchantId = await insertMerchant(ctx.db);
    const err = await caught(
      ctx.db.db
        .insertInto('invoices')
        .values(invoice(merchantId, { amount: 0n }))
        .execute(),
    );
    expect(isCheckViolation(err, 'invoices_amount_check')).toBe(true);
    expect(isUniqueViolation(err)).toBe(false);
  });

  it('runs concurrent transactions and statements without losing a write', async () => {
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
      const [byFirst, bySecond] = await Promise.all([migrateToLatest(first.db), migrateToLatest(second.db)]);
      // Each migration was run by exactly one of the two.
      expect([...byFirst, ...bySecond].sort()).toEqual(Object.keys(migrations));
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
      await expect(migrateToLatest(database.db)).rejects.toThrow(/^migration 0001-initial failed: .*already exists/);
    } finally {
      await database.close();
    }
  });
});
