// `npm run build`: every package compiled to JavaScript with declarations (tsc -b follows the
// project references, wire first), then the files the server reads next to its modules at run
// time (the pages' stylesheet) copied beside the compiled ones. `--clean` first removes every
// dist/, so files whose sources were deleted do not linger in what gets packed.
import { execFileSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const packages = ['wire', 'contract', 'sdk', 'server', 'cli'];

if (process.argv.includes('--clean')) {
  for (const name of packages) {
    rmSync(`${root}packages/${name}/dist`, { recursive: true, force: true });
    rmSync(`${root}packages/${name}/tsconfig.build.tsbuildinfo`, { force: true });
  }
}
execFileSync(process.execPath, [tsc, '-b', 'packages/cli/tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
copyFileSync(`${root}packages/server/src/pages/pages.css`, `${root}packages/server/dist/pages/pages.css`);
