import type { Executor } from '../../db/database.ts';
import type { Merchant } from '../../db/schema.ts';

/** What an authenticated merchant request needs, fetched in one query by access code. */
export interface CredentialWithMerchant {
  credentialId: bigint;
  secretKey: string;
  iv: string;
  merchant: Merchant;
}

export function createMerchantsRepo() {
  return {
    async findActiveCredential(db: Executor, accessCode: string): Promise<CredentialWithMerchant | undefined> {
      const row = await db
        .selectFrom('api_credentials as c')
        .innerJoin('merchants as m', 'm.id', 'c.merchant_id')
        .selectAll('m')
        .select(['c.id as credential_id', 'c.secret_key', 'c.iv_key'])
        .where('c.access_code', '=', accessCode)
        .where('c.status', '=', 'active')
        .where('m.is_active', '=', true)
        .executeTakeFirst();
      if (!row) return undefined;
      const { credential_id, secret_key, iv_key, ...merchant } = row;
      return { credentialId: credential_id, secretKey: secret_key, iv: iv_key, merchant };
    },

    async findByCode(db: Executor, code: string): Promise<Merchant | undefined> {
      return db.selectFrom('merchants').selectAll().where('code', '=', code).executeTakeFirst();
    },

    async findById(db: Executor, id: bigint): Promise<Merchant | undefined> {
      return db.selectFrom('merchants').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** Where a merchant's events go by default and the zone their times are told in. */
    async webhookTarget(db: Executor, id: bigint): Promise<Pick<Merchant, 'time_zone' | 'webhook_url'>> {
      return db.selectFrom('merchants').select(['time_zone', 'webhook_url']).where('id', '=', id).executeTakeFirstOrThrow();
    },

    async list(db: Executor): Promise<Merchant[]> {
      return db.selectFrom('merchants').selectAll().orderBy('id').execute();
    },

    async insertMerchant(
      db: Executor,
      m: {
        code: string;
        name: string;
        email?: string | null;
        isSandbox: boolean;
        paymentMethods: number[];
        timeZone?: string;
        defaultLanguage?: 'en' | 'ar';
        pageDigits?: 'latn' | 'arab';
      },
    ): Promise<Merchant> {
      return db
        .insertInto('merchants')
        .values({
          code: m.code,
          name: m.name,
          email: m.email ?? null,
          phone: null,
          website_url: null,
          webhook_url: null,
          is_sandbox: m.isSandbox,
          payment_methods: m.paymentMethods,
          time_zone: m.timeZone ?? 'Asia/Kuwait',
          default_language: m.defaultLanguage ?? 'en',
          page_digits: m.pageDigits ?? 'latn',
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    async updateNotificationSettings(
      db: Executor,
      merchantId: bigint,
      s: { webhookUrl?: string | null; reminderDays?: number | null },
      now: Date,
    ): Promise<Merchant> {
      return db
        .updateTable('merchants')
        .set({
          ...(s.webhookUrl !== undefined ? { webhook_url: s.webhookUrl } : {}),
          ...(s.reminderDays !== undefined ? { reminder_days: s.reminderDays } : {}),
          updated_at: now,
        })
        .where('id', '=', merchantId)
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    /** The digits Arabic payment pages show; false when no merchant has that code. */
    async setPageDigits(db: Executor, code: string, digits: 'latn' | 'arab'): Promise<boolean> {
      const r = await db.updateTable('merchants').set({ page_digits: digits }).where('code', '=', code).executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    async insertCredential(db: Executor, c: { merchantId: bigint; accessCode: string; secretKey: string; iv: string }): Promise<void> {
      await db.insertInto('api_credentials').values({ merchant_id: c.merchantId, access_code: c.accessCode, secret_key: c.secretKey, iv_key: c.iv }).execute();
    },

    async revokeCredentials(db: Executor, merchantId: bigint, now: Date): Promise<number> {
      const res = await db
        .updateTable('api_credentials')
        .set({ status: 'revoked', revoked_at: now })
        .where('merchant_id', '=', merchantId)
        .where('status', '=', 'active')
        .executeTakeFirst();
      return Number(res.numUpdatedRows);
    },

    async insertUser(db: Executor, u: { merchantId: bigint; username: string; passwordHash: string }): Promise<bigint> {
      const row = await db
        .insertInto('users')
        .values({ merchant_id: u.merchantId, username: u.username, password_hash: u.passwordHash })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },

    /** Merchants whose active credentials are any of the given public values. */
    async findUsingCredentials(db: Executor, accessCode: string, secretKey: string): Promise<Array<{ code: string; name: string }>> {
      return db
        .selectFrom('api_credentials as c')
        .innerJoin('merchants as m', 'm.id', 'c.merchant_id')
        .select(['m.code', 'm.name'])
        .where('c.status', '=', 'active')
        .where((eb) => eb.or([eb('c.access_code', '=', accessCode), eb('c.secret_key', '=', secretKey)]))
        .execute();
    },

    /** A panel user of this merchant (for the profile). */
    async findUserOf(db: Executor, merchantId: bigint, userId: bigint): Promise<{ id: bigint; username: string } | undefined> {
      return db.selectFrom('users').select(['id', 'username']).where('id', '=', userId).where('merchant_id', '=', merchantId).executeTakeFirst();
    },

    async usernameTaken(db: Executor, username: string): Promise<boolean> {
      const row = await db
        .selectFrom('users')
        .select('id')
        .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()))
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

export type MerchantsRepo = ReturnType<typeof createMerchantsRepo>;
