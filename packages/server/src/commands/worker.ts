import { buildApp } from '../app.ts';
import { ConfigError, databaseOptions, loadConfig } from '../config.ts';
import { migrateToLatest, openDatabase } from '../db/database.ts';
import { startWorkers } from '../modules/jobs/workers.ts';

/**
 * `npm run worker`: the job workers (customer messages, webhooks, expiry) without the HTTP
 * server, for deployments that scale them apart (FAWTARA_WORKER=off on the servers). Any
 * number can run against one PostgreSQL; each job goes to one of them. With the embedded
 * database only one process can open it, so there the server runs its workers inline.
 * SIGTERM/SIGINT: finish the jobs in hand, then exit.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(databaseOptions(config, Math.min(config.databasePoolSize, 10)));
  await migrateToLatest(database.db);
  const app = await buildApp({ database, config });
  await startWorkers(app.workers);
  app.log.info(`Fawtara worker running (${config.databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${config.dataDir}`})`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'worker stopping: finishing jobs in hand');
    app
      .close()
      .then(() => database.close())
      .then(
        () => process.exit(0),
        (err) => {
          app.log.error({ err }, 'error while stopping');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${err.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`Fawtara worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
