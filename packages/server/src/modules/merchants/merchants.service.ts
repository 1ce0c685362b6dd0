import type { MerchantCredentials } from '@fawtara/wire';
import { randomUUID } from 'node:crypto';
import { isUniqueViolation, retryOnUniqueClash, type Database } from '../../db/database.ts';
import { AppError } from '../../lib/app-error.ts';
import { FieldValidator } from '../../lib/field-validator.ts';
import { isValidTimeZone } from '../../lib/merchant-time.ts';
import { randomAlnum, randomDigits } from '../../lib/random-ids.ts';
import type { Clock } from '../../lib/clock.ts';
import { hashPassword } from '../auth/passwords.ts';
import { PAYMENT_METHOD_CODES } from '../invoices/payment-methods.ts';
import { createMerchantsRepo } from './merchants.repo.ts';
import { SANDBOX } from './sandbox-credentials.ts';

export interface NewMerchantInput {
  name: string;
  username: string;
  /** Generated (20 random characters) when absent. */
  password?: string;
  email?: string;
  paymentMethods?: number[];
  timeZone?: string;
  defaultLanguage?: 'en' | 'ar';
  /** Digits on Arabic payment pages: Latin (default) or Arabic-Indic. */
  pageDigits?: 'latn' | 'arab';
}

/** Shown once to the operator: the secret key and password are not retrievable later. */
export interface IssuedMerchant extends MerchantCredentials {
  id: bigint;
  name: string;
}

const usernameTaken = (username: string) =>
  new AppError('CONFLICT', { message: `The username "${username}" is already taken.`, fields: { username: ['The username is already taken.'] } });

export function createMerchantsService(deps: { database: Database; clock: Clock }) {
  const repo = createMerchantsRepo();
  const { db } = deps.database;

  return {
    repo,

    /** Creates a merchant with fresh random credentials and one panel user. */
    async createMerchant(input: NewMerchantInput): Promise<IssuedMerchant> {
      const v = new FieldValidator();
      const name = v.string(input as unknown as Record<string, unknown>, 'name', { required: true, max: 200 });
      const username = v.string(input as unknown as Record<string, unknown>, 'username', { required: true, max: 100 });
      if (input.password !== undefined && input.password.length < 10) v.fail('password', 'The password field must be at least 10 characters.');
      const methods = input.paymentMethods ?? [1, 2];
      if (methods.length === 0 || methods.some((m) => !PAYMENT_METHOD_CODES.includes(m))) {
        v.fail('paymentMethods', `The paymentMethods field must list known payment method codes (${PAYMENT_METHOD_CODES.join(', ')}).`);
      }
      if (input.pageDigits !== undefined && input.pageDigits !== 'latn' && input.pageDigits !== 'arab')
        v.fail('pageDigits', 'The pageDigits field must be latn or arab.');
      if (input.timeZone !== undefined && !isValidTimeZone(input.timeZone)) v.fail('timeZone', `Unknown time zone "${input.timeZone}".`);
      v.throwIfInvalid();
      if (await repo.usernameTaken(db, username!)) throw usernameTaken(username!);

      const password = input.password ?? randomAlnum(20);
      const passwordHash = await hashPassword(password);
      try {
        // A six-digit merchant code can collide: retried with fresh credentials (six tries).
        return await retryOnUniqueClash(
          ['merchants_code_key'],
          async () => {
            const issued = { merchantCode: randomDigits(6), accessCode: randomUUID(), secretKey: randomAlnum(32), iv: randomAlnum(16) };
            const merchant = await db.transaction().execute(async (trx) => {
              const m = await repo.insertMerchant(trx, {
                code: issued.merchantCode,
                name: name!,
                email: input.email ?? null,
                isSandbox: false,
                paymentMethods: [...new Set(methods)],
                ...(input.timeZone ? { timeZone: input.timeZone } : {}),
                ...(input.defaultLanguage ? { defaultLanguage: input.defaultLanguage } : {}),
                ...(input.pageDigits ? { pageDigits: input.pageDigits } : {}),
              });
              await repo.insertCredential(trx, { merchantId: m.id, accessCode: issued.accessCode, secretKey: issued.secretKey, iv: issued.iv });
              await repo.insertUser(trx, { merchantId: m.id, username: username!, passwordHash });
              return m;
            });
            return { id: merchant.id, name: merchant.name, ...issued, username: username!, password };
          },
          6,
        );
      } catch (err) {
        // Taken between the check above and the insert.
        if (isUniqueViolation(err, 'users_username_key')) throw usernameTaken(username!);
        throw err;
      }
    },

    /**
     * Creates the public sandbox merchant (code 842217, panel login test / Test@1234) if it is
     * missing. Safe to call on every start and from several processes at once.
     */
    async ensureSandboxMerchant(): Promise<{ created: boolean }> {
      if (await repo.findByCode(db, SANDBOX.merchantCode)) return { created: false };
      const passwordHash = await hashPassword(SANDBOX.password);
      try {
        await db.transaction().execute(async (trx) => {
          const m = await repo.insertMerchant(trx, {
            code: SANDBOX.merchantCode,
            name: SANDBOX.merchantName,
            email: 'sandbox@fawtara.local',
            isSandbox: true,
            paymentMethods: [...PAYMENT_METHOD_CODES],
          });
          await repo.insertCredential(trx, { merchantId: m.id, accessCode: SANDBOX.accessCode, secretKey: SANDBOX.secretKey, iv: SANDBOX.iv });
          await repo.insertUser(trx, { merchantId: m.id, username: SANDBOX.username, passwordHash });
        });
        return { created: true };
      } catch (err) {
        if (isUniqueViolation(err)) return { created: false }; // another process won the race
        throw err;
      }
    },

    /** Whether the sandbox merchant still signs with the public sandbox keys (rotate-secret replaces them). */
    async sandboxUsesPublicCredentials(): Promise<boolean> {
      const exposed = await repo.findUsingCredentials(db, SANDBOX.accessCode, SANDBOX.secretKey);
      return exposed.some((m) => m.code === SANDBOX.merchantCode);
    },

    /** Production refuses to run while anyone can sign requests with the public sandbox keys. */
    async assertNoPublicCredentials(): Promise<void> {
      const exposed = await repo.findUsingCredentials(db, SANDBOX.accessCode, SANDBOX.secretKey);
      if (exposed.length > 0) {
        const list = exposed.map((m) => `${m.code} (${m.name})`).join(', ');
        throw new Error(
          `FAWTARA_MODE=production refuses to start: merchant(s) ${list} still use the public sandbox credentials. ` +
            'Rotate them (npm run merchant -- rotate-secret <code>) or run in sandbox mode.',
        );
      }
    },

    /** Revokes a merchant's credentials and issues new ones, shown once. */
    async rotateCredentials(merchantCode: string): Promise<Omit<IssuedMerchant, 'username' | 'password'>> {
      const merchant = await repo.findByCode(db, merchantCode);
      if (!merchant) throw new AppError('NOT_FOUND', { message: `No merchant with code ${merchantCode}.` });
      const issued = { accessCode: randomUUID(), secretKey: randomAlnum(32), iv: randomAlnum(16) };
      await db.transaction().execute(async (trx) => {
        await repo.revokeCredentials(trx, merchant.id, deps.clock.now());
        await repo.insertCredential(trx, { merchantId: merchant.id, ...issued });
      });
      return { id: merchant.id, name: merchant.name, merchantCode: merchant.code, ...issued };
    },
  };
}

export type MerchantsService = ReturnType<typeof createMerchantsService>;
