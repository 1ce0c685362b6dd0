import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { createServices, type Services } from './composition.ts';
import { ConfigError, databaseOptions, describeDatabase, loadConfig, type Config } from './config.ts';
import { migrateToLatest, once, openDatabase, type Database } from './db/database.ts';
import { migrations } from './db/migrations/index.ts';
import { isAppError, type FieldErrorMap } from './lib/app-error.ts';
import { systemClock } from './lib/clock.ts';
import type { Logger } from './lib/logger.ts';
import { startMaintenance } from './modules/maintenance/maintenance.ts';
import { createMerchantsService, type IssuedMerchant, type MerchantsService, type NewMerchantInput } from './modules/merchants/merchants.service.ts';
import { SANDBOX } from './modules/merchants/sandbox-credentials.ts';
import { startWorkers } from './modules/jobs/workers.ts';

/**
 * What the processes around the gateway do — `npm start`, `npm run worker`, `npm run merchant`
 * and the `fawtara` CLI — as functions, so that each entry point is only argument parsing and
 * printing. Every function takes a loaded {@link Config}; {@link loadConfig} (re-exported here)
 * builds one from the environment and throws {@link ConfigError} naming the bad variable.
 *
 * @example
 * import { loadConfig, startServer, stopOnSignals } from '@fawtara/server/runtime';
 * const server = await startServer(loadConfig({ ...process.env, PORT: '4000' }));
 * stopOnSignals(server.close, (msg, err) => server.app.log.info({ err }, msg));
 */
export { ConfigError, describeDatabase, loadConfig, SANDBOX, isAppError };
export type { Config, FieldErrorMap, IssuedMerchant, NewMerchantInput };

export interface RunningServer {
  app: FastifyInstance;
  config: Config;
  /** The process's logger (the app's requests log through it too). */
  log: Logger;
  /** Where it listens, e.g. `http://127.0.0.1:3000` (the actual port when PORT=0). */
  url: string;
  /** Stops accepting connections, finishes in-flight requests and jobs, closes the database. Idempotent. */
  close(): Promise<void>;
}

/**
 * `npm start` / `fawtara serve`: database (embedded PGlite unless DATABASE_URL) → migrations →
 * the sandbox merchant (sandbox mode) or the public-credentials check (production) → listen,
 * and the job workers (delivery, webhooks, expiry) unless `config.inlineWorker` is false.
 */
export async function startServer(config: Config): Promise<RunningServer> {
  const database: Database = await openDatabase({ ...databaseOptions(config, config.databasePoolSize), initialiseApart: true });
  let services: Services | undefined;
  try {
    await migrateToLatest(database.db);
    services = await createServices({ database, config });
    if (config.mode === 'sandbox') {
      await services.merchants.ensureSandboxMerchant();
    } else {
      await services.merchants.assertNoPublicCredentials();
    }

    const app = await buildApp(services, config);
    const running = services;
    const stopMaintenance = startMaintenance({
      database,
      clock: running.clock,
      settleStaleAttempts: () => running.payments.settleStaleAttempts(),
      requeueOverdue: async () => (await running.webhooks.requeueOverdue()) + (await running.delivery.requeueOverdue()),
      onError: (err) => running.log.error({ err }, 'maintenance failed'),
    });
    // In-flight requests finish first, then the jobs in hand, then the database closes.
    const close = once(async () => {
      stopMaintenance();
      await app.close();
      await running.close();
      await database.close();
    });

    try {
      await app.listen({ port: config.port, host: config.host });
      if (config.inlineWorker) await startWorkers(running);
    } catch (err) {
      await close();
      throw err;
    }
    // The process id is in the message (not only pino's field) so an operator, or a supervisor
    // reading the log, knows which process a SIGTERM must go to behind npm's wrappers.
    app.log.info(
      `Fawtara (${config.mode}) running as process ${process.pid} on ${describeDatabase(config)}; API docs at ${config.publicBaseUrl}/docs; job workers ${config.inlineWorker ? 'in this process' : 'off (run npm run worker)'}`,
    );
    if (config.mode === 'sandbox') {
      // Printed only while true: after rotate-secret the public values no longer sign anything.
      app.log.info(
        (await running.merchants.sandboxUsesPublicCredentials())
          ? `Sandbox merchant ${SANDBOX.merchantCode}: accessCode ${SANDBOX.accessCode}, login ${SANDBOX.username} / ${SANDBOX.password} (public Hesabe sandbox values)`
          : `Sandbox merchant ${SANDBOX.merchantCode} no longer uses the public sandbox keys (rotated); sign with the credentials rotate-secret printed`,
      );
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
    return { app, config, log: running.log, url: `http://${host}:${port}`, close };
  } catch (err) {
    await services?.close();
    await database.close();
    throw err;
  }
}

export interface RunningWorker {
  services: Services;
  config: Config;
  log: Logger;
  /** Finishes the jobs in hand, then closes the database. Idempotent. */
  close(): Promise<void>;
}

/**
 * `npm run worker` / `fawtara worker`: the job workers (customer messages, webhooks, expiry)
 * without the HTTP server, for deployments that scale them apart (FAWTARA_WORKER=off on the
 * servers). Any number can run against one PostgreSQL; each job goes to one of them. With the
 * embedded database only one process can open it, so there the server runs its workers inline.
 */
export async function startWorker(config: Config): Promise<RunningWorker> {
  const database = await openDatabase({ ...databaseOptions(config, Math.min(config.databasePoolSize, 10)), initialiseApart: true });
  let services: Services | undefined;
  try {
    await migrateToLatest(database.db);
    services = await createServices({ database, config });
    await startWorkers(services);
    services.log.info(`Fawtara worker running (${describeDatabase(config)})`);
    const running = services;
    return {
      services,
      config,
      log: running.log,
      close: once(async () => {
        await running.close();
        await database.close();
      }),
    };
  } catch (err) {
    await services?.close();
    await database.close();
    throw err;
  }
}

export interface MigrationReport {
  /** Migrations this run applied, in order. */
  applied: string[];
  /** Every migration the code knows, in order (all applied after a successful run). */
  all: string[];
}

/** `fawtara migrate`: brings the configured database to the latest schema and says what it did. */
export async function migrate(config: Config): Promise<MigrationReport> {
  const database = await openDatabase(databaseOptions(config, 2));
  try {
    const applied = await migrateToLatest(database.db);
    return { applied, all: Object.keys(migrations).sort() };
  } finally {
    await database.close();
  }
}

/** A merchant as listed (never a secret). */
export interface MerchantSummary {
  code: string;
  name: string;
  email: string | null;
  sandbox: boolean;
  active: boolean;
  paymentMethods: number[];
  arabicDigits: 'latn' | 'arab';
  timeZone: string;
  defaultLanguage: 'en' | 'ar';
  createdAt: string;
}

/**
 * Runs `work` with the merchants service on the configured database (migrated first), then
 * closes it. With the embedded database the folder must not be in use by a server.
 */
export async function withMerchants<T>(config: Config, work: (merchants: MerchantsService, database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(databaseOptions(config, 2));
  try {
    await migrateToLatest(database.db);
    return await work(createMerchantsService({ database, clock: systemClock }), database);
  } finally {
    await database.close();
  }
}

/**
 * Creates a merchant with fresh random credentials, returned once (throws an AppError with
 * `fields` on bad input, e.g. a username already taken).
 */
export function createMerchant(config: Config, input: NewMerchantInput): Promise<IssuedMerchant> {
  return withMerchants(config, (merchants) => merchants.createMerchant(input));
}

export function listMerchants(config: Config): Promise<MerchantSummary[]> {
  return withMerchants(config, async (merchants, database) =>
    (await merchants.repo.list(database.db)).map((m) => ({
      code: m.code,
      name: m.name,
      email: m.email,
      sandbox: m.is_sandbox,
      active: m.is_active,
      paymentMethods: m.payment_methods,
      arabicDigits: m.page_digits,
      timeZone: m.time_zone,
      defaultLanguage: m.default_language,
      createdAt: m.created_at.toISOString(),
    })),
  );
}

/** Revokes a merchant's credentials and issues new ones (throws a NOT_FOUND AppError for an unknown code). */
export function rotateMerchantSecret(config: Config, merchantCode: string): Promise<Omit<IssuedMerchant, 'username' | 'password'>> {
  return withMerchants(config, (merchants) => merchants.rotateCredentials(merchantCode));
}

/** Digits on a merchant's Arabic payment pages; false when no merchant has that code. */
export function setMerchantArabicDigits(config: Config, merchantCode: string, digits: 'latn' | 'arab'): Promise<boolean> {
  return withMerchants(config, (merchants, database) => merchants.repo.setPageDigits(database.db, merchantCode, digits));
}

/**
 * SIGTERM/SIGINT run `stop` once, then exit 0 (or 1 if stopping failed). A second signal while
 * stopping is ignored: in-flight requests and jobs are allowed to finish.
 */
export function stopOnSignals(stop: () => Promise<void>, log: (message: string, err?: unknown) => void): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down, finishing in-flight work`);
    stop().then(
      () => process.exit(0),
      (err) => {
        log('error during shutdown', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
