import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/database.ts';

/**
 * The gateway's Prometheus metrics, on a registry of their own per composition root: tests build
 * many gateways in one process, and prom-client's global registry would refuse the second set.
 *
 * No label carries merchant data or anything unbounded: routes are patterns (`/s/:key`, never
 * the key), outcomes and queues are closed sets. That is what lets `/metrics` be scraped without
 * a merchant's credentials.
 */

/** The route label of a request no route matched (a scanner's probes would otherwise each be a series). */
export const UNMATCHED_ROUTE = 'unmatched';

export type InvoiceKind = 'invoice' | 'installment' | 'open_invoice';
export type PaymentKind = 'invoice' | 'open_invoice';
/** An attempt's own result: the receiver answered 2xx, answered something else, or could not be reached. */
export type WebhookAttemptResult = 'success' | 'http_error' | 'network_error';

/** The job states reported: pg-boss's unfinished ones, with `created`/`retry` split by whether they may run yet. */
const JOB_STATES = ['queued', 'deferred', 'active', 'failed'] as const;

/** A scrape waits this long for the queue query; the rest of the metrics are not held up by a busy database. */
const QUEUE_QUERY_TIMEOUT_MS = 2_000;

export interface MetricsDeps {
  database: Database;
  /** pg-boss's schema and queue names (every queue is reported, empty ones as 0). */
  jobs: { schema: string; queues: readonly string[] };
  /** A collector failed during a scrape; the scrape still answers, without that collector's values. */
  onCollectError(err: unknown, collector: string): void;
}

export interface GatewayMetrics {
  readonly registry: Registry;
  /** One finished HTTP request; `route` is the matched pattern or UNMATCHED_ROUTE. */
  httpRequest(method: string, route: string, statusCode: number, seconds: number): void;
  /** After the creating transaction committed. */
  invoicesCreated(kind: InvoiceKind, count: number): void;
  /** After the settling transaction committed; `outcome` is `captured` or the failure reason. */
  paymentSettled(kind: PaymentKind, outcome: string): void;
  /** After the attempt was recorded. */
  webhookAttempt(result: WebhookAttemptResult): void;
  /** A delivery this process moved to delivered / dead (after the commit). */
  webhookDelivered(): void;
  webhookDeadLettered(): void;
}

export function createMetrics(deps: MetricsDeps): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const httpRequests = new Counter({
    name: 'fawtara_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'fawtara_http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to sending the last byte of its reply, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const invoices = new Counter({
    name: 'fawtara_invoices_created_total',
    help: 'Invoices created (committed), by kind: invoice, installment (one per installment of a plan), open_invoice.',
    labelNames: ['kind'] as const,
    registers,
  });
  const payments = new Counter({
    name: 'fawtara_payments_total',
    help: 'Payment attempts settled (committed), by kind (invoice, open_invoice) and outcome (captured, or the failure reason).',
    labelNames: ['kind', 'outcome'] as const,
    registers,
  });
  const webhookAttempts = new Counter({
    name: 'fawtara_webhook_attempts_total',
    help: 'Webhook delivery attempts recorded, by result: success (2xx), http_error (another status), network_error (no answer).',
    labelNames: ['result'] as const,
    registers,
  });
  const webhookDeliveries = new Counter({
    name: 'fawtara_webhook_deliveries_total',
    help: 'Webhook deliveries acknowledged by their receiver.',
    registers,
  });
  const webhookDeadLetters = new Counter({
    name: 'fawtara_webhook_dead_letters_total',
    help: 'Webhook deliveries given up after the retry window (dead; the merchant can redeliver them).',
    registers,
  });
  // The known series exist from the start at 0, so that a rate over the first increment is not lost.
  for (const kind of ['invoice', 'installment', 'open_invoice'] as const) invoices.inc({ kind }, 0);
  for (const kind of ['invoice', 'open_invoice'] as const) payments.inc({ kind, outcome: 'captured' }, 0);
  for (const result of ['success', 'http_error', 'network_error'] as const) webhookAttempts.inc({ result }, 0);

  const { database, jobs } = deps;
  // This scrape's queue read. The error counter is registered after the gauge and waits for it,
  // so that a failure is counted in the scrape it happened in.
  let queueRead: Promise<void> = Promise.resolve();
  new Gauge({
    name: 'fawtara_job_queue_jobs',
    help: 'Jobs in the queue at scrape time, by queue and state: queued (may run now), deferred (scheduled later, e.g. a webhook retry), active, failed (kept until deleted).',
    labelNames: ['queue', 'state'] as const,
    registers,
    collect() {
      queueRead = (async () => {
        let rows: Array<{ queue: string; state: string; n: number }>;
        try {
          rows = await withTimeout(queueDepth(database, jobs.schema), QUEUE_QUERY_TIMEOUT_MS);
        } catch (err) {
          // Left out rather than stale: an absent series is visible, a frozen value is not.
          this.reset();
          collectErrors.inc({ collector: 'job_queue' });
          deps.onCollectError(err, 'job_queue');
          return;
        }
        this.reset();
        for (const queue of jobs.queues) for (const state of JOB_STATES) this.set({ queue, state }, 0);
        for (const row of rows) this.set({ queue: row.queue, state: row.state }, row.n);
      })();
      return queueRead;
    },
  });
  const collectErrors = new Counter({
    name: 'fawtara_metrics_collect_errors_total',
    help: 'Scrapes in which a collector failed and its metrics were left out, by collector.',
    labelNames: ['collector'] as const,
    registers,
    collect: () => queueRead,
  });
  collectErrors.inc({ collector: 'job_queue' }, 0);

  const engine = database.engine;
  new Gauge({
    name: 'fawtara_db_pool_connections',
    help: 'Database connections of this process, by state (idle, in_use). PGlite is one session: one connection.',
    labelNames: ['engine', 'state'] as const,
    registers,
    collect() {
      const stats = database.poolStats();
      this.set({ engine, state: 'idle' }, stats.idle);
      this.set({ engine, state: 'in_use' }, stats.total - stats.idle);
    },
  });
  new Gauge({
    name: 'fawtara_db_pool_waiting',
    help: 'Callers of this process waiting for a database connection.',
    labelNames: ['engine'] as const,
    registers,
    collect() {
      this.set({ engine }, database.poolStats().waiting);
    },
  });
  new Gauge({
    name: 'fawtara_db_pool_max_connections',
    help: 'The most connections the pool of this process opens (DATABASE_POOL_SIZE; 1 on PGlite).',
    labelNames: ['engine'] as const,
    registers,
    collect() {
      this.set({ engine }, database.poolStats().max);
    },
  });

  return {
    registry,
    httpRequest(method, route, statusCode, seconds) {
      const labels = { method, route, status_code: String(statusCode) };
      httpRequests.inc(labels);
      httpDuration.observe(labels, seconds);
    },
    invoicesCreated: (kind, count) => invoices.inc({ kind }, count),
    paymentSettled: (kind, outcome) => payments.inc({ kind, outcome }),
    webhookAttempt: (result) => webhookAttempts.inc({ result }),
    webhookDelivered: () => webhookDeliveries.inc(),
    webhookDeadLettered: () => webhookDeadLetters.inc(),
  };
}

/**
 * Unfinished jobs only: completed ones are the bulk of the table (kept for a day) and are
 * excluded by the partial index pg-boss keeps on (name, state) for exactly these states.
 */
async function queueDepth(database: Database, schema: string): Promise<Array<{ queue: string; state: string; n: number }>> {
  const { rows } = await database.executeSql(
    `SELECT name AS queue,
            CASE WHEN state IN ('created', 'retry') THEN CASE WHEN start_after > now() THEN 'deferred' ELSE 'queued' END ELSE state::text END AS state,
            count(*)::int AS n
       FROM ${schema}.job
      WHERE state IN ('created', 'retry', 'active', 'failed')
      GROUP BY 1, 2`,
  );
  return rows as Array<{ queue: string; state: string; n: number }>;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
