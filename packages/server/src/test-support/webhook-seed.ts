import type { Database } from '../db/database.ts';
import type { WebhooksService } from '../modules/webhooks/webhooks.service.ts';

export interface CancelledInvoiceEventsSeed {
  database: Database;
  /** The app's `workers.webhooks`: its `emit` records each event the way the gateway does. */
  webhooks: Pick<WebhooksService, 'emit'>;
  merchantCode: string;
  count: number;
  /**
   * Digits every invoice token starts with, different per run so that runs on one database do
   * not clash: the token is the prefix and the row number, zero-padded to 20 digits.
   */
  tokenPrefix: string;
  /** reference_number is this prefix and the row number (1..count). */
  referencePrefix: string;
  /** Events emitted per transaction. */
  batchSize?: number;
  /** Batches (transactions) in flight at once. */
  concurrency?: number;
}

export interface SeededEvents {
  merchantId: bigint;
  invoiceIds: bigint[];
  /** One per invoice, in invoice order. */
  eventIds: string[];
}

/**
 * Inserts `count` cancelled invoices for the merchant (12.500 KWD, Google Pay; every table
 * constraint holds), then records one `invoice.cancelled` webhook event each through the
 * webhooks service's own emit, `batchSize` per transaction (event, delivery and pg-boss job
 * commit together, exactly as the cancel endpoint records one). Nothing is delivered: that is
 * up to the workers.
 */
export async function seedCancelledInvoiceEvents(opts: CancelledInvoiceEventsSeed): Promise<SeededEvents> {
  const { database, webhooks, count, tokenPrefix, referencePrefix, batchSize = 100, concurrency = 1 } = opts;
  if (!/^[0-9]{1,19}$/.test(tokenPrefix)) throw new Error(`tokenPrefix must be 1 to 19 digits, got ${JSON.stringify(tokenPrefix)}`);
  const [merchantRow] = (await database.executeSql('SELECT id, time_zone, webhook_url FROM merchants WHERE code = $1', [opts.merchantCode])).rows;
  if (!merchantRow) throw new Error(`no merchant ${opts.merchantCode}`);
  const merchant: { id: bigint; time_zone: string; webhook_url: string | null } = merchantRow;
  const invoices = (
    await database.executeSql(
      `INSERT INTO invoices (merchant_id, kind, token, access_key, reference_number, amount, customer_name, country_code, mobile_number,
                             delivery_type, delivery_channel, payment_methods, language, expires_on, created_on, status, cancelled_at)
       SELECT $1, 'single', $3::text || lpad(g::text, 20 - length($3::text), '0'), 'seed-' || md5(random()::text || g), $4::text || g, 12500, 'Customer ' || g,
              '965', '66666666', 0, 3, '{16}', 'en', '2099-12-31', current_date, 'cancelled', now()
       FROM generate_series(1, $2::int) g
       RETURNING id, token, amount, reference_number, webhook_url`,
      [merchant.id, count, tokenPrefix, referencePrefix],
    )
  ).rows;

  const batches: Array<typeof invoices> = [];
  for (let i = 0; i < invoices.length; i += batchSize) batches.push(invoices.slice(i, i + batchSize));
  const eventIds: string[][] = [];
  // `concurrency` transactions at a time, each taking the next batch as it finishes one.
  let next = 0;
  const emitter = async () => {
    for (let b = next++; b < batches.length; b = next++) {
      eventIds[b] = await database.db.transaction().execute(async (trx) => {
        const ids: string[] = [];
        for (const invoice of batches[b]!) ids.push(await webhooks.emit(trx, { type: 'invoice.cancelled', merchant, invoice }));
        return ids;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, emitter));
  return { merchantId: merchant.id, invoiceIds: invoices.map((r) => r.id as bigint), eventIds: eventIds.flat() };
}
