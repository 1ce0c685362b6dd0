import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvoicesRepo } from '../modules/invoices/invoices.repo.ts';
import { createTestDatabase, describeEngines, ENGINES } from '../test-support/engines.ts';
import type { Database } from './database.ts';
import type { NewInvoice } from './schema.ts';
import { statementName } from './write-scope.ts';

/** PostgreSQL keeps NAMEDATALEN - 1 bytes of a name and silently truncates the rest. */
const MAX_NAME_BYTES = 63;

/** An unquoted PostgreSQL identifier: nothing in it needs quoting or changes case. */
const UNQUOTED_IDENTIFIER = /^[a-z_][a-z0-9_$]*$/;

const TEXTS = [
  'SELECT 1',
  'SELECT 1 ',
  'select 1',
  'SELECT 2',
  'INSERT INTO invoices (merchant_id) VALUES ($1)',
  'INSERT INTO invoices (merchant_id) VALUES ($1), ($2)',
  'INSERT INTO invoices (merchant_id) VALUES ($1) RETURNING id',
  'x'.repeat(10_000),
];

describe('statementName', () => {
  it('gives the same text the same name every time', () => {
    for (const text of TEXTS) {
      // Built anew, so that only the characters are shared, never the string itself.
      expect(statementName('invoice_insert', text)).toBe(statementName('invoice_insert', [...text].join('')));
    }
  });

  it('gives different texts different names, even when they differ by a space or a letter case', () => {
    const names = TEXTS.map((text) => statementName('invoice_insert', text));
    expect(new Set(names).size).toBe(TEXTS.length);
  });

  it('makes unquoted PostgreSQL identifiers that fit in 63 bytes, starting with the prefix', () => {
    for (const text of TEXTS) {
      const name = statementName('invoice_insert', text);
      expect(name).toMatch(UNQUOTED_IDENTIFIER);
      expect(name.startsWith('invoice_insert_')).toBe(true);
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    }
  });
});

describeEngines('statementName in the database', (ctx) => {
  it('is a name the database keeps whole as a prepared statement name', async () => {
    const name = statementName('invoice_insert', 'SELECT 1');
    // One transaction holds one connection: the statement is prepared, listed and dropped there.
    const listed = await ctx.db.db.transaction().execute(async (trx) => {
      await sql`PREPARE ${sql.raw(name)} AS SELECT 1`.execute(trx);
      const { rows } = await sql<{ name: string }>`SELECT name FROM pg_prepared_statements`.execute(trx);
      await sql`DEALLOCATE ${sql.raw(name)}`.execute(trx);
      return rows.map((row) => row.name);
    });
    expect(listed).toContain(name);
  });
});

let tokens = 0;
function invoiceRow(merchantId: bigint): NewInvoice {
  const n = ++tokens;
  return {
    merchant_id: merchantId,
    kind: 'single',
    token: String(3_000_000_000_000_000n + BigInt(n)),
    access_key: `write-scope-access-${n}`.padEnd(22, 'x'),
    amount: 1500n,
    customer_name: 'Customer',
    country_code: '965',
    mobile_number: '55512345',
    created_on: '2026-01-01',
    delivery_type: 0,
    delivery_channel: 0,
    payment_methods: [1, 2],
    language: 'en',
    expires_on: '2027-02-28',
  };
}

/** More shapes than the repo caches (100), so some texts are compiled again on each use. */
const SHAPES = 110;

describe.runIf(ENGINES.includes('postgres'))('prepared invoice INSERTs on PostgreSQL', () => {
  let database: Database;
  let merchantId: bigint;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    ({ id: merchantId } = await database.db
      .insertInto('merchants')
      .values({ code: '7200', name: 'Write scope merchant' })
      .returning('id')
      .executeTakeFirstOrThrow());
  });
  afterAll(async () => {
    await database?.close();
  });

  it('refuses one name for two texts, so a reused name would fail the test below', async () => {
    await database.executePrepared('write_scope_probe', 'SELECT $1::int AS n', [1]);
    await expect(database.executePrepared('write_scope_probe', 'SELECT $1::int + 1 AS n', [1])).rejects.toThrow(/write_scope_probe/);
  });

  it(`runs ${SHAPES} shapes of invoice INSERT (1 to ${SHAPES} rows) as named prepared statements, each twice`, async () => {
    const repo = createInvoicesRepo({ database });
    const names = new Set<string>();
    let inserted = 0;
    // Twice over: the second pass reuses the prepared statements of the first, and for shapes
    // past the cache it compiles the text again and must arrive at the same name.
    for (let pass = 0; pass < 2; pass++) {
      for (let count = 1; count <= SHAPES; count++) {
        const rows = Array.from({ length: count }, () => invoiceRow(merchantId));
        const statement = repo.insertStatement(rows);
        expect(statement.name).toBe(statementName('invoice_insert', statement.text));
        names.add(statement.name!);
        const result = await database.executePrepared(statement.name!, statement.text, [...statement.parameters]);
        expect(statement.rows(result.rows).map((invoice) => invoice.token)).toEqual(rows.map((row) => row.token));
        inserted += count;
      }
    }
    expect(names.size).toBe(SHAPES);

    const { n } = await database.db
      .selectFrom('invoices')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('merchant_id', '=', merchantId)
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(inserted);
  });
});
