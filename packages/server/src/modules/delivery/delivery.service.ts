import { formatMoney } from '@fawtara/wire';
import type { Database, Executor } from '../../db/database.ts';
import type { Invoice } from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import * as invoiceState from '../invoices/invoice-state.ts';
import { invoicePageUrl, smsTexts } from '../invoices/invoice-view.ts';
import { createInvoicesRepo } from '../invoices/invoices.repo.ts';
import type { Job, JobQueue } from '../jobs/job-queue.ts';
import { requeueOverdue } from '../jobs/requeue-overdue.ts';
import { jitteredBackoffMs } from '../../lib/backoff.ts';
import { composeInvoiceMessage } from './invoice-message.ts';
import { createDeliveryRepo } from './delivery.repo.ts';
import type { MessageChannel, MessageSender } from './message-sender.ts';

/**
 * Invoices reaching customers: SMS, WhatsApp or e-mail, as the invoice's
 * `invoiceSubType` says (3, "URL only", sends nothing). Each message asked for is a row in
 * `delivery_requests`, written with its job in the transaction that creates the invoice (or
 * resends, or reminds). The job sends it; after a provider's transient failure the next try is
 * queued with backoff (up to MAX_ATTEMPTS tries); a permanent failure, or the last try, marks
 * it failed. (pg-boss's own retries are only for a worker that died mid-job.) The outcome is
 * mirrored on the invoice as Hesabe shows it: `sms_status` 1 sent, 2 failed (0 until then) and
 * the provider's reply in `sms_response`.
 */
/** invoiceSubType → channel; 3 (URL) has none. */
export const CHANNEL_OF: Record<number, MessageChannel | undefined> = { 0: 'sms', 1: 'whatsapp', 2: 'email' };
/** channel → the code stored in `delivery_requests.channel` (the invoiceSubType codes). */
const CHANNEL_CODE: Record<MessageChannel, number> = { sms: 0, whatsapp: 1, email: 2 };

export { SMS_STATUS } from '../invoices/invoice-state.ts';

/** Tries per message before it is marked failed (about 10 hours with the default backoff). */
export const MAX_ATTEMPTS = 8;
const BACKOFF_MS = [15_000, 60_000, 300_000, 900_000, 3_600_000, 10_800_000, 21_600_000];

/** Wait after the n-th failed try (1-based), jittered ±20%. */
export const deliveryBackoffMs = (failures: number) => jitteredBackoffMs(BACKOFF_MS, failures);

export interface DeliveryServiceDeps {
  database: Database;
  clock: Clock;
  queue: JobQueue;
  senders: Record<MessageChannel, MessageSender>;
  publicBaseUrl: string;
  /** Wait before the next try after `failures` failed ones (tests shorten it). */
  backoffMs?: (failures: number) => number;
}

/** Where a channel delivers for this invoice: the mobile with its country code, or the e-mail. */
export function destinationOf(inv: Pick<Invoice, 'country_code' | 'mobile_number' | 'customer_email'>, channel: MessageChannel): string | null {
  if (channel === 'email') return inv.customer_email;
  return inv.country_code + inv.mobile_number;
}

export function createDeliveryService(deps: DeliveryServiceDeps) {
  const { db } = deps.database;
  const repo = createDeliveryRepo();
  const invoicesRepo = createInvoicesRepo({ database: deps.database });

  return {
    /**
     * Asks for a message inside the caller's transaction: the request row and its job commit
     * together. Returns the request id, or undefined when the invoice has nowhere to send to.
     */
    async request(
      trx: Executor,
      r: {
        invoice: Pick<Invoice, 'id' | 'merchant_id' | 'delivery_channel' | 'country_code' | 'mobile_number' | 'customer_email'>;
        reason: 'created' | 'resend' | 'reminder';
        channel?: MessageChannel;
        destination?: string;
      },
    ): Promise<bigint | undefined> {
      const channel = r.channel ?? CHANNEL_OF[r.invoice.delivery_channel];
      if (!channel) return undefined;
      const destination = r.destination ?? destinationOf(r.invoice, channel);
      if (!destination) return undefined;
      const now = deps.clock.now();
      const id = await repo.insertRequest(trx, {
        merchant_id: r.invoice.merchant_id,
        invoice_id: r.invoice.id,
        reason: r.reason,
        channel: CHANNEL_CODE[channel],
        destination,
        last_error: null,
        next_attempt_at: now,
        created_at: now,
        updated_at: now,
      });
      await deps.queue.send('delivery.send', { requestId: String(id) }, { db: trx });
      return id;
    },

    wake(): void {
      deps.queue.notify('delivery.send');
    },

    /** Queues again the messages whose job was lost (see requeue-overdue.ts). */
    requeueOverdue(overdueMs = 15 * 60_000, limit = 500): Promise<number> {
      return requeueOverdue(
        { database: deps.database, queue: deps.queue, now: deps.clock.now() },
        { table: 'delivery_requests', queue: 'delivery.send', dataKey: 'requestId' },
        overdueMs,
        limit,
      );
    },

    /** The `delivery.send` job: one try of one requested message. Safe to run twice. */
    async send(job: Job<{ requestId: string }>): Promise<'sent' | 'failed' | 'skipped' | 'retry'> {
      const id = BigInt(job.data.requestId);
      const req = await repo.findRequest(db, id);
      if (!req || req.status !== 'pending') return 'skipped';
      // The invoice with its merchant's name in one query, then its items.
      const { merchant_name, ...inv } = await invoicesRepo.getWithMerchantName(db, req.invoice_id);
      const items = (await invoicesRepo.itemsFor(db, [inv.id])).get(inv.id) ?? [];
      const channel = CHANNEL_OF[req.channel]!;
      const message = composeInvoiceMessage({
        channel,
        lang: inv.language,
        to: req.destination,
        reason: req.reason,
        merchantName: merchant_name,
        customerName: inv.customer_name,
        amount: formatMoney(inv.amount),
        currency: 'KWD',
        reference: inv.reference_number,
        token: inv.token,
        description: inv.description,
        expiresOn: inv.expires_on,
        link: invoicePageUrl(deps.publicBaseUrl, inv.access_key),
        items: items.map((it) => ({ title: it.title, quantity: it.quantity, rate: formatMoney(it.rate), amount: formatMoney(it.amount) })),
        smsText: smsTexts(inv),
      });
      const result = await deps.senders[channel].send(message);
      const now = deps.clock.now();
      // A failure's provider reply is often the error itself; say it once.
      const detail = !result.ok && result.providerResponse && result.providerResponse !== result.error ? `: ${result.providerResponse}` : '';
      const response = (result.ok ? result.providerResponse : `${result.error}${detail}`).slice(0, 500);
      const tries = req.attempts + 1;
      const outcome = result.ok ? 'sent' : result.permanent || tries >= MAX_ATTEMPTS ? 'failed' : 'retry';
      const next = outcome === 'retry' ? new Date(now.getTime() + (deps.backoffMs ?? deliveryBackoffMs)(tries)) : null;
      await db.transaction().execute(async (trx) => {
        const moved = await repo.recordAttempt(trx, id, req.attempts, {
          status: outcome === 'retry' ? 'pending' : outcome,
          attempts: tries,
          lastError: result.ok ? null : response,
          providerResponse: result.ok ? response : result.providerResponse || null,
          sentAt: outcome === 'sent' ? now : null,
          nextAttemptAt: next,
          now,
        });
        if (!moved) return;
        if (next) await deps.queue.send('delivery.send', { requestId: String(id) }, { db: trx, startAfter: next });
        else await invoiceState.recordDelivery(trx, inv.id, outcome === 'sent' ? 'sent' : 'failed', response);
      });
      return outcome;
    },
  };
}

export type DeliveryService = ReturnType<typeof createDeliveryService>;
