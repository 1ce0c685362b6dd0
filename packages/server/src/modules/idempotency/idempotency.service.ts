import { CompiledQuery } from 'kysely';
import type { Database, Executor } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/database.ts';
import { ReplayedWrite, type RecordedReply, type Statement, type WriteScope } from '../../db/write-scope.ts';
import { AppError } from '../../lib/app-error.ts';
import { createIdempotencyRepo, type StoredResult } from './idempotency.repo.ts';

/**
 * `Idempotency-Key` on creating POSTs (Stripe's contract): the first successful reply is stored
 * in the same transaction as the rows it created, and a repeat with the same key and payload gets
 * that reply back. The same key with a different payload is an error. Failures are not stored:
 * nothing was created, so a corrected retry may reuse the key.
 *
 * Concurrent repeats: both run; the loser's transaction fails on the key's primary key and rolls
 * back everything it created, then it answers with the winner's stored reply (`ReplayedWrite`).
 */
export interface IdempotentRequest {
  merchantId: bigint;
  /** Absent: nothing is recorded, and the writes are only made atomic. */
  key: string | undefined;
  /** What makes two requests with the key "the same" (route and payload). */
  requestHash: string;
  /** The reply a write's result gives, as it will be stored and sent. */
  reply(result: unknown): RecordedReply;
}

export function createIdempotencyService(deps: { database: Database }) {
  const repo = createIdempotencyRepo();
  const { database } = deps;
  const { db } = database;

  function replay(stored: StoredResult, hash: string): RecordedReply {
    if (stored.requestHash !== hash) throw new AppError('IDEMPOTENCY_MISMATCH');
    return { status: stored.status, body: JSON.parse(stored.body) };
  }

  async function recorded<R>(req: IdempotentRequest & { key: string }, work: (trx: Executor) => Promise<R>): Promise<R> {
    try {
      return await db.transaction().execute(async (trx) => {
        const result = await work(trx);
        const { status, body } = req.reply(result);
        await repo.insert(trx, req.merchantId, req.key, { requestHash: req.requestHash, status, body: JSON.stringify(body) });
        return result;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'idempotency_keys_pkey')) {
        const stored = await repo.find(db, req.merchantId, req.key);
        if (stored) throw new ReplayedWrite(replay(stored, req.requestHash));
      }
      throw err;
    }
  }

  return {
    /** The stored reply for this key, if any (throws on a payload mismatch). */
    async lookup(merchantId: bigint, key: string, hash: string): Promise<RecordedReply | undefined> {
      const stored = await repo.find(db, merchantId, key);
      return stored && replay(stored, hash);
    },

    /** The writes of one request: atomic, and recorded under its key when it has one. */
    scope(req: IdempotentRequest): WriteScope {
      return {
        async transaction<R>(work: (trx: Executor) => Promise<R>): Promise<R> {
          if (req.key === undefined) return db.transaction().execute(work);
          return recorded({ ...req, key: req.key }, work);
        },
        async statement<T, R>(statement: Statement<T>, then: (rows: T) => R): Promise<R> {
          if (req.key === undefined) {
            const { rows } =
              statement.name === undefined
                ? await database.executeSql(statement.text, [...statement.parameters])
                : await database.executePrepared(statement.name, statement.text, [...statement.parameters]);
            return then(statement.rows(rows));
          }
          return recorded({ ...req, key: req.key }, async (trx) => {
            const { rows } = await trx.executeQuery(CompiledQuery.raw(statement.text, [...statement.parameters]));
            return then(statement.rows(rows));
          });
        },
      };
    },
  };
}

export type IdempotencyService = ReturnType<typeof createIdempotencyService>;
