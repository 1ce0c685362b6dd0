import { createHash } from 'node:crypto';
import type { Executor } from './database.ts';

/**
 * One SQL statement with what its rows mean, built by a repository but not yet run. A statement
 * is atomic by itself, so a caller whose whole work is one statement can run it without
 * BEGIN/COMMIT (two round trips on the hottest path) and still never leave half a write behind.
 * Named statements run as prepared statements where the engine has them; the name must identify
 * the text (two texts never share a name).
 */
export interface Statement<T> {
  readonly name?: string;
  readonly text: string;
  readonly parameters: readonly unknown[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the statement's own text decides its columns; `rows` is where they get their type
  rows(rows: readonly any[]): T;
}

/**
 * How a service writes on behalf of a request: atomically, together with whatever the caller
 * records beside the write (the reply stored under an Idempotency-Key). The result of the write is
 * the result of the service call: it is what the caller records, so the service must return it
 * unchanged.
 *
 * Atomicity does not depend on the service remembering anything: `transaction` is one
 * transaction whatever the work does, and `statement` takes a single statement, not code that
 * could run a second one.
 */
export interface WriteScope {
  transaction<R>(work: (db: Executor) => Promise<R>): Promise<R>;
  /** Runs `statement`, then `then` on its rows (no database access there: the write is over). */
  statement<T, R>(statement: Statement<T>, then: (rows: T) => R): Promise<R>;
}

/** A stored reply: the status and the plaintext body, before encryption. */
export interface RecordedReply {
  status: number;
  body: unknown;
}

/**
 * Thrown by a write scope when a concurrent request with the same Idempotency-Key committed first:
 * this request's work was rolled back, and the caller answers with the winner's reply instead.
 */
export class ReplayedWrite extends Error {
  constructor(readonly reply: RecordedReply) {
    super('a concurrent request with the same Idempotency-Key committed first');
    this.name = 'ReplayedWrite';
  }
}

/**
 * The name of a prepared statement: a prefix for people reading pg_prepared_statements, and a
 * hash of the text, so that one name always means one text on every connection (node-postgres
 * refuses a known name with another text).
 */
export function statementName(prefix: string, text: string): string {
  return `${prefix}_${createHash('sha256').update(text).digest('hex').slice(0, 20)}`;
}
