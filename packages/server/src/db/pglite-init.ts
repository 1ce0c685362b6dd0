import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A new PGlite data folder is initialised (initdb, then the migrations) by a short-lived child
 * process, and the long-running server opens the folder once it is ready. initdb runs a second
 * PostgreSQL instance with its own WebAssembly memory, and the migrations fill PostgreSQL's
 * caches inside the server's; neither ever gives memory back to the operating system, so done
 * in the server they would stay in its resident memory for as long as it runs.
 */

/** PostgreSQL writes PG_VERSION into a folder it has initialised. */
export function isInitialisedDataDir(dataDir: string): boolean {
  return existsSync(path.join(dataDir, 'PG_VERSION'));
}

/** The child's entry point, beside this module (.ts under tsx and vitest, .js once compiled). */
const CHILD = fileURLToPath(new URL(`./pglite-init-child${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url));

/** Inspector flags would make the child fight its parent for the debugger's port. */
const NOT_FOR_THE_CHILD = /^--(inspect|debug)/;

/**
 * Initialises `dataDir` in a child process and waits for it. The caller holds the folder's lock
 * for the whole time: the child never takes it, and exits if its parent goes away.
 */
export function initialiseDataDirApart(dataDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv.filter((arg) => !NOT_FOR_THE_CHILD.test(arg)), CHILD, dataDir], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) return resolve();
      const why = stderr.trim() || (signal ? `killed by ${signal}` : `exit code ${code}`);
      reject(new Error(`initialising the PGlite data folder ${dataDir} failed: ${why}`));
    });
  });
}
