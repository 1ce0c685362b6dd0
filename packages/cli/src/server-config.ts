import type { Config } from '@fawtara/server/runtime';
import type { Command } from 'commander';
import { configError } from './exit-codes.ts';

/**
 * The server-side commands (serve, worker, migrate, merchant) read the same environment as
 * `npm start` (README "Configuration"); a flag overrides its variable. The flags are turned
 * into variables and validated by the server's own loadConfig, so both paths give the same
 * errors — worded with the flag when a flag was the source.
 */
const FLAG_VARIABLES = {
  port: ['PORT', '--port'],
  host: ['HOST', '--host'],
  dataDir: ['DATA_DIR', '--data-dir'],
  databaseUrl: ['DATABASE_URL', '--database-url'],
  publicBaseUrl: ['PUBLIC_BASE_URL', '--public-base-url'],
  mode: ['FAWTARA_MODE', '--mode'],
  logLevel: ['LOG_LEVEL', '--log-level'],
} as const;

export type ServerFlags = Partial<Record<keyof typeof FLAG_VARIABLES, string>> & { worker?: boolean };

/** Adds --data-dir and --database-url (every server-side command). */
export function databaseOptions(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'embedded database folder (env DATA_DIR, default ./data)')
    .option('--database-url <url>', 'postgres://… for PostgreSQL instead of the embedded database (env DATABASE_URL)');
}

const SERVER_PACKAGE = '@fawtara/server';

/**
 * The server's runtime module, loaded only by the commands that need it: it takes ~1 s to load,
 * and it is an optional peer of the CLI, so a client-only install has no server to load.
 */
export async function serverRuntime(): Promise<typeof import('@fawtara/server/runtime')> {
  try {
    return await import('@fawtara/server/runtime');
  } catch (err) {
    if (isMissingServer(err)) {
      throw configError(
        `This command runs the gateway itself and needs ${SERVER_PACKAGE}, which is not installed next to the CLI.\n` +
          `Install both: npm install @fawtara/cli ${SERVER_PACKAGE}\n` +
          `or run once: npx -p @fawtara/cli -p ${SERVER_PACKAGE} fawtara <command>`,
      );
    }
    throw err;
  }
}

function isMissingServer(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && typeof message === 'string' && message.includes(`'${SERVER_PACKAGE}`);
}

/** Loads the server configuration from the environment with the flags applied on top. */
export async function serverConfig(flags: ServerFlags, env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  const { ConfigError, loadConfig } = await serverRuntime();
  const merged: NodeJS.ProcessEnv = { ...env };
  const fromFlag = new Map<string, string>();
  for (const [key, [variable, flag]] of Object.entries(FLAG_VARIABLES)) {
    const value = flags[key as keyof typeof FLAG_VARIABLES];
    if (value !== undefined) {
      merged[variable] = value;
      fromFlag.set(variable, flag);
    }
  }
  if (flags.worker === false) {
    merged.FAWTARA_WORKER = 'off';
    fromFlag.set('FAWTARA_WORKER', '--no-worker');
  }
  try {
    return loadConfig(merged);
  } catch (err) {
    if (err instanceof ConfigError) {
      const flag = fromFlag.get(err.variable);
      throw configError(`Configuration error: ${flag ? `${flag} (${err.message})` : err.message}`);
    }
    throw err;
  }
}
