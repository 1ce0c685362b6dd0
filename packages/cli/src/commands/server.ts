import type { RunningWorker } from '@fawtara/server/runtime';
import { Option, type Command } from 'commander';
import { createOutput } from '../output.ts';
import { databaseOptions, serverConfig, serverRuntime, type ServerFlags } from '../server-config.ts';

type Lifecycle = { keepRunning(): void };

const logLevelOption = () =>
  new Option('--log-level <level>', 'env LOG_LEVEL, default info').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/**
 * Starts a server or worker and keeps the process running it until SIGTERM/SIGINT close it.
 * The signal handlers go in before start-up ends: a signal meanwhile waits for it, then stops
 * cleanly.
 */
async function runUntilSignal<T extends Pick<RunningWorker, 'log' | 'close'>>(start: () => Promise<T>, lifecycle: Lifecycle): Promise<T> {
  const { stopOnSignals } = await serverRuntime();
  let running: T | undefined;
  const starting = start();
  lifecycle.keepRunning();
  stopOnSignals(
    async () => (await starting.catch(() => undefined))?.close(),
    (message, err) => (running ? running.log.info({ err }, message) : process.stderr.write(`${message}\n`)),
  );
  running = await starting;
  return running;
}

/** `fawtara serve`, `fawtara worker`, `fawtara migrate`: the gateway's processes. */
export function registerServerCommands(program: Command, lifecycle: Lifecycle): void {
  const serve = program
    .command('serve')
    .summary('run the gateway: API, payment pages and job workers')
    .description(
      'Runs the gateway (the merchant API, the hosted payment pages, API docs at /docs) with its job\n' +
        'workers, on the embedded database unless DATABASE_URL / --database-url names PostgreSQL.\n' +
        'Same configuration as `npm start` (README "Configuration"); a flag overrides its variable.\n' +
        'In sandbox mode (the default) the public sandbox merchant 842217 is created.\n' +
        'Logs are JSON lines on stdout. SIGTERM/SIGINT finish in-flight requests, then exit 0.',
    )
    .option('-p, --port <port>', 'HTTP port (env PORT, default 3000)')
    .option('--host <address>', 'address to bind (env HOST, default 127.0.0.1; 0.0.0.0 to expose it)');
  databaseOptions(serve)
    .option('--public-base-url <url>', 'origin of the links the API returns (env PUBLIC_BASE_URL, default http://localhost:<port>)')
    .addOption(new Option('--mode <mode>', 'sandbox or production (env FAWTARA_MODE, default sandbox)').choices(['sandbox', 'production']))
    .addOption(logLevelOption())
    .option('--no-worker', 'do not run the job workers here (FAWTARA_WORKER=off; run `fawtara worker`)')
    .addHelpText(
      'after',
      `
Examples:
  $ fawtara serve                                  # http://localhost:3000, data in ./data
  $ fawtara serve --port 4000 --data-dir /var/lib/fawtara
  $ DATABASE_URL=postgres://fawtara@db/fawtara fawtara serve --host 0.0.0.0 --no-worker
  $ fawtara serve --mode production --public-base-url https://pay.example.com`,
    )
    .action(async (flags: ServerFlags) => {
      const config = await serverConfig(flags);
      const { startServer, describeDatabase } = await serverRuntime();
      const server = await runUntilSignal(() => startServer(config), lifecycle);
      if (process.stderr.isTTY) {
        process.stderr.write(
          `Fawtara (${config.mode}) listening on ${server.url} with ${describeDatabase(config)}; API docs at ${config.publicBaseUrl}/docs. Ctrl-C stops it.\n`,
        );
      }
    });

  const worker = program
    .command('worker')
    .summary('run the job workers only (messages, webhooks, expiry)')
    .description(
      'Runs the job workers (customer messages, webhooks, invoice expiry) without the HTTP server, for\n' +
        'deployments that run servers with --no-worker (FAWTARA_WORKER=off). Any number can share one\n' +
        'PostgreSQL. With the embedded database only one process can open it, so there `serve` runs\n' +
        'its workers itself. SIGTERM/SIGINT finish the jobs in hand, then exit 0.',
    );
  databaseOptions(worker)
    .addOption(logLevelOption())
    .addHelpText(
      'after',
      `
Examples:
  $ DATABASE_URL=postgres://fawtara@db/fawtara fawtara worker
  $ fawtara worker --database-url postgres://fawtara@db/fawtara --log-level warn`,
    )
    .action(async (flags: ServerFlags) => {
      const config = await serverConfig(flags);
      const { startWorker } = await serverRuntime();
      await runUntilSignal(() => startWorker(config), lifecycle);
    });

  const migrateCommand = program
    .command('migrate')
    .summary('bring the database schema up to date')
    .description('Applies the migrations the database does not have yet (serve and worker also do this on start).');
  databaseOptions(migrateCommand)
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ fawtara migrate --data-dir ./data
  $ DATABASE_URL=postgres://fawtara@db/fawtara fawtara migrate --json`,
    )
    .action(async (flags: ServerFlags & { json?: boolean }) => {
      const config = await serverConfig(flags);
      const { migrate, describeDatabase } = await serverRuntime();
      const report = await migrate(config);
      createOutput(flags).data(
        {
          database: config.databaseUrl ? 'postgres' : 'pglite',
          dataDir: config.databaseUrl ? null : config.dataDir,
          applied: report.applied,
          migrations: report.all,
        },
        () =>
          report.applied.length === 0
            ? `${capitalise(describeDatabase(config))} is up to date (${report.all.length} migrations).`
            : `Applied ${report.applied.length} migration(s) to ${describeDatabase(config)}:\n${report.applied.map((m) => `  ${m}`).join('\n')}`,
      );
    });
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
