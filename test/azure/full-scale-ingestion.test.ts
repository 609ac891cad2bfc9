// Issue 15 acceptance: `docker run --rm alpine echo hello` without the agent prints hello under
// a full-scale ingestion delay. Log delivery at Azure's scale (ingestion at the documented
// typical minimum of 20 s, plus a new table's one-time 30 s); the control plane time-scaled so
// the run spends its time on logs alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';

describe('no agent, full-scale ingestion (azure profile)', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startTestDaemon({
      simulator: {
        profile: 'azure',
        timeScale: 0.05,
        strictValidation: true,
        // Overrides are in full-scale units, and the time scale applies to them: divide it back out.
        figures: { ingestionDelayMs: 20_000 / 0.05, newTableDelayMs: 30_000 / 0.05, receiptLagMs: 850 / 0.05 },
      },
      env: { SOCKERLESS_AGENT: 'off' },
    });
    await d.cli(['pull', 'alpine']);
  }, 120_000);
  afterAll(async () => {
    await d?.close();
  });

  it('docker run --rm alpine echo hello prints hello and exits 0', async () => {
    const started = Date.now();
    const run = await d.cli(['run', '--rm', 'alpine', 'echo', 'hello'], { timeoutMs: 400_000 });
    console.log(`[full-scale-ingestion] docker run took ${Date.now() - started} ms`);
    expect(run).toMatchObject({ code: 0, stdout: 'hello\n' });
  }, 420_000);
});
