import { defineConfig } from 'vitest/config';

/**
 * The e2e suite runs a second time against the simulator's azure profile (Azure's timing and log
 * delivery), every delay multiplied by this: 30 s of Azure is 3 s here. Chosen to keep the whole
 * CI run well under 30 minutes on two cores.
 */
export const AZURE_E2E_TIME_SCALE = '0.1';

export default defineConfig({
  test: {
    reporters: ['default', './test/counts-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // e2e suites each start a daemon + simulator; two cores, so keep file parallelism modest.
    maxWorkers: 2,
    // CI runs the daemon, the simulator, Chromium and the compat clients on two cores at once; one
    // retry keeps a test that lost a race with the machine from failing the run. A real failure
    // fails twice.
    retry: process.env.CI ? 1 : 0,
    projects: [
      { extends: true, test: { name: 'instant', include: ['test/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'e2e-azure',
          include: ['test/e2e/**/*.test.ts'],
          // The pass with job reuse off (the default is on): every container on a job of its own.
          env: { SOCKERLESS_SIM_PROFILE: 'azure', SOCKERLESS_SIM_TIME_SCALE: AZURE_E2E_TIME_SCALE, SOCKERLESS_JOB_REUSE: 'off' },
          setupFiles: ['test/e2e/azure-profile-gaps.setup.ts'],
          // Azure's delays, even scaled, make a docker run take seconds; the timeout is the runner's, not the profile's.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
