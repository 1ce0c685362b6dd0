import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Each of these tables changes state in one module only, where every transition is a named,
 * guarded statement. A write anywhere else would bypass those guards, so the source is scanned
 * for it: raw SQL (`UPDATE invoices`) and Kysely (`updateTable('invoices')`) alike.
 */
const OWNERS: Record<string, string> = {
  invoices: 'modules/invoices/invoice-state.ts',
  open_invoices: 'modules/open-invoices/open-invoice-state.ts',
  transactions: 'modules/payments/transaction-state.ts',
};

/**
 * Migrations are left out: they are the schema's history, run before any of the code above
 * exists, and an applied migration must never change.
 */
const NOT_SCANNED = ['db/migrations/'];

const SRC = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** The tables a source text UPDATEs, by SQL or by Kysely. */
function updatedTables(text: string): Set<string> {
  const out = new Set<string>();
  const sqlUpdate = /\bUPDATE\s+(?:ONLY\s+)?(?:"?public"?\.)?"?([a-z_]+)"?/gi;
  const kyselyUpdate = /\.updateTable\(\s*['"`]([a-z_]+)/g;
  for (const re of [sqlUpdate, kyselyUpdate]) {
    for (const m of text.matchAll(re)) out.add(m[1]!.toLowerCase());
  }
  return out;
}

const files = sourceFiles(SRC)
  .map((path) => relative(SRC, path).split(sep).join('/'))
  .filter((path) => !NOT_SCANNED.some((prefix) => path.startsWith(prefix)));

describe('state ownership', () => {
  it('the scan recognises both ways of writing an UPDATE', () => {
    expect([...updatedTables('sql`UPDATE invoices SET x = 1`')]).toEqual(['invoices']);
    expect([...updatedTables('update ONLY public."open_invoices" set x = 1')]).toEqual(['open_invoices']);
    expect([...updatedTables("db.updateTable('transactions').set({})")]).toEqual(['transactions']);
    expect([...updatedTables("db\n  .updateTable('invoices as i')")]).toEqual(['invoices']);
    // Neither a row lock nor an upsert into another table is a write to the table it names.
    expect(updatedTables('FOR UPDATE OF invoices SKIP LOCKED').has('invoices')).toBe(false);
    expect(updatedTables('ON CONFLICT (id) DO UPDATE SET invoices = 1').has('invoices')).toBe(false);
  });

  for (const [table, owner] of Object.entries(OWNERS)) {
    it(`only ${owner} updates ${table}`, () => {
      const writers = files.filter((path) => updatedTables(readFileSync(join(SRC, path), 'utf8')).has(table));
      // The owner itself must be found, or the scan has stopped seeing writes at all.
      expect(writers).toEqual([owner]);
    });
  }
});
