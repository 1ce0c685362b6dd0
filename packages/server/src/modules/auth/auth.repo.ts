import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

export interface LoginUser {
  id: bigint;
  merchantId: bigint;
  passwordHash: string;
}

export function createAuthRepo() {
  return {
    async findLoginUser(db: Executor, username: string): Promise<LoginUser | undefined> {
      const row = await db
        .selectFrom('users as u')
        .innerJoin('merchants as m', 'm.id', 'u.merchant_id')
        .select(['u.id', 'u.merchant_id', 'u.password_hash'])
        .where((eb) => eb(eb.fn('lower', ['u.username']), '=', username.toLowerCase()))
        .where('u.is_active', '=', true)
        .where('m.is_active', '=', true)
        .executeTakeFirst();
      return row && { id: row.id, merchantId: row.merchant_id, passwordHash: row.password_hash };
    },

    async findActiveUser(db: Executor, userId: bigint): Promise<{ id: bigint; merchantId: bigint } | undefined> {
      const row = await db
        .selectFrom('users as u')
        .innerJoin('merchants as m', 'm.id', 'u.merchant_id')
        .select(['u.id', 'u.merchant_id'])
        .where('u.id', '=', userId)
        .where('u.is_active', '=', true)
        .where('m.is_active', '=', true)
        .executeTakeFirst();
      return row && { id: row.id, merchantId: row.merchant_id };
    },

    async insertRefreshToken(db: Executor, t: { userId: bigint; familyId: string; tokenHash: string; expiresAt: Date }): Promise<void> {
      await db.insertInto('refresh_tokens').values({ user_id: t.userId, family_id: t.familyId, token_hash: t.tokenHash, expires_at: t.expiresAt }).execute();
    },

    /**
     * Marks a live refresh token used, atomically: of two concurrent refreshes with one token,
     * exactly one gets the row back; the other sees it as reused.
     */
    async consumeRefreshToken(db: Executor, tokenHash: string, now: Date): Promise<{ userId: bigint; familyId: string } | undefined> {
      const row = await db
        .updateTable('refresh_tokens')
        .set({ used_at: now })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .returning(['user_id', 'family_id'])
        .executeTakeFirst();
      return row && { userId: row.user_id, familyId: row.family_id };
    },

    async findRefreshToken(db: Executor, tokenHash: string): Promise<{ familyId: string; usedAt: Date | null; revokedAt: Date | null } | undefined> {
      const row = await db.selectFrom('refresh_tokens').select(['family_id', 'used_at', 'revoked_at']).where('token_hash', '=', tokenHash).executeTakeFirst();
      return row && { familyId: row.family_id, usedAt: row.used_at, revokedAt: row.revoked_at };
    },

    async revokeFamily(db: Executor, familyId: string, now: Date): Promise<number> {
      const res = await db
        .updateTable('refresh_tokens')
        .set({ revoked_at: now })
        .where('family_id', '=', familyId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows);
    },

    /** Current hits in a fixed window, or 0 when the window has passed. */
    async rateLimitHits(db: Executor, key: string, windowStartAfter: Date): Promise<{ hits: number; windowStart: Date } | undefined> {
      const row = await db
        .selectFrom('rate_limits')
        .select(['hits', 'window_start'])
        .where('key', '=', key)
        .where('window_start', '>', windowStartAfter)
        .executeTakeFirst();
      return row && { hits: row.hits, windowStart: row.window_start };
    },

    /** Adds one hit, starting a new window when the old one is older than `windowStartAfter`. */
    async rateLimitHit(db: Executor, key: string, now: Date, windowStartAfter: Date): Promise<void> {
      await db
        .insertInto('rate_limits')
        .values({ key, window_start: now, hits: 1 })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            hits: sql`CASE WHEN rate_limits.window_start > ${windowStartAfter} THEN rate_limits.hits + 1 ELSE 1 END`,
            window_start: sql`CASE WHEN rate_limits.window_start > ${windowStartAfter} THEN rate_limits.window_start ELSE ${now} END`,
          }),
        )
        .execute();
    },

    async rateLimitReset(db: Executor, key: string): Promise<void> {
      await db.deleteFrom('rate_limits').where('key', '=', key).execute();
    },
  };
}
