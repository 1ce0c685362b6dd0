import { ConfigError, loadConfig, startServer, stopOnSignals, type Config, type RunningServer } from './runtime.ts';

/**
 * `npm start` (and `fawtara serve`, through runtime.ts): configuration → database (embedded
 * PGlite unless DATABASE_URL) → migrations → sandbox merchant (sandbox mode) or the
 * public-credentials check (production) → listen, and the job workers (delivery, webhooks,
 * expiry) unless FAWTARA_WORKER=off.
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
  let server: RunningServer | undefined;
  const starting = startServer(config);
  // Registered before start-up finishes: a signal meanwhile waits for it, then stops cleanly.
  stopOnSignals(
    async () => (await starting.catch(() => undefined))?.close(),
    (message, err) => (server ? server.log.info({ err }, message) : process.stderr.write(`${message}\n`)),
  );
  server = await starting;
}

main().catch((err) => {
  process.stderr.write(`Fawtara failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
