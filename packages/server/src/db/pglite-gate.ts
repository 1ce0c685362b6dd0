import type { PGlite, Results } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient } from 'kysely';

/**
 * PGlite is one PostgreSQL session. A statement sent by anyone while another caller's BEGIN is
 * open silently joins that transaction (and is rolled back with it). So every user of the
 * instance (Kysely, pg-boss, raw SQL) goes through this one gate: Kysely holds it for the whole
 * life of a connection, which makes its transactions exclusive; raw SQL holds it for one call.
 */

export interface GateQueryResult {
  command: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw SQL: its rows have the columns the caller's text selects, which only the caller knows
  rows: any[];
  rowCount: number;
}

export interface PgliteGate {
  /** For Kysely's PostgresDialect: a connection holds the gate until it is released. */
  readonly pool: PostgresPool;
  /**
   * One statement (or a parameterless multi-statement script, answering with the rows of all its
   * statements) holding the gate for its duration.
   */
  executeSql(text: string, values?: readonly unknown[]): Promise<GateQueryResult>;
  /** Whether someone holds the gate, and how many wait for it (the pool metrics). */
  usage(): { holding: boolean; waiting: number };
}

/**
 * Waiting this long for the gate almost always means a deadlock of our own making: code inside
 * a transaction that queries through `db` instead of `trx`. On PostgreSQL that merely uses a
 * second connection, so the bug only shows on PGlite; say so instead of hanging silently.
 */
const SLOW_ACQUIRE_MS = 10_000;

export function createPgliteGate(pglite: PGlite): PgliteGate {
  let tail: Promise<void> = Promise.resolve();
  let waiting = 0;
  let holding = false;

  async function acquire(): Promise<() => void> {
    let release!: () => void;
    const previous = tail;
    tail = new Promise<void>((resolve) => (release = resolve));
    const warning = setTimeout(() => {
      process.emitWarning(
        `waited ${SLOW_ACQUIRE_MS / 1000}s for the PGlite connection; is a transaction callback ` +
          'querying through `db` instead of its `trx`? (PGlite has one session, so that deadlocks)',
        'FawtaraPgliteGate',
      );
    }, SLOW_ACQUIRE_MS);
    warning.unref();
    waiting++;
    try {
      await previous;
    } finally {
      waiting--;
      clearTimeout(warning);
    }
    holding = true;
    let released = false;
    // A double release must not free the gate for someone else's turn.
    return () => {
      if (!released) {
        released = true;
        holding = false;
        release();
      }
    };
  }

  async function run(text: string, values?: readonly unknown[]): Promise<GateQueryResult> {
    // query() uses the extended protocol, which takes one statement; a script with several
    // (Kysely migrations, pg-boss's schema install) has no parameters and goes through exec().
    if ((values === undefined || values.length === 0) && text.includes(';')) {
      const results = await pglite.exec(text);
      // The rows of every statement, as pg gives them (pg-boss reads a RETURNING before COMMIT).
      return { ...toResult(results.at(-1)), rows: results.flatMap((r) => r.rows) };
    }
    return toResult(await pglite.query(text, values === undefined ? [] : [...values]));
  }

  async function rollbackQuietly(): Promise<void> {
    try {
      await pglite.query('ROLLBACK');
    } catch (err) {
      // The caller learns of the script's own error; this one only adds to it.
      process.emitWarning(err instanceof Error ? err : String(err), 'FawtaraPgliteGate');
    }
  }

  const pool: PostgresPool = {
    async connect() {
      const release = await acquire();
      // Kysely only reads `command` to decide whether rowCount means affected rows, and never
      // passes a cursor (no `cursor` in the dialect config), so run() fits its client shape.
      return { query: run as PostgresPoolClient['query'], release };
    },
    // Kysely calls this from destroy(); the PGlite instance belongs to whoever created it.
    async end() {},
    // Kysely would open a second client with these to cancel a running query; there is no
    // `Client` here (PGlite has one session), so it never does.
    options: {},
  };

  return {
    pool,
    usage: () => ({ holding, waiting }),
    async executeSql(text, values) {
      const release = await acquire();
      const wasInTransaction = pglite.isInTransaction();
      try {
        return await run(text, values);
      } catch (err) {
        // A script that failed after its own BEGIN leaves the session in that (now aborted)
        // transaction, where every later statement of every caller would fail. On PostgreSQL the
        // pool would drop such a connection; here it is the only one, so end the transaction.
        if (!wasInTransaction && pglite.isInTransaction()) await rollbackQuietly();
        throw err;
      } finally {
        release();
      }
    },
  };
}

function toResult(result: Results | undefined): GateQueryResult {
  if (result === undefined) return { command: '', rows: [], rowCount: 0 };
  return {
    command: result.command?.toUpperCase() ?? '',
    rows: result.rows,
    // rowCount is per statement; affectedRows accumulates over a script, so it is the fallback.
    rowCount: result.rowCount ?? result.affectedRows ?? result.rows.length,
  };
}
