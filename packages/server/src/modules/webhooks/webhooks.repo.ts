import { sql, type Transaction } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { DB, WebhookDelivery, WebhookEvent, WebhookEventType } from '../../db/schema.ts';

export interface DeliveryWork {
  delivery: WebhookDelivery;
  event: WebhookEvent;
  allowPrivate: boolean;
}

export function createWebhooksRepo() {
  return {
    async insertEvent(
      db: Executor,
      e: {
        id: string;
        merchantId: bigint;
        type: WebhookEventType;
        invoiceId: bigint | null;
        openInvoiceId: bigint | null;
        transactionId: bigint | null;
        body: string;
        now: Date;
      },
    ): Promise<void> {
      await db
        .insertInto('webhook_events')
        .values({
          id: e.id,
          merchant_id: e.merchantId,
          type: e.type,
          invoice_id: e.invoiceId,
          open_invoice_id: e.openInvoiceId,
          transaction_id: e.transactionId,
          body: e.body,
          created_at: e.now,
        })
        .execute();
    },

    async insertDelivery(db: Executor, eventId: string, url: string, now: Date): Promise<bigint> {
      const row = await db
        .insertInto('webhook_deliveries')
        .values({
          event_id: eventId,
          url,
          last_status_code: null,
          last_error: null,
          next_attempt_at: now,
          retry_from: now,
          delivered_at: null,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },

    /** What one attempt needs, in one query. */
    async work(db: Executor, deliveryId: bigint): Promise<DeliveryWork | undefined> {
      const row = await db
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_events as e', 'e.id', 'd.event_id')
        .innerJoin('merchants as m', 'm.id', 'e.merchant_id')
        .selectAll('d')
        .select([
          'e.merchant_id',
          'e.type',
          'e.invoice_id',
          'e.open_invoice_id',
          'e.transaction_id',
          'e.body',
          'e.created_at as event_created_at',
          'm.allow_private_webhooks',
        ])
        .where('d.id', '=', deliveryId)
        .executeTakeFirst();
      if (!row) return undefined;
      const { merchant_id, type, invoice_id, open_invoice_id, transaction_id, body, event_created_at, allow_private_webhooks, ...delivery } = row;
      return {
        delivery,
        event: { id: delivery.event_id, merchant_id, type, invoice_id, open_invoice_id, transaction_id, body, created_at: event_created_at },
        allowPrivate: allow_private_webhooks,
      };
    },

    async recordAttempt(
      db: Executor,
      a: { deliveryId: bigint; attempt: number; startedAt: Date; durationMs: number; statusCode: number | null; error: string | null },
    ): Promise<void> {
      await db
        .insertInto('webhook_attempts')
        .values({
          delivery_id: a.deliveryId,
          attempt: a.attempt,
          started_at: a.startedAt,
          duration_ms: a.durationMs,
          status_code: a.statusCode,
          error: a.error,
        })
        .execute();
    },

    /**
     * Moves a pending delivery on after an attempt. The `attempts` guard makes a stale job (one
     * pg-boss re-ran after a crash, racing the live one) a no-op instead of a double count.
     */
    async afterAttempt(
      db: Executor,
      d: {
        id: bigint;
        attemptsBefore: number;
        status: 'pending' | 'delivered' | 'dead';
        statusCode: number | null;
        error: string | null;
        nextAttemptAt: Date | null;
        now: Date;
      },
    ): Promise<boolean> {
      const r = await db
        .updateTable('webhook_deliveries')
        .set({
          status: d.status,
          attempts: d.attemptsBefore + 1,
          last_status_code: d.statusCode,
          last_error: d.error,
          next_attempt_at: d.nextAttemptAt,
          delivered_at: d.status === 'delivered' ? d.now : null,
          updated_at: d.now,
        })
        .where('id', '=', d.id)
        .where('status', '=', 'pending')
        .where('attempts', '=', d.attemptsBefore)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    /** Every delivery of an event back to pending (a merchant's redelivery). */
    async reopen(db: Executor, eventId: string, now: Date): Promise<bigint[]> {
      const rows = await db
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', delivered_at: null, next_attempt_at: now, retry_from: now, updated_at: now })
        .where('event_id', '=', eventId)
        .returning('id')
        .execute();
      return rows.map((r) => r.id);
    },

    async findEvent(db: Executor, merchantId: bigint, eventId: string): Promise<WebhookEvent | undefined> {
      return db.selectFrom('webhook_events').selectAll().where('id', '=', eventId).where('merchant_id', '=', merchantId).executeTakeFirst();
    },

    async eventsPage(db: Executor, merchantId: bigint, limit: number, offset: number): Promise<{ total: number; events: WebhookEvent[] }> {
      const [count, events] = await Promise.all([
        db
          .selectFrom('webhook_events')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('merchant_id', '=', merchantId)
          .executeTakeFirstOrThrow(),
        db
          .selectFrom('webhook_events')
          .selectAll()
          .where('merchant_id', '=', merchantId)
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(limit)
          .offset(offset)
          .execute(),
      ]);
      return { total: Number(count.n), events };
    },

    async deliveriesOf(
      db: Executor,
      eventIds: string[],
    ): Promise<
      Array<
        WebhookDelivery & {
          attempts_log: Array<{ attempt: number; started_at: string; duration_ms: number; status_code: number | null; error: string | null }>;
        }
      >
    > {
      if (eventIds.length === 0) return [];
      const { rows } = await sql<
        WebhookDelivery & {
          attempts_log: Array<{ attempt: number; started_at: string; duration_ms: number; status_code: number | null; error: string | null }>;
        }
      >`
        SELECT d.*, coalesce((
          SELECT json_agg(json_build_object('attempt', a.attempt, 'started_at', a.started_at, 'duration_ms', a.duration_ms, 'status_code', a.status_code, 'error', a.error) ORDER BY a.attempt)
          FROM webhook_attempts a WHERE a.delivery_id = d.id
        ), '[]'::json) AS attempts_log
        FROM webhook_deliveries d WHERE d.event_id IN (${sql.join(eventIds)}) ORDER BY d.id`.execute(db);
      return rows.map((r) => ({ ...r, attempts_log: typeof r.attempts_log === 'string' ? JSON.parse(r.attempts_log) : r.attempts_log }));
    },

    /** The secrets a signature is made with now: the newest, and any older one still in its grace period. */
    async activeSecrets(db: Executor, merchantId: bigint, now: Date): Promise<string[]> {
      const rows = await db
        .selectFrom('webhook_secrets')
        .select('secret')
        .where('merchant_id', '=', merchantId)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .orderBy('id', 'desc')
        .execute();
      return rows.map((r) => r.secret);
    },

    /** Adds a secret; every older one still valid now expires at `oldUntil`. */
    async addSecret(db: Executor, merchantId: bigint, secret: string, now: Date, oldUntil: Date): Promise<void> {
      await db
        .updateTable('webhook_secrets')
        .set({ expires_at: oldUntil })
        .where('merchant_id', '=', merchantId)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', oldUntil)]))
        .execute();
      await db.insertInto('webhook_secrets').values({ merchant_id: merchantId, secret, created_at: now, expires_at: null }).execute();
    },

    /**
     * Takes a per-merchant transaction lock, so two first uses cannot both create a secret.
     * A Transaction, not any Executor: outside one, pg_advisory_xact_lock is released as soon
     * as its own statement ends and would guard nothing.
     */
    async lockMerchantSecrets(db: Transaction<DB>, merchantId: bigint): Promise<void> {
      await sql`SELECT pg_advisory_xact_lock(hashtext('webhook_secrets'), ${Number(merchantId)}::int)`.execute(db);
    },
  };
}

export type WebhooksRepo = ReturnType<typeof createWebhooksRepo>;
