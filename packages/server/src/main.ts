import { buildApp } from './app.ts';
import { ConfigError, databaseOptions, loadConfig, type Config } from './config.ts';
import { migrateToLatest, openDatabase, type Database } from './db/database.ts';
import { systemClock } from './lib/clock.ts';
import { createMerchantsService } from './modules/merchants/merchants.service.ts';
import { SANDBOX } from './modules/merchants/sandbox-credentials.ts';
import { startMaintenance } from './modules/maintenance/maintenance.ts';
import { startWorkers } from './modules/jobs/workers.ts';

/**
 * `npm start`: configuration → database (embedded PGlite unless DATABASE_URL) → migrations →
 * sandbox merchant (sandbox mode) or the public-credentials check (production) → listen, and
 * the job workers (delivery, webhooks, expiry) unless FAWTARA_WORKER=off.
 * SIGTERM/SIGINT: stop accepting, finish in-flight requests and jobs, close the database.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }

  const database: Database = await openDatabase(databaseOptions(config, config.databasePoolSize));
  try {
    await migrateToLatest(database.db);
    const merchants = createMerchantsService({ database, clock: systemClock });
    if (config.mode === 'sandbox') {
      await merchants.ensureSandboxMerchant();
    } else {
      await merchants.assertNoPublicCredentials();
    }

    const app = await buildApp({ database, config });
    const stopMaintenance = startMaintenance({ database, clock: systemClock, settleStaleAttempts: () => app.payments.settleStaleAttempts(), onError: (err) => app.log.error({ err }, 'maintenance failed') });
    app.addHook('onClose', async () => {
      stopMaintenance();
      await app.workers.queue.stop();
      await database.close();
    });

    let closing = false;
    const shutdown = (signal: string) => {
      if (closing) return;
      closing = true;
      app.log.info({ signal }, 'shutting down: finishing in-flight requests');
      app.close().then(
        () => process.exit(0),
        (err) => {
          app.log.error({ err }, 'error during shutdown');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));

    await app.listen({ port: config.port, host: config.host });
    if (config.inlineWorker) await startWorkers(app.workers);
    const where = config.databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${config.dataDir}`;
    app.log.info(`Fawtara (${config.mode}) on ${where}; API docs at ${config.publicBaseUrl}/docs; job workers ${config.inlineWorker ? 'in this process' : 'off (run npm run worker)'}`);
    if (config.mode === 'sandbox') {
      app.log.info(`Sandbox merchant ${SANDBOX.merchantCode}: accessCode ${SANDBOX.accessCode}, login ${SANDBOX.username} / ${SANDBOX.password} (public Hesabe sandbox values)`);
    }
  } catch (err) {
    await database.close();
    throw err;
  }
}

main().catch((err) => {
  process.stderr.write(`Fawtara failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
