import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { mkdir } from 'node:fs/promises';
import { Kysely, PostgresDialect } from 'kysely';
import { Migrator, type Migration } from 'kysely/migration';
import pg from 'pg';
import { PGlite, type ParserOptions } from '@electric-sql/pglite';
import type { DB } from './schema.ts';
import { migrations } from './migrations/index.ts';
import { createPgliteGate } from './pglite-gate.ts';
import { PGLITE_START_PARAMS } from './pglite-memory.ts';
import { initialiseDataDirApart, isInitialisedDataDir } from './pglite-init.ts';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.ts';

export type Engine = 'pglite' | 'postgres';

/**
 * What a repository runs its statements on: the database, or a transaction on it (Kysely's
 * Transaction extends Kysely, so one type covers both).
 */
export type Executor = Kysely<DB>;

export interface Database {
  readonly engine: Engine;
  readonly db: Kysely<DB>;
  /**
   * Raw SQL on the same connection discipline (gate on PGlite, pool on PostgreSQL). A
   * parameterless script of several statements answers with the rows of all of them, and the
   * row count of the last.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw SQL: its rows have the columns the caller's text selects, which only the caller knows
  executeSql(text: string, values?: unknown[]): Promise<{ rows: any[]; rowCount: number }>;
  /**
   * One statement as a named prepared statement on PostgreSQL: parsed and planned once per
   * connection instead of on every call (the hot invoice INSERT). `name` must identify `text`.
   * On PGlite the same as executeSql.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw SQL: its rows have the columns the caller's text selects, which only the caller knows
  executePrepared(name: string, text: string, values: unknown[]): Promise<{ rows: any[]; rowCount: number }>;
  /** The connections right now, for the metrics. */
  poolStats(): PoolStats;
  /** Idempotent; releases the data folder lock. */
  close(): Promise<void>;
}

/**
 * A pool's connections: on PostgreSQL pg.Pool's own counts; PGlite is one session behind the
 * gate, so there `max` is 1, `total` 1, and `waiting` counts the callers queued for the gate.
 */
export interface PoolStats {
  max: number;
  /** Connections open (idle or in use). */
  total: number;
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
}

export interface OpenDatabaseOptions {
  /** Selects PostgreSQL. Without it the server runs on PGlite. */
  databaseUrl?: string;
  /** PGlite data folder; without it (and without databaseUrl) PGlite runs in memory. */
  dataDir?: string;
  /** PostgreSQL pool size (default 20). */
  poolSize?: number;
  /** An already created PGlite (tests); must use PGLITE_PARSERS. Closed by close(). */
  pglite?: PGlite;
  /**
   * A new PGlite data folder is initialised and migrated by a short-lived child process (see
   * pglite-init.ts): for the long-running server, whose memory would otherwise keep what that
   * took. Short-lived commands skip the extra process (and `migrate` reports what it applied).
   */
  initialiseApart?: boolean;
}

const OID = {
  int8: 20,
  int8Array: 1016,
  date: 1082,
  dateArray: 1182,
  textArray: 1009,
} as const;

/**
 * One rule for both engines. int8 is money in minor units and ids, so it must be exact: bigint.
 * A `date` is a calendar day, and turning it into a JS Date shifts it by the process's time zone:
 * keep the 'YYYY-MM-DD' text. PGlite derives array parsers from element parsers, so int8[] and
 * date[] follow; smallint[] stays number[] on both.
 */
export const PGLITE_PARSERS: ParserOptions = {
  [OID.int8]: (value) => BigInt(value),
  [OID.date]: (value) => value,
};

/**
 * Everything a PGlite instance needs to run our migrations: the parsers above and the
 * extensions PostgreSQL ships as contrib (invoice search uses pg_trgm); and the memory settings
 * of pglite-memory.ts.
 */
export const PGLITE_OPTIONS = { parsers: PGLITE_PARSERS, extensions: { pg_trgm }, startParams: [...PGLITE_START_PARAMS] as string[] } as const;

/**
 * Given to each pg.Pool instead of mutating the global pg.types, so that another library
 * (pg-boss has its own pool) or a test that imports pg keeps pg's defaults.
 */
const defaultPgParser = pg.types.getTypeParser as (oid: number, format?: 'text' | 'binary') => (value: string) => unknown;

const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      switch (oid) {
        case OID.int8:
          return (value: string) => BigInt(value);
        case OID.int8Array: {
          const parseTextArray = defaultPgParser(OID.int8Array, 'text');
          return (value: string) => deepMap(parseTextArray(value), (item) => BigInt(item as string));
        }
        case OID.date:
          return (value: string) => value;
        case OID.dateArray:
          return defaultPgParser(OID.textArray, 'text');
      }
    }
    return defaultPgParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

function deepMap(value: unknown, fn: (item: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => deepMap(item, fn));
  return value === null ? null : fn(value);
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  return opts.databaseUrl !== undefined ? openPostgres(opts.databaseUrl, opts.poolSize ?? 20) : openPglite(opts);
}

function openPostgres(connectionString: string, max: number): Database {
  const pool = new pg.Pool({ connectionString, max, types: pgTypes, application_name: 'fawtara' });
  // An idle client that loses its server (restart, failover) is reported here and dropped by the
  // pool; without a listener Node would crash the whole process over it.
  pool.on('error', (err) => process.emitWarning(err));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    engine: 'postgres',
    db,
    async executeSql(text, values) {
      // A parameterless script of several statements answers with one result per statement: its
      // rows are those of all of them (pg-boss reads a RETURNING that comes before its COMMIT).
      const res = (await pool.query(text, values)) as pg.QueryResult | pg.QueryResult[];
      if (!Array.isArray(res)) return { rows: res.rows, rowCount: res.rowCount ?? 0 };
      return { rows: res.flatMap((r) => r.rows ?? []), rowCount: res.at(-1)?.rowCount ?? 0 };
    },
    async executePrepared(name, text, values) {
      const res = await pool.query({ name, text, values });
      return { rows: res.rows, rowCount: res.rowCount ?? 0 };
    },
    poolStats: () => ({ max, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    // Kysely ends the pool only if it ever ran a query itself; a process that used only the raw
    // statements above would otherwise keep its connections open after close.
    close: once(async () => {
      await db.destroy();
      if (!pool.ending && !pool.ended) await pool.end();
    }),
  };
}

async function openPglite(opts: OpenDatabaseOptions): Promise<Database> {
  let lock: DataDirLock | undefined;
  let pglite = opts.pglite;
  if (pglite === undefined && opts.dataDir !== undefined) {
    await mkdir(opts.dataDir, { recursive: true });
    // Before PGlite touches the folder: opening it is already enough to corrupt it.
    lock = await acquireDataDirLock(opts.dataDir);
    try {
      if (opts.initialiseApart && !isInitialisedDataDir(opts.dataDir)) await initialiseDataDirApart(opts.dataDir);
      pglite = await PGlite.create({ dataDir: opts.dataDir, ...PGLITE_OPTIONS });
    } catch (err) {
      await lock.release();
      throw err;
    }
  }
  pglite ??= await PGlite.create({ ...PGLITE_OPTIONS });
  const instance = pglite;

  const gate = createPgliteGate(instance);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: gate.pool }) });
  const database: Database = {
    engine: 'pglite',
    db,
    async executeSql(text, values) {
      const { rows, rowCount } = await gate.executeSql(text, values);
      return { rows, rowCount };
    },
    async executePrepared(_name, text, values) {
      const { rows, rowCount } = await gate.executeSql(text, values);
      return { rows, rowCount };
    },
    poolStats: () => {
      const { holding, waiting } = gate.usage();
      return { max: 1, total: 1, idle: holding ? 0 : 1, waiting };
    },
    close: once(async () => {
      try {
        await db.destroy();
        await instance.close();
      } finally {
        await lock?.release();
      }
    }),
  };

  try {
    await assertPgliteParsers(database);
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}

/** A PGlite created elsewhere without our parsers would hand out numbers and Dates. */
async function assertPgliteParsers(database: Database): Promise<void> {
  const { rows } = await database.executeSql(`SELECT 1::int8 AS i, '2000-01-01'::date AS d`);
  if (typeof rows[0]?.i !== 'bigint' || rows[0]?.d !== '2000-01-01') {
    throw new Error('the PGlite instance must be created with PGLITE_OPTIONS');
  }
}

/** `fn` run on the first call only; every call gets that first run's promise (idempotent closes). */
export function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

/** Brings the schema up to date; returns the names of the migrations this call applied. */
export async function migrateToLatest(db: Kysely<DB>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async (): Promise<Record<string, Migration>> => migrations },
  });
  // Kysely holds a PostgreSQL advisory lock for the whole run, so processes that start together
  // against one database apply each migration once; the others then find nothing to do.
  const { error, results } = await migrator.migrateToLatest();
  if (error === undefined) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  const failed = results?.find((result) => result.status === 'Error');
  const reason = error instanceof Error ? error.message : String(error);
  throw new Error(failed ? `migration ${failed.migrationName} failed: ${reason}` : `migrating failed: ${reason}`, { cause: error });
}

/** SQLSTATE 23505, optionally for one named constraint or unique index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  return hasSqlState(err, '23505', constraint);
}

/** SQLSTATE 23514, optionally for one named CHECK constraint. */
export function isCheckViolation(err: unknown, constraint?: string): boolean {
  return hasSqlState(err, '23514', constraint);
}

/**
 * pg and PGlite both put `code` and `constraint` on their DatabaseError. The cause chain is
 * followed because a layer above may have wrapped the error.
 */
function hasSqlState(err: unknown, code: string, constraint?: string): boolean {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    const candidate = e as { code?: unknown; constraint?: unknown; cause?: unknown };
    if (candidate.code === code) {
      return constraint === undefined || candidate.constraint === constraint;
    }
    e = candidate.cause;
  }
  return false;
}

/**
 * Runs `attempt` again (up to `times` in all) when it fails on one of the unique `constraints`:
 * for writes of randomly generated keys, where a clash is astronomically rare but the unique
 * constraint, not luck, is the guarantee. Each attempt must generate fresh values.
 */
export async function retryOnUniqueClash<T>(constraints: readonly string[], attempt: () => Promise<T>, times = 3): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (n >= times || !constraints.some((c) => isUniqueViolation(err, c))) throw err;
    }
  }
}
