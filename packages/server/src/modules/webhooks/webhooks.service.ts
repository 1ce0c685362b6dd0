import { REMINDER_DAYS_MAX } from '@fawtara/contract';
import { formatMoney } from '@fawtara/wire';
import { randomBytes } from 'node:crypto';
import type { Database, Executor } from '../../db/database.ts';
import type { Invoice, Merchant, OpenInvoice, PaymentTransaction, WebhookEventType } from '../../db/schema.ts';
import { AppError } from '../../lib/app-error.ts';
import type { Clock } from '../../lib/clock.ts';
import { formatTimestamp } from '../../lib/merchant-time.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { requeueOverdue } from '../jobs/requeue-overdue.ts';
import { jitteredBackoffMs } from '../../lib/backoff.ts';
import { serviceType, toTransactionObject } from '../payments/transaction-view.ts';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, newWebhookSecret, SIGNATURE_HEADER, signatureHeader } from '@fawtara/wire';
import { createWebhooksRepo } from './webhooks.repo.ts';
import { createMerchantsRepo } from '../merchants/merchants.repo.ts';
import { FieldValidator } from '../../lib/field-validator.ts';

/**
 * Signed webhooks. An event is recorded, with the exact body every delivery of it
 * will carry, in the same transaction as the change it reports; one delivery per URL (the
 * invoice's `webhook`, the merchant's default) is queued with it. Each delivery is tried until
 * the receiver answers 2xx, with exponential backoff and jitter, for at least 24 hours; then it
 * is dead (visible, and redeliverable by the merchant).
 *
 * A receiver can see the same event more than once (a crash after its 2xx but before we record
 * it); every copy has the same `event_id` and body, so it can de-duplicate.
 */
export const API_VERSION = '2026-11-22';

/** Retry at least this long after the first attempt before giving up. */
export const RETRY_WINDOW_MS = 24 * 3_600_000;

/** Waits after the 1st, 2nd, … failure; the last repeats. Each is jittered by ±20%. */
const BACKOFF_MS = [10_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 21_600_000];

/** How long a receiver may take to answer. */
export const ATTEMPT_TIMEOUT_MS = 10_000;

/** A rotated-out secret keeps verifying for this long. */
export const SECRET_GRACE_MS = 24 * 3_600_000;

export const backoffMs = (failures: number) => jitteredBackoffMs(BACKOFF_MS, failures);

type Post = (
  url: string,
  body: string,
  opts: { headers: Record<string, string>; timeoutMs: number; allowPrivate: boolean },
) => Promise<{ status: number; body: string; durationMs: number }>;

/** What this service reports to the metrics, after each attempt's commit. */
export interface WebhookMetrics {
  webhookAttempt(result: 'success' | 'http_error' | 'network_error'): void;
  webhookDelivered(): void;
  webhookDeadLettered(): void;
}

export interface WebhooksServiceDeps {
  database: Database;
  clock: Clock;
  queue: JobQueue;
  post: Post;
  /** Sandbox mode lets webhooks reach private and loopback addresses (local development). */
  allowPrivateAddresses: boolean;
  /** Wait before the next attempt after `failures` failed ones (tests shorten it). */
  backoffMs?: (failures: number) => number;
  metrics?: WebhookMetrics;
}

/** What happened, as the caller knows it inside its transaction. */
export interface EventInput {
  type: WebhookEventType;
  /** Its default webhook URL and time zone are read in the transaction (never from a cache). */
  merchant: { id: bigint };
  invoice?: Pick<Invoice, 'id' | 'token' | 'amount' | 'reference_number' | 'webhook_url'>;
  openInvoice?: Pick<OpenInvoice, 'id' | 'reference_number'>;
  transaction?: PaymentTransaction;
}

const STATUS_OF: Record<WebhookEventType, string> = {
  'invoice.paid': 'SUCCESSFUL',
  'open_invoice.paid': 'SUCCESSFUL',
  'invoice.payment_failed': 'FAILED',
  'open_invoice.payment_failed': 'FAILED',
  'invoice.expired': 'EXPIRED',
  'invoice.cancelled': 'CANCELLED',
};

export function newEventId(): string {
  return `evt_${randomBytes(18).toString('base64url')}`;
}

export function createWebhooksService(deps: WebhooksServiceDeps) {
  const repo = createWebhooksRepo();
  const merchantsRepo = createMerchantsRepo();
  const { db } = deps.database;

  /**
   * The body, in Hesabe's webhook fields (token, amount, reference_number,
   * status, payment_type, service_type, datetime) plus ours. Built once, stored, and sent byte
   * for byte on every attempt.
   */
  function body(id: string, e: EventInput, tz: string, now: Date): string {
    // A payment's fields are the enquiry's (one mapping); events without one describe the invoice.
    const tx = e.transaction ? toTransactionObject(e.transaction, tz) : null;
    return JSON.stringify({
      token: tx?.token ?? e.invoice?.token ?? null,
      amount: tx?.amount ?? formatMoney(e.invoice?.amount ?? 0n),
      reference_number: tx?.reference_number ?? e.invoice?.reference_number ?? e.invoice?.token ?? e.openInvoice?.reference_number ?? null,
      status: STATUS_OF[e.type],
      payment_type: tx?.payment_type ?? null,
      service_type: serviceType({ invoice_id: e.invoice?.id ?? null }),
      datetime: tx?.datetime ?? formatTimestamp(now, tz),
      event_id: id,
      event_type: e.type,
      api_version: API_VERSION,
      invoice_id: e.invoice ? Number(e.invoice.id) : null,
      open_invoice_id: e.openInvoice ? Number(e.openInvoice.id) : null,
      transaction: tx,
    });
  }

  async function ensureSecret(merchantId: bigint, now: Date): Promise<string[]> {
    const secrets = await repo.activeSecrets(db, merchantId, now);
    if (secrets.length > 0) return secrets;
    await db.transaction().execute(async (trx) => {
      await repo.lockMerchantSecrets(trx, merchantId);
      if ((await repo.activeSecrets(trx, merchantId, now)).length === 0) await repo.addSecret(trx, merchantId, newWebhookSecret(), now, now);
    });
    return repo.activeSecrets(db, merchantId, now);
  }

  return {
    /**
     * Records an event and queues its deliveries, inside the caller's transaction `trx`. Call
     * `wake()` after the commit so this process's workers start at once.
     */
    async emit(trx: Executor, e: EventInput): Promise<string> {
      const now = deps.clock.now();
      const id = newEventId();
      const merchant = await merchantsRepo.webhookTarget(trx, e.merchant.id);
      await repo.insertEvent(trx, {
        id,
        merchantId: e.merchant.id,
        type: e.type,
        invoiceId: e.invoice?.id ?? null,
        openInvoiceId: e.openInvoice?.id ?? null,
        transactionId: e.transaction?.id ?? null,
        body: body(id, e, merchant.time_zone, now),
        now,
      });
      const urls = [...new Set([e.invoice?.webhook_url, merchant.webhook_url].filter((u): u is string => typeof u === 'string' && u !== ''))];
      for (const url of urls) {
        const deliveryId = await repo.insertDelivery(trx, id, url, now);
        await deps.queue.send('webhook.deliver', { deliveryId: String(deliveryId) }, { db: trx });
      }
      return id;
    },

    wake(): void {
      deps.queue.notify('webhook.deliver');
    },

    /** Queues again the deliveries whose job was lost (see requeue-overdue.ts). */
    requeueOverdue(overdueMs = 15 * 60_000, limit = 500): Promise<number> {
      return requeueOverdue(
        { database: deps.database, queue: deps.queue, now: deps.clock.now() },
        { table: 'webhook_deliveries', queue: 'webhook.deliver', dataKey: 'deliveryId' },
        overdueMs,
        limit,
      );
    },

    /**
     * One attempt of one delivery (the `webhook.deliver` job). Safe to run twice: a delivery
     * that is no longer pending, or whose attempt count moved on, is left alone.
     */
    async attempt(deliveryId: bigint): Promise<'delivered' | 'retry' | 'dead' | 'skipped'> {
      const work = await repo.work(db, deliveryId);
      if (!work || work.delivery.status !== 'pending') return 'skipped';
      const { delivery, event } = work;
      const startedAt = deps.clock.now();
      const secrets = await ensureSecret(event.merchant_id, startedAt);
      const timestamp = Math.floor(startedAt.getTime() / 1000);
      let statusCode: number | null = null;
      let error: string | null = null;
      let durationMs = 0;
      const t0 = performance.now();
      try {
        const res = await deps.post(delivery.url, event.body, {
          headers: {
            'content-type': 'application/json',
            'user-agent': `Fawtara-Webhooks/${API_VERSION}`,
            [SIGNATURE_HEADER]: signatureHeader(event.body, secrets, timestamp),
            [EVENT_ID_HEADER]: event.id,
            [EVENT_TYPE_HEADER]: event.type,
          },
          timeoutMs: ATTEMPT_TIMEOUT_MS,
          allowPrivate: deps.allowPrivateAddresses || work.allowPrivate,
        });
        statusCode = res.status;
        durationMs = res.durationMs;
        if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
      } catch (err) {
        durationMs = Math.round(performance.now() - t0);
        const code = (err as { code?: unknown }).code;
        error = `${typeof code === 'string' ? `${code}: ` : ''}${err instanceof Error ? err.message : String(err)}`.slice(0, 500);
      }
      const now = deps.clock.now();
      const failures = delivery.attempts + 1;
      const delivered = error === null;
      const dead = !delivered && now.getTime() - delivery.retry_from.getTime() >= RETRY_WINDOW_MS;
      const next = delivered || dead ? null : new Date(now.getTime() + (deps.backoffMs ?? backoffMs)(failures));
      const advanced = await db.transaction().execute(async (trx) => {
        await repo.recordAttempt(trx, { deliveryId, attempt: failures, startedAt, durationMs, statusCode, error });
        const moved = await repo.afterAttempt(trx, {
          id: deliveryId,
          attemptsBefore: delivery.attempts,
          status: delivered ? 'delivered' : dead ? 'dead' : 'pending',
          statusCode,
          error,
          nextAttemptAt: next,
          now,
        });
        if (moved && next) await deps.queue.send('webhook.deliver', { deliveryId: String(deliveryId) }, { db: trx, startAfter: next });
        return moved;
      });
      // The attempt is recorded whichever process moves the delivery on; its new state is
      // counted only by the process whose update moved it (a duplicate run of the job does not).
      deps.metrics?.webhookAttempt(delivered ? 'success' : statusCode === null ? 'network_error' : 'http_error');
      if (advanced && delivered) deps.metrics?.webhookDelivered();
      if (advanced && dead) deps.metrics?.webhookDeadLettered();
      return delivered ? 'delivered' : dead ? 'dead' : 'retry';
    },

    /** Events newest first, each with its deliveries and their attempts. */
    async listEvents(merchantId: bigint, page: number, perPage: number, timeZone: string) {
      const { total, events } = await repo.eventsPage(db, merchantId, perPage, (page - 1) * perPage);
      const deliveries = await repo.deliveriesOf(
        db,
        events.map((e) => e.id),
      );
      return {
        total,
        data: events.map((e) => ({
          id: e.id,
          type: e.type,
          created_at: formatTimestamp(e.created_at, timeZone),
          invoice_id: e.invoice_id === null ? null : Number(e.invoice_id),
          open_invoice_id: e.open_invoice_id === null ? null : Number(e.open_invoice_id),
          payload: JSON.parse(e.body) as unknown,
          deliveries: deliveries
            .filter((d) => d.event_id === e.id)
            .map((d) => ({
              url: d.url,
              status: d.status,
              attempts: d.attempts,
              last_status_code: d.last_status_code,
              last_error: d.last_error,
              next_attempt_at: d.next_attempt_at ? formatTimestamp(d.next_attempt_at, timeZone) : null,
              delivered_at: d.delivered_at ? formatTimestamp(d.delivered_at, timeZone) : null,
              log: d.attempts_log.map((a) => ({ ...a, started_at: formatTimestamp(new Date(a.started_at), timeZone) })),
            })),
        })),
      };
    },

    /** Sends an event again to each of its URLs (delivered or dead alike), with the same id and body. */
    async redeliver(merchantId: bigint, eventId: string): Promise<number> {
      const event = await repo.findEvent(db, merchantId, eventId);
      if (!event) throw new AppError('NOT_FOUND');
      const now = deps.clock.now();
      const ids = await db.transaction().execute(async (trx) => {
        const reopened = await repo.reopen(trx, eventId, now);
        for (const id of reopened) await deps.queue.send('webhook.deliver', { deliveryId: String(id) }, { db: trx });
        return reopened;
      });
      deps.queue.notify('webhook.deliver');
      return ids.length;
    },

    /**
     * `PUT /api/v1/webhook-settings`: the merchant's default webhook URL and reminder days.
     * Fields left out stay; `null` or "" clears one. Every bad field is reported at once.
     */
    async updateSettings(merchant: Merchant, payload: Record<string, unknown>): Promise<{ webhook_url: string | null; reminder_days: number | null }> {
      const v = new FieldValidator();
      const cleared = (value: unknown) => value === null || value === '';
      const webhookUrl = cleared(payload.webhookUrl)
        ? null
        : v.publicHttpUrl(payload, 'webhookUrl', { allowPrivate: deps.allowPrivateAddresses || merchant.allow_private_webhooks });
      const reminderDays = cleared(payload.reminderDays) ? null : v.positiveInt(payload, 'reminderDays', { max: REMINDER_DAYS_MAX });
      v.throwIfInvalid();
      const updated = await merchantsRepo.updateNotificationSettings(db, merchant.id, { webhookUrl, reminderDays }, deps.clock.now());
      return { webhook_url: updated.webhook_url, reminder_days: updated.reminder_days };
    },

    /** The secrets signatures are made with now (newest first): one, or two during a rotation. */
    async secrets(merchantId: bigint): Promise<string[]> {
      return ensureSecret(merchantId, deps.clock.now());
    },

    /** A new secret; the previous one keeps verifying for SECRET_GRACE_MS. */
    async rotateSecret(merchantId: bigint): Promise<{ secret: string; previousValidUntil: Date }> {
      const now = deps.clock.now();
      const secret = newWebhookSecret();
      const until = new Date(now.getTime() + SECRET_GRACE_MS);
      await db.transaction().execute(async (trx) => {
        await repo.lockMerchantSecrets(trx, merchantId);
        await repo.addSecret(trx, merchantId, secret, now, until);
      });
      return { secret, previousValidUntil: until };
    },
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
