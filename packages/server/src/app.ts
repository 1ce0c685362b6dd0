import { randomBytes, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import { OUTBOX_ONLY, type Config } from './config.ts';
import type { Database } from './db/database.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import { createApiDocs } from './api/api-docs.ts';
import { installErrorHandling } from './api/error-handler.ts';
import { createMerchantApi } from './api/merchant-api.ts';
import { registerAuthRoutes } from './modules/auth/auth.routes.ts';
import { createAuthService, type LoginLimits } from './modules/auth/auth.service.ts';
import { createIdempotencyService } from './modules/idempotency/idempotency.service.ts';
import { registerInvoiceRoutes } from './modules/invoices/invoices.routes.ts';
import { createInvoicesService } from './modules/invoices/invoices.service.ts';
import { createInvoiceManagementService } from './modules/invoices/invoice-management.service.ts';
import { createProfileService } from './modules/profile/profile.service.ts';
import { registerProfileRoutes } from './modules/profile/profile.routes.ts';
import { createMerchantsService } from './modules/merchants/merchants.service.ts';
import { registerOpenInvoiceRoutes } from './modules/open-invoices/open-invoices.routes.ts';
import { createOpenInvoicesService } from './modules/open-invoices/open-invoices.service.ts';
import type { PaymentConnector } from './modules/payments/payment-connector.ts';
import { createPaymentsService, type PaymentsService } from './modules/payments/payments.service.ts';
import { createSandboxConnector } from './modules/payments/sandbox-connector.ts';
import { registerTransactionRoutes } from './modules/payments/transactions.routes.ts';
import { getOrCreateSetting } from './db/server-settings.ts';
import { createCsrf } from './pages/csrf.ts';
import { registerPageRoutes } from './pages/pages.routes.ts';

import { createDeliveryService } from './modules/delivery/delivery.service.ts';
import type { MessageChannel, MessageSender } from './modules/delivery/message-sender.ts';
import { createSenders } from './modules/delivery/senders.ts';
import { createInvoiceExpiryService } from './modules/invoices/invoice-expiry.service.ts';
import { createJobQueue, type JobQueue } from './modules/jobs/job-queue.ts';
import type { WorkerServices } from './modules/jobs/workers.ts';
import { createWebhooksService } from './modules/webhooks/webhooks.service.ts';
import { registerWebhookRoutes } from './modules/webhooks/webhooks.routes.ts';
import { registerOutboxRoutes } from './modules/delivery/outbox.routes.ts';
import { postJson } from './lib/outbound-http.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** For the process around the app (maintenance settles stale payment attempts). */
    payments: PaymentsService;
    /** What a worker runs (main.ts starts them inline unless FAWTARA_WORKER=off). */
    workers: WorkerServices;
  }
}

export interface AppDeps {
  database: Database;
  config: Pick<Config, 'publicBaseUrl' | 'logLevel' | 'trustProxy' | 'mode'> & Partial<Pick<Config, 'messaging'>>;
  clock?: Clock;
  loginLimits?: LoginLimits;
  /** See MerchantApiDeps.credentialCacheMs (default 5 s). */
  credentialCacheMs?: number;
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

/** Secrets and card data never reach the log, whatever a future log line includes. */
export const LOG_REDACT = [
  'req.headers.authorization',
  'req.headers.accesscode',
  '*.password',
  '*.secretKey',
  '*.secret_key',
  '*.iv',
  '*.iv_key',
  '*.refreshToken',
  '*.refresh_token',
  '*.access_token',
  '*.cardNumber',
  '*.card_number',
  '*.pan',
  '*.cvv',
  '*.pin',
];

/**
 * Builds the gateway without listening (tests use `inject`). Routes are thin; services get a
 * typed deps object; nothing here holds state beyond caches, so any number of these can share
 * one PostgreSQL.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const clock = deps.clock ?? systemClock;
  const app = Fastify({
    logger: { level: deps.config.logLevel, redact: { paths: LOG_REDACT, censor: '[Redacted]' }, ...(deps.logStream ? { stream: deps.logStream } : {}) },
    genReqId: () => randomUUID(),
    trustProxy: deps.config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: 1024 * 1024,
    // Lets a SIGTERM finish in-flight requests while idle keep-alive sockets are closed at once.
    forceCloseConnections: 'idle',
  });

  app.decorateRequest('merchantCodec', null);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  installErrorHandling(app);

  await app.register(formbody);
  await app.register(multipart, { attachFieldsToBody: 'keyValues', limits: { fileSize: 5 * 1024 * 1024, files: 1, fields: 20 } });
  // Some clients post the bare hex with a text content type.
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const docs = createApiDocs();
  await docs.register(app, { publicBaseUrl: deps.config.publicBaseUrl });

  const auth = await createAuthService({ database: deps.database, clock, ...(deps.loginLimits ? { loginLimits: deps.loginLimits } : {}) });
  const merchants = createMerchantsService({ database: deps.database, clock });
  const idempotency = createIdempotencyService({ database: deps.database });
  const api = createMerchantApi({
    database: deps.database,
    merchantsRepo: merchants.repo,
    accessTokens: auth.accessTokens,
    idempotency,
    clock,
    ...(deps.credentialCacheMs === undefined ? {} : { credentialCacheMs: deps.credentialCacheMs }),
  });
  // Sandbox mode is for one machine: webhooks and providers may be on loopback there.
  const allowPrivateAddresses = deps.config.mode === 'sandbox';
  const queue = deps.queue ?? createJobQueue({ database: deps.database, onError: (err) => app.log.error({ err }, 'job queue error') });
  const configured = createSenders(deps.config.messaging ?? OUTBOX_ONLY, { database: deps.database, allowPrivateAddresses });
  const senders = { ...configured, ...deps.senders };
  const backoff = deps.retryBackoffMs ? { backoffMs: deps.retryBackoffMs } : {};
  const webhooks = createWebhooksService({ database: deps.database, clock, queue, post: postJson, allowPrivateAddresses, ...backoff });
  const delivery = createDeliveryService({ database: deps.database, clock, queue, senders, publicBaseUrl: deps.config.publicBaseUrl, ...backoff });
  const expiry = createInvoiceExpiryService({ database: deps.database, clock, webhooks, delivery });
  app.decorate('workers', { queue, delivery, webhooks, expiry });
  app.addHook('onClose', async () => {
    await queue.stop();
    configured.close();
  });

  const invoices = createInvoicesService({ clock, publicBaseUrl: deps.config.publicBaseUrl, database: deps.database, delivery, allowPrivateAddresses });
  const openInvoices = createOpenInvoicesService({ clock, publicBaseUrl: deps.config.publicBaseUrl, database: deps.database });
  const management = createInvoiceManagementService({ clock, publicBaseUrl: deps.config.publicBaseUrl, database: deps.database, delivery, webhooks });
  const profile = createProfileService({ database: deps.database });
  const payments = createPaymentsService({ database: deps.database, clock, connector: deps.connector ?? createSandboxConnector(), webhooks, log: app.log });
  const csrfKey = await getOrCreateSetting(deps.database.db, 'csrf_hmac_key', () => randomBytes(32).toString('base64'));
  const csrf = createCsrf({ key: Buffer.from(csrfKey, 'base64'), publicBaseUrl: deps.config.publicBaseUrl });
  app.decorate('payments', payments);

  registerAuthRoutes(app, { auth, docs });
  registerInvoiceRoutes(app, { api, invoices, management, docs });
  registerOpenInvoiceRoutes(app, { api, openInvoices, docs });
  registerProfileRoutes(app, { api, profile, docs });
  registerTransactionRoutes(app, { api, payments, docs });
  registerWebhookRoutes(app, { api, webhooks, docs });
  if (allowPrivateAddresses) registerOutboxRoutes(app, { database: deps.database });
  registerPageRoutes(app, { payments, csrf, publicBaseUrl: deps.config.publicBaseUrl });

  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  return app;
}
