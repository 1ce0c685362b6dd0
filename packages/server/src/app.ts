import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { Config } from './config.ts';
import type { Services } from './composition.ts';
import { createApiDocs, HealthReply } from './api/api-docs.ts';
import { installErrorHandling } from './api/error-handler.ts';
import { createMerchantApi } from './api/merchant-api.ts';
import { registerAuthRoutes } from './api/routes/auth.ts';
import { invoiceRoutes } from './api/routes/invoices.ts';
import { openInvoiceRoutes } from './api/routes/open-invoices.ts';
import { registerOutboxRoutes } from './api/routes/outbox.ts';
import { profileRoutes } from './api/routes/profile.ts';
import { registerTransactionRoutes } from './api/routes/transactions.ts';
import { webhookRoutes } from './api/routes/webhooks.ts';
import { installHttpMetrics, registerMetricsRoute } from './observability/http-metrics.ts';
import { installHttpTracing } from './observability/http-tracing.ts';
import { createCsrf } from './pages/csrf.ts';
import { registerPageRoutes } from './pages/pages.routes.ts';

const INCOMING_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** What the HTTP app needs of the configuration. */
export type AppConfig = Pick<Config, 'publicBaseUrl' | 'trustProxy'> & Partial<Pick<Config, 'metricsToken'>>;

export interface AppOptions {
  /** See MerchantApiDeps.credentialCacheMs (default 5 s). */
  credentialCacheMs?: number;
}

/**
 * The HTTP side of the gateway, over services built by the composition root: plugins and routes
 * only, no service of its own. Builds without listening (tests use `inject`); nothing here holds
 * state beyond caches, so any number of these can share one PostgreSQL.
 */
export async function buildApp(services: Services, config: AppConfig, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // One logger per process: requests and services log through the same redaction.
    loggerInstance: services.log as FastifyBaseLogger,
    // A caller's (or its proxy's) request id is kept, so one id follows a request across systems;
    // only a short printable token, so it cannot forge log lines or headers.
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && INCOMING_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: 1024 * 1024,
    // Lets a SIGTERM finish in-flight requests while idle keep-alive sockets are closed at once.
    forceCloseConnections: 'idle',
  });

  app.decorateRequest('merchantCodec', null);
  // First, so that a request's span covers every other hook.
  if (services.tracer) installHttpTracing(app, services.tracer);
  installHttpMetrics(app, services.metrics);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  installErrorHandling(app);

  await app.register(formbody);
  await app.register(multipart, { attachFieldsToBody: 'keyValues', limits: { fileSize: 5 * 1024 * 1024, files: 1, fields: 20 } });
  // Some clients post the bare hex with a text content type.
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const docs = createApiDocs();
  await docs.register(app, { publicBaseUrl: config.publicBaseUrl });

  const { auth, webhooks, payments } = services;
  const { db } = services.database;
  const api = createMerchantApi({
    credentials: { findActiveCredential: (accessCode) => services.merchants.repo.findActiveCredential(db, accessCode) },
    tokens: auth.accessTokens,
    idempotency: services.idempotency,
    clock: services.clock,
    docs,
    ...(opts.credentialCacheMs === undefined ? {} : { credentialCacheMs: opts.credentialCacheMs }),
  });
  const csrf = createCsrf({ key: services.csrfKey, publicBaseUrl: config.publicBaseUrl });

  registerAuthRoutes(app, { auth, docs });
  const encrypted = [
    ...invoiceRoutes({ invoices: services.invoices, management: services.management }),
    ...openInvoiceRoutes({ openInvoices: services.openInvoices }),
    ...profileRoutes({ profile: services.profile }),
    ...webhookRoutes({ api, webhooks }),
  ];
  for (const route of encrypted) api.register(app, route);
  registerTransactionRoutes(app, { api, payments, docs });
  if (services.allowPrivateAddresses) registerOutboxRoutes(app, { database: services.database });
  registerPageRoutes(app, { payments, csrf, publicBaseUrl: config.publicBaseUrl });

  docs.registerPlain(app, {
    method: 'GET',
    url: '/health',
    operationId: 'health',
    auth: 'none',
    tags: ['operations'],
    summary: 'Liveness check',
    description: 'Answers as soon as the process serves HTTP; touches no database.',
    response: HealthReply,
    wholeReply: true,
    successMessage: 'Serving',
    handler: async () => ({ status: 'ok' }),
  });
  registerMetricsRoute(app, { metrics: services.metrics, token: config.metricsToken });
  return app;
}
