import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources in tests (their exports carry this
// condition beside the compiled dist/). Vite's own server defaults are kept after it.
const SOURCE_CONDITIONS = ['fawtara-source', 'module', 'node', 'development|production'];

// Database suites start PGlite (~200 MB each) and create PostgreSQL databases from a
// template; two workers match the two cores of the target machine.
export default defineConfig({
  resolve: { conditions: SOURCE_CONDITIONS },
  ssr: { resolve: { conditions: SOURCE_CONDITIONS } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/src/**/*.test.tsx', 'e2e/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['packages/server/src/test-support/global-build.ts', 'packages/server/src/test-support/global-setup.ts'],
  },
});
