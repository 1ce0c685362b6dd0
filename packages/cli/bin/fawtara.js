#!/usr/bin/env node
// The `fawtara` binary: the compiled CLI (`npm run build`), resolved from this file so a linked
// or globally installed binary works from any directory.
await import(new URL('../dist/main.js', import.meta.url).href);
