import { ConfigError, loadConfig, startWorker, stopOnSignals, type RunningWorker } from '../runtime.ts';

/**
 * `npm run worker` (and `fawtara worker`): the job workers (customer messages, webhooks, expiry)
 * without the HTTP server, for deployments that scale them apart (FAWTARA_WORKER=off on the
 * servers). Any number can run against one PostgreSQL; each job goes to one of them. With the
 * embedded database only one process can open it, so there the server runs its workers inline.
 * SIGTERM/SIGINT: finish the jobs in hand, then exit.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  let worker: RunningWorker | undefined;
  const starting = startWorker(config);
  stopOnSignals(
    async () => (await starting.catch(() => undefined))?.close(),
    (message, err) => (worker ? worker.app.log.info({ err }, message) : process.stderr.write(`${message}\n`)),
  );
  worker = await starting;
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${err.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`Fawtara worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
