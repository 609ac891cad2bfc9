// Issue 15 row 13: a template Azure accepts (201/202) and then fails while provisioning it, here an
// image its registry refuses to the job's credentials, is permanent: the daemon ends the start at
// once with Azure's message in State.Error, which docker run prints, instead of five tries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';

/** A registry the simulator treats as private; nothing listens there (the refusal is ACA's, at provisioning). */
const PRIVATE = '127.0.0.1:9';

describe('a job whose image the registry refuses (azure profile: the write accepted, its operation Failed)', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startTestDaemon({
      simulator: { profile: 'azure', timeScale: 0.05, strictValidation: true, privateRegistries: [{ server: PRIVATE, username: 'alice', password: 'pw' }] },
      env: { SOCKERLESS_AGENT: 'off' },
    });
  }, 120_000);
  afterAll(async () => {
    await d?.close();
  });

  it('docker run fails once, with Azure\'s reason on the CLI and in State.Error, and no job is left', async () => {
    const image = `${PRIVATE}/team/app:1`;
    d.running.simulator!.resetStats();
    const run = await d.cli(['run', '--name', 'refused', image, 'echo', 'never'], { timeoutMs: 110_000 });
    expect(run.code).toBe(125);
    expect(run.stdout).toBe('');
    const reason = `Field 'template.containers.main.image' is invalid with details: 'Invalid value: "${image}": GET https:?scope=repository%3Ateam/app%3Apull&service=${PRIVATE}: UNAUTHORIZED: authentication required'`;
    expect(run.stderr).toContain(reason);
    const state = (await d.docker.getContainer('refused').inspect()).State;
    expect(state).toMatchObject({ Status: 'exited', Running: false });
    expect(state.Error).toContain('ContainerAppOperationError');
    expect(state.Error).toContain(reason);
    // Accepted and failed once, not tried again as if it were transient (the chart allows five).
    const writes = d.running.simulator!.stats().byOperation;
    expect((writes.Jobs_CreateOrUpdate ?? 0) + (writes.Jobs_Start ?? 0)).toBeLessThanOrEqual(2);
    // The failed write was not applied: no job of the container's exists.
    expect(d.running.simulator!.jobNames().filter((n) => !n.startsWith('sockerless-s-'))).toEqual([]);
  }, 120_000);
});
