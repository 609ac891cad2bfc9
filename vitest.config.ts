import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/counts-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // e2e suites each start a daemon + simulator; two cores, so keep file parallelism modest.
    maxWorkers: 2,
    // CI runs the daemon, the simulator, Chromium and the compat clients on two cores at once; one
    // retry keeps a test that lost a race with the machine from failing the run. A real failure
    // fails twice.
    retry: process.env.CI ? 1 : 0,
  },
});
