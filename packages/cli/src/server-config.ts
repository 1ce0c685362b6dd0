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

/** The server's runtime module, loaded only by the commands that need it (it takes ~1 s to load). */
export function serverRuntime(): Promise<typeof import('@fawtara/server/runtime')> {
  return import('@fawtara/server/runtime');
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

/** Where a configuration keeps its data, for messages (the server's own wording; a light import). */
export { describeDatabase } from '@fawtara/server/config';
