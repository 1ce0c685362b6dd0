#!/usr/bin/env node
// The `fawtara` binary: TypeScript runs through tsx (no build step), so this registers tsx's
// ESM loader in this process and imports the CLI. Resolved from this file, so the linked
// binary works from any directory.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/main.ts', import.meta.url).href);
