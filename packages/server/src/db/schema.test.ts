import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../test-support/engines.ts';

/**
 * schema.ts holds only types, which do not exist at run time, so the compiler reads them: for
 * every table of `DB`, every column with the kind of value a select returns (after the parsers
 * of database.ts) and whether it may be null.
 */
interface DeclaredColumn {
  kind: string;
  nullable: boolean;
}

type DeclaredTables = Map<string, Map<string, DeclaredColumn>>;

function readDeclaredTables(): DeclaredTables {
  const file = fileURLToPath(new URL('./schema.ts', import.meta.url));
  const program = ts.createProgram([file], {
    strict: true,
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  const dbSymbol = moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((s) => s.name === 'DB');
  if (!dbSymbol) throw new Error('schema.ts exports no DB interface');

  const tables: DeclaredTables = new Map();
  for (const table of checker.getDeclaredTypeOfSymbol(dbSymbol).getProperties()) {
    const columns = new Map<string, DeclaredColumn>();
    for (const column of checker.getTypeOfSymbol(table).getProperties()) {
      columns.set(column.name, describeColumn(checker, checker.getTypeOfSymbol(column), `${table.name}.${column.name}`));
    }
    tables.set(table.name, columns);
  }
  return tables;
}

/** A Kysely ColumnType (Generated too) is selected as its `__select__` type. */
function describeColumn(checker: ts.TypeChecker, declared: ts.Type, where: string): DeclaredColumn {
  const select = declared.getProperty('__select__');
  const type = select ? checker.getTypeOfSymbol(select) : declared;
  const members = type.isUnion() ? type.types : [type];
  const nullable = members.some((t) => t.flags & ts.TypeFlags.Null);
  const kinds = new Set(members.filter((t) => !(t.flags & ts.TypeFlags.Null)).map((t) => kindOf(checker, t, where)));
  if (kinds.size !== 1) throw new Error(`${where}: expected one kind of value, got ${[...kinds].join(' | ')}`);
  return { kind: [...kinds][0]!, nullable };
}

function kindOf(checker: ts.TypeChecker, t: ts.Type, where: string): string {
  if (t.flags & (ts.TypeFlags.BigInt | ts.TypeFlags.BigIntLiteral)) return 'bigint';
  if (t.flags & (ts.TypeFlags.Number | ts.TypeFlags.NumberLiteral)) return 'number';
  if (t.flags & (ts.TypeFlags.String | ts.TypeFlags.StringLiteral | ts.TypeFlags.TemplateLiteral)) return 'string';
  if (t.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return 'boolean';
  if (checker.isArrayType(t)) {
    const [element] = checker.getTypeArguments(t as ts.TypeReference);
    if (element) return `${kindOf(checker, element, where)}[]`;
  }
  if (t.getSymbol()?.name === 'Date') return 'Date';
  throw new Error(`${where}: no rule for the type ${checker.typeToString(t)}`);
}

/** The kind of value each column type arrives as, on both engines (see the parsers in database.ts). */
const KIND_OF_UDT: Record<string, string> = {
  int8: 'bigint',
  int4: 'number',
  int2: 'number',
  _int2: 'number[]',
  text: 'string',
  varchar: 'string',
  date: 'string',
  bool: 'boolean',
  timestamptz: 'Date',
};

/** Kysely's own bookkeeping, not ours to declare. */
const MIGRATOR_TABLES = ['kysely_migration', 'kysely_migration_lock'];

let declared: DeclaredTables;
beforeAll(() => {
  declared = readDeclaredTables();
});

describeEngines('db/schema.ts', (ctx) => {
  let actual: Map<string, Map<string, { udt: string; nullable: boolean }>>;
  beforeAll(async () => {
    const { rows } = await ctx.db.executeSql(
      `SELECT c.table_name, c.column_name, c.udt_name, c.is_nullable
         FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND NOT (c.table_name = ANY($1))
        ORDER BY c.table_name, c.ordinal_position`,
      [MIGRATOR_TABLES],
    );
    actual = new Map();
    for (const row of rows) {
      if (!actual.has(row.table_name)) actual.set(row.table_name, new Map());
      actual.get(row.table_name)!.set(row.column_name, { udt: row.udt_name, nullable: row.is_nullable === 'YES' });
    }
  });

  it('declares every table the migrations create in the public schema, and no other', () => {
    expect([...declared.keys()].sort(), 'tables in schema.ts vs the migrated database').toEqual([...actual.keys()].sort());
  });

  it('declares every column of every table, and no other', () => {
    for (const [table, columns] of actual) {
      expect([...(declared.get(table)?.keys() ?? [])].sort(), `columns of ${table} in schema.ts vs the migrated database`).toEqual([...columns.keys()].sort());
    }
  });

  it('gives each column the type and nullability its values arrive with', () => {
    const mismatches: string[] = [];
    for (const [table, columns] of actual) {
      for (const [column, { udt, nullable }] of columns) {
        const type = declared.get(table)?.get(column);
        if (type === undefined) continue;
        const kind = KIND_OF_UDT[udt];
        if (kind === undefined) mismatches.push(`${table}.${column}: no rule for the column type ${udt}`);
        else if (kind !== type.kind) mismatches.push(`${table}.${column}: ${udt} arrives as ${kind}, schema.ts says ${type.kind}`);
        if (nullable !== type.nullable) {
          mismatches.push(
            `${table}.${column}: ${nullable ? 'nullable' : 'NOT NULL'} in the database, ${type.nullable ? 'nullable' : 'never null'} in schema.ts`,
          );
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});
