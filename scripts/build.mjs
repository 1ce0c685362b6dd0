// `npm run build`: every package compiled to JavaScript with declarations (tsc -b follows the
// project references, wire first), then the files the server reads next to its modules at run
// time (the pages' stylesheet) copied beside the compiled ones.
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';

execFileSync('tsc', ['-b', 'packages/cli/tsconfig.build.json'], { stdio: 'inherit' });
copyFileSync('packages/server/src/pages/pages.css', 'packages/server/dist/pages/pages.css');
