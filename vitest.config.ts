import { defineConfig } from 'vitest/config';

// Database suites start PGlite (~200 MB each) and create PostgreSQL databases from a
// template; two workers match the two cores of the target machine.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/src/**/*.test.tsx', 'e2e/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['packages/server/src/test-support/global-setup.ts'],
  },
});
