import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/counts-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // e2e suites each start a daemon + simulator; two cores, so keep file parallelism modest.
    maxWorkers: 2,
  },
});
