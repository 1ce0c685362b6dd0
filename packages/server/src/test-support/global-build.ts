import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * Tests that run a program as its users do (the `fawtara` binary, `npm start`, a worker
 * process) run the compiled build, so the build is brought up to date before any test starts:
 * a few hundred milliseconds when nothing changed (tsc -b is incremental), a stale dist/ never.
 */
export default async function build(): Promise<void> {
  try {
    await promisify(execFile)(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    throw new Error(`npm run build failed before the tests:\n${stdout}${stderr}`, { cause: err });
  }
}
