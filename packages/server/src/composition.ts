import { randomBytes } from 'node:crypto';
import { OUTBOX_ONLY, type Config } from './config.ts';
import type { Database } from './db/database.ts';
import { getOrCreateSetting } from './db/server-settings.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import { createLogger, type Logger } from './lib/logger.ts';
import { postJson } from './lib/outbound-http.ts';
import { createAuthService, type AuthService, type LoginLimits } from './modules/auth/auth.service.ts';
import { createDeliveryService, type DeliveryService } from './modules/delivery/delivery.service.ts';
import type { MessageChannel, MessageSender } from './modules/delivery/message-sender.ts';
import { createSenders } from './modules/delivery/senders.ts';
import { createIdempotencyService, type IdempotencyService } from './modules/idempotency/idempotency.service.ts';
import { createInvoiceExpiryService, type InvoiceExpiryService } from './modules/invoices/invoice-expiry.service.ts';
import { createInvoiceManagementService, type InvoiceManagementService } from './modules/invoices/invoice-management.service.ts';
import { createInvoicesService, type InvoicesService } from './modules/invoices/invoices.service.ts';
import { createJobQueue, QUEUES, SCHEMA, type JobQueue } from './modules/jobs/job-queue.ts';
import { createMerchantsService, type MerchantsService } from './modules/merchants/merchants.service.ts';
import { createOpenInvoicesService, type OpenInvoicesService } from './modules/open-invoices/open-invoices.service.ts';
import type { PaymentConnector } from './modules/payments/payment-connector.ts';
import { createPaymentsService, type PaymentsService } from './modules/payments/payments.service.ts';
import { createSandboxConnector } from './modules/payments/sandbox-connector.ts';
import { createProfileService, type ProfileService } from './modules/profile/profile.service.ts';
import { createWebhooksService, type WebhooksService } from './modules/webhooks/webhooks.service.ts';
import { createMetrics, type GatewayMetrics } from './observability/metrics.ts';
import { startTracing, type HttpTracer } from './observability/tracing.ts';

/** What the services need of the configuration (tests give just these). */
export type ServicesConfig = Pick<Config, 'publicBaseUrl' | 'logLevel' | 'mode'> & Partial<Pick<Config, 'messaging' | 'tracing'>>;

export interface ServicesDeps {
  database: Database;
  config: ServicesConfig;
  clock?: Clock;
  loginLimits?: LoginLimits;
  /** The acquirer; the built-in sandbox by default. */
  connector?: PaymentConnector;
  /** The job queue (tests may share one); by default one over `database`. */
  queue?: JobQueue;
  /** Replaces the configured sender of a channel (tests). */
  senders?: Partial<Record<MessageChannel, MessageSender>>;
  /** Wait before retrying a webhook or a message after n failures (tests shorten the real backoff). */
  retryBackoffMs?: (failures: number) => number;
  /** Where log lines go (stdout by default); tests read them to prove what is never logged. */
  logStream?: { write(line: string): void };
}

/**
 * Every service of the gateway, built once per process from its dependencies. The HTTP app and
 * the job worker are both built from this; neither builds a service of its own, and nothing
 * reaches a service through the HTTP framework.
 */
export interface Services {
  database: Database;
  clock: Clock;
  log: Logger;
  /** Sandbox mode is for one machine: webhooks and providers may be on loopback there. */
  allowPrivateAddresses: boolean;
  auth: AuthService;
  merchants: MerchantsService;
  idempotency: IdempotencyService;
  invoices: InvoicesService;
  management: InvoiceManagementService;
  openInvoices: OpenInvoicesService;
  profile: ProfileService;
  payments: PaymentsService;
  webhooks: WebhooksService;
  delivery: DeliveryService;
  expiry: InvoiceExpiryService;
  queue: JobQueue;
  /** The key of the hosted pages' CSRF tokens, shared by every process of one database. */
  csrfKey: Buffer;
  /** This process's Prometheus metrics (the HTTP app serves them at /metrics). */
  metrics: GatewayMetrics;
  /** Request tracing, when an OTLP endpoint is configured. */
  tracer: HttpTracer | undefined;
  /**
   * Stops the queue's workers, closes the senders and flushes the spans still buffered; the
   * database stays open (its owner closes it).
   */
  close(): Promise<void>;
}

export async function createServices(deps: ServicesDeps): Promise<Services> {
  const { database, config } = deps;
  const clock = deps.clock ?? systemClock;
  const log = createLogger({ level: config.logLevel, ...(deps.logStream ? { stream: deps.logStream } : {}) });
  const allowPrivateAddresses = config.mode === 'sandbox';
  const backoff = deps.retryBackoffMs ? { backoffMs: deps.retryBackoffMs } : {};

  const queue = deps.queue ?? (await createJobQueue({ database, onError: (err) => log.error({ err }, 'job queue error') }));
  const metrics = createMetrics({
    database,
    jobs: { schema: SCHEMA, queues: Object.values(QUEUES).map((q) => q.name) },
    onCollectError: (err, collector) => log.warn({ err, collector }, 'metrics collector failed; its values are left out of this scrape'),
  });
  const tracer = config.tracing
    ? await startTracing({ ...config.tracing, onError: (message) => log.warn({ tracing: message }, 'tracing export problem') })
    : undefined;
  const configured = createSenders(config.messaging ?? OUTBOX_ONLY, { database, allowPrivateAddresses });
  const senders = { ...configured, ...deps.senders };

  const auth = await createAuthService({ database, clock, ...(deps.loginLimits ? { loginLimits: deps.loginLimits } : {}) });
  const merchants = createMerchantsService({ database, clock });
  const idempotency = createIdempotencyService({ database });
  const webhooks = createWebhooksService({ database, clock, queue, post: postJson, allowPrivateAddresses, metrics, ...backoff });
  const delivery = createDeliveryService({ database, clock, queue, senders, publicBaseUrl: config.publicBaseUrl, ...backoff });
  const expiry = createInvoiceExpiryService({ database, clock, webhooks, delivery });
  const invoices = createInvoicesService({ clock, publicBaseUrl: config.publicBaseUrl, database, delivery, allowPrivateAddresses, metrics });
  const openInvoices = createOpenInvoicesService({ clock, publicBaseUrl: config.publicBaseUrl, database, metrics });
  const management = createInvoiceManagementService({ clock, publicBaseUrl: config.publicBaseUrl, database, delivery, webhooks });
  const profile = createProfileService({ database });
  const payments = createPaymentsService({ database, clock, connector: deps.connector ?? createSandboxConnector(), webhooks, log, metrics });
  const csrfKey = Buffer.from(await getOrCreateSetting(database.db, 'csrf_hmac_key', () => randomBytes(32).toString('base64')), 'base64');

  let closing: Promise<void> | undefined;
  return {
    database,
    clock,
    log,
    allowPrivateAddresses,
    auth,
    merchants,
    idempotency,
    invoices,
    management,
    openInvoices,
    profile,
    payments,
    webhooks,
    delivery,
    expiry,
    queue,
    csrfKey,
    metrics,
    tracer,
    close: () =>
      (closing ??= (async () => {
        await queue.stop();
        configured.close();
        // After the app closed (its owner closes it first), so the last requests' spans are in.
        await tracer?.shutdown();
      })()),
  };
}
