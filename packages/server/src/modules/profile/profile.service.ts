import type { Static } from 'typebox';
import type { ProfileObject } from '@fawtara/contract';
import type { Database } from '../../db/database.ts';
import type { Merchant } from '../../db/schema.ts';
import { PAYMENT_METHODS } from '../invoices/payment-methods.ts';
import { KUWAIT_COUNTRY_ID } from '../invoices/invoice-view.ts';
import { createMerchantsRepo } from '../merchants/merchants.repo.ts';

/**
 * The merchant's profile: who the merchant is and how it is set up. Never a secret: no keys, no
 * IV, no password hash, no webhook secret. Typed by the contract's schema, so the compiler
 * checks it against the documentation.
 */
export function profileOf(merchant: Merchant, user: { id: bigint; username: string } | undefined): Static<typeof ProfileObject> {
  return {
    id: Number(merchant.id),
    user_id: user ? Number(user.id) : null,
    username: merchant.code,
    email: merchant.email,
    business_name: merchant.name,
    business_type_id: null,
    country_id: KUWAIT_COUNTRY_ID,
    website_url: merchant.website_url,
    company_logo: null,
    business_address: null,
    is_active: merchant.is_active ? 1 : 0,
    is_approved: 1,
    // Fawtara additions
    merchant_code: merchant.code,
    panel_username: user?.username ?? null,
    phone: merchant.phone,
    sandbox: merchant.is_sandbox,
    payment_methods: merchant.payment_methods.map((id) => ({ id: String(id), name: PAYMENT_METHODS[id] ?? 'Unknown' })),
    settings: {
      time_zone: merchant.time_zone,
      default_language: merchant.default_language,
      webhook_url: merchant.webhook_url,
      reminder_days: merchant.reminder_days,
    },
  };
}

export function createProfileService(deps: { database: Database }) {
  const merchants = createMerchantsRepo();
  return {
    async get(merchant: Merchant, userId: bigint) {
      return profileOf(merchant, await merchants.findUserOf(deps.database.db, merchant.id, userId));
    },
  };
}

export type ProfileService = ReturnType<typeof createProfileService>;
