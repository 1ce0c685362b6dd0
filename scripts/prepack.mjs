// Each package's `prepack`: npm packs the package folder, so the project's LICENSE is copied in
// (one text, kept at the root), and packing refuses a package whose build is missing rather
// than publish a tarball without its JavaScript.
import { copyFileSync, existsSync } from 'node:fs';

const root = new URL('../', import.meta.url);
if (!existsSync('dist')) {
  console.error(`${process.cwd()}: dist/ is missing; run npm run build at the repository root first.`);
  process.exit(1);
}
copyFileSync(new URL('LICENSE', root), 'LICENSE');
