import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerApiCommands } from './commands/api.ts';
import { registerCryptoCommands } from './commands/crypto.ts';
import { registerImportCommand } from './commands/import.ts';
import { registerMerchantCommands } from './commands/merchant.ts';
import { registerServerCommands } from './commands/server.ts';
import { exitCodeOf } from './errors.ts';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.ts';

/**
 * `fawtara`: run, administer and poke a Fawtara gateway from a terminal. Data goes to stdout
 * (JSON with --json), everything else to stderr; the exit code says what happened
 * ({@link EXIT}).
 */
/** The package's own version: package.json sits one level above both src/ and dist/. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function buildProgram(lifecycle: { keepRunning(): void }): Command {
  const program = new Command('fawtara')
    .description('Fawtara: a self-hostable invoicing payment gateway that speaks the Hesabe merchant API.')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: false })
    .addHelpText(
      'after',
      `
Examples:
  $ fawtara serve                                   # gateway on :3000, embedded database, sandbox merchant
  $ fawtara merchant create --name "Acme" --username acme --json
  $ fawtara invoice create --amount 12.500 --customer-name "Ahmad" --mobile 66666666
  $ fawtara invoice list --json
  $ fawtara import customers.csv --concurrency 8
  $ fawtara open-invoice create --title "Donation" --min 1 --max 100
  $ fawtara decrypt '{"response":"60a8f624…"}'

Every command has --help with examples. Data goes to stdout (--json for one JSON document);
messages, progress and errors go to stderr.

${EXIT_CODES_HELP}`,
    );

  registerServerCommands(program, lifecycle);
  registerMerchantCommands(program);
  registerApiCommands(program);
  registerImportCommand(program);
  registerCryptoCommands(program);
  return program;
}

/** Writes what is buffered, then exits (stdout may be a pipe that has not drained yet). */
function exit(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

async function main(argv: string[]): Promise<void> {
  let keepRunning = false;
  const program = buildProgram({ keepRunning: () => (keepRunning = true) });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed its message (or the help / version) already.
      const ok = err.code === 'commander.helpDisplayed' || err.code === 'commander.version';
      return exit(ok ? EXIT.OK : EXIT.USAGE);
    }
    const { code, message } = exitCodeOf(err);
    process.stderr.write(`${message}\n`);
    return exit(code);
  }
  // serve and worker keep running until a signal; everything else is done.
  if (!keepRunning) exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK);
}

await main(process.argv);
