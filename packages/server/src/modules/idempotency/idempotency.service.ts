import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { AppError } from '../../lib/app-error.ts';
import { createIdempotencyRepo } from './idempotency.repo.ts';

/**
 * `Idempotency-Key` on creating POSTs (Stripe's contract): the first successful result is stored
 * in the same transaction as the rows it created, and a repeat with the same key and payload gets
 * that result back. The same key with a different payload is an error. Failures are not stored:
 * nothing was created, so a corrected retry may reuse the key.
 *
 * Concurrent repeats: both run; the loser's transaction fails on the key's primary key and rolls
 * back everything it created, then it answers with the winner's stored result.
 */
export interface Outcome {
  status: number;
  /** The plaintext reply object, before encryption. */
  body: unknown;
  replayed: boolean;
}

export const IDEMPOTENCY_KEY_RE = /^[\x21-\x7e]{1,255}$/;

/** Hash of what makes two requests "the same": the route and the decrypted payload, keys sorted. */
export function requestHash(route: string, payload: unknown): string {
  return createHash('sha256').update(route).update('\n').update(canonicalJson(payload)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .filter((k) => obj[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function createIdempotencyService(deps: { database: Database }) {
  const repo = createIdempotencyRepo();
  const { db } = deps.database;

  function replay(stored: { requestHash: string; status: number; body: string }, hash: string): Outcome {
    if (stored.requestHash !== hash) throw new AppError('IDEMPOTENCY_MISMATCH');
    return { status: stored.status, body: JSON.parse(stored.body), replayed: true };
  }

  return {
    /** The stored outcome for this key, if any (throws on a payload mismatch). */
    async lookup(merchantId: bigint, key: string, hash: string): Promise<Outcome | undefined> {
      const stored = await repo.find(db, merchantId, key);
      return stored && replay(stored, hash);
    },

    /**
     * Runs `work` in a transaction that also records its result under the key. Without a key,
     * work that is one SQL statement runs as that statement alone: it is atomic by itself, and
     * BEGIN/COMMIT would be two more round trips on the hottest path (bench/invoice-create).
     */
    async run(
      merchantId: bigint,
      key: string | undefined,
      hash: string,
      work: (db: Kysely<DB> | Transaction<DB>) => Promise<{ status: number; body: unknown }>,
      opts: { singleStatement?: boolean } = {},
    ): Promise<Outcome> {
      if (key === undefined && opts.singleStatement) return { ...(await work(db)), replayed: false };
      try {
        const result = await db.transaction().execute(async (trx) => {
          const r = await work(trx);
          if (key !== undefined) await repo.insert(trx, merchantId, key, { requestHash: hash, status: r.status, body: JSON.stringify(r.body) });
          return r;
        });
        return { ...result, replayed: false };
      } catch (err) {
        if (key !== undefined && isUniqueViolation(err, 'idempotency_keys_pkey')) {
          const stored = await repo.find(db, merchantId, key);
          if (stored) return replay(stored, hash);
        }
        throw err;
      }
    },
  };
}

export type IdempotencyService = ReturnType<typeof createIdempotencyService>;
