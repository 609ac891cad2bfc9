// Issue 15: the daemon against the simulator's azure profile (Azure's timing, log delivery and
// validation, time-scaled), one test per way today's daemon failed on a real subscription.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorOptions } from '../../src/simulator';
import { containerJob } from '../helpers/container-job';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';

const AZURE: SimulatorOptions = { profile: 'azure', timeScale: 0.05, strictValidation: true };
const NO_AGENT = { SOCKERLESS_AGENT: 'off' };

async function daemon(simulator: SimulatorOptions, env: NodeJS.ProcessEnv = {}): Promise<TestDaemon> {
  const d = await startTestDaemon({ simulator: { ...AZURE, ...simulator }, env });
  await d.cli(['pull', 'alpine']);
  return d;
}

/** The container's job, with the template its current execution ran (its own, or a shared job's Jobs_Start template). */
const jobOf = (d: TestDaemon, id: string) => containerJob<{ properties: { workloadProfileName?: string; template: { containers: Array<{ resources: { cpu: number } }> } } }>(d, id);

describe('logs from Log Analytics, without the agent (azure profile)', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await daemon({}, NO_AGENT);
  }, 120_000);
  afterAll(async () => {
    await d?.close();
  });

  it('docker logs on a workspace whose log table does not exist yet answers nothing, not an error (row 2)', async () => {
    const id = (await d.cli(['create', 'alpine', 'echo', 'later'])).stdout.trim();
    const logs = await d.cli(['logs', id]);
    expect(logs).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('docker run prints every line in order, though rows arrive late, in batches, out of order and with tied TimeGenerated (rows 3, 4)', async () => {
    const script = 'for i in $(seq 1 30); do echo line-$i; done; echo err-1 >&2';
    const run = await d.cli(['run', '--rm', 'alpine', 'sh', '-c', script], { timeoutMs: 110_000 });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(Array.from({ length: 30 }, (_, i) => `line-${i + 1}\n`).join(''));
    expect(run.stderr).toBe('err-1\n');
  }, 120_000);

  it('the exit code comes through while the execution status lags its container (row 12)', async () => {
    const run = await d.cli(['run', '--rm', 'alpine', 'sh', '-c', 'echo bye; exit 7'], { timeoutMs: 110_000 });
    expect(run).toMatchObject({ code: 7, stdout: 'bye\n' });
  }, 120_000);

  it('an env name Azure refuses is a 400 at docker create, naming it (row 8, no agent)', async () => {
    const r = await d.cli(['create', '-e', 'spring.profiles.active=prod', 'alpine', 'true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/invalid environment variable name 'spring.profiles.active'/);
  });
});

describe('an environment logging to Azure Monitor (row 1)', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await daemon({ logDestination: 'azure-monitor' }, NO_AGENT);
  }, 120_000);
  afterAll(async () => {
    await d?.close();
  });

  it('docker run reads ContainerAppConsoleLogs with its own column names', async () => {
    const run = await d.cli(['run', '--rm', 'alpine', 'sh', '-c', 'echo to-monitor; echo oops >&2'], { timeoutMs: 110_000 });
    expect(run).toMatchObject({ code: 0, stdout: 'to-monitor\n', stderr: 'oops\n' });
  }, 120_000);
});

describe('with the agent (azure profile, strict validation)', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await daemon({});
  }, 120_000);
  afterAll(async () => {
    await d?.close();
  });

  it('docker run -e spring.profiles.active=prod starts (Azure refuses the name in a job) and the process sees it (row 8)', async () => {
    const run = await d.cli(['run', '--rm', '-e', 'spring.profiles.active=prod', 'alpine', 'env'], { timeoutMs: 110_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('spring.profiles.active=prod\n');
  }, 120_000);

  it('--cpus 4 runs on the Consumption workload profile, which the job names (row 7)', async () => {
    const run = await d.cli(['run', '-d', '--cpus', '4', 'alpine', 'true'], { timeoutMs: 110_000 });
    expect(run.code, run.stderr).toBe(0);
    const job = await jobOf(d, run.stdout.trim());
    expect(job.properties.workloadProfileName).toBe('Consumption');
    expect(job.properties.template.containers[0]!.resources.cpu).toBe(4);
    expect((await d.cli(['wait', run.stdout.trim()], { timeoutMs: 110_000 })).stdout).toBe('0\n');
  }, 120_000);
});

describe('a Consumption-only environment (row 7)', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await daemon({ environmentType: 'consumption', environmentFacts: { type: 'consumption', workloadProfiles: [], maxCores: 100 } });
  }, 120_000);
  afterAll(async () => {
    await d?.close();
  });

  it('refuses --cpus 3 at create with the range it has, and runs --cpus 2 with no workload profile', async () => {
    const big = await d.cli(['create', '--cpus', '3', 'alpine', 'true']);
    expect(big.code).not.toBe(0);
    expect(big.stderr).toMatch(/Consumption-only environment.*0.25 to 2 CPUs/);
    const run = await d.cli(['run', '--cpus', '2', 'alpine', 'echo', 'ok'], { timeoutMs: 110_000 });
    expect(run, run.stderr).toMatchObject({ code: 0, stdout: 'ok\n' });
  }, 120_000);
});

describe("the environment's core quota (row 14)", () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await daemon({ environmentFacts: { type: 'workload-profiles', workloadProfiles: [{ name: 'Consumption', workloadProfileType: 'Consumption', cores: 4, memoryGi: 8 }], maxCores: 3 } });
  }, 120_000);
  afterAll(async () => {
    await d?.close();
  });

  // The profile accepts the start past the quota (202) and fails its operation, as Azure reports
  // provisioning errors: the daemon must take that failure as permanent.
  it('a container past the quota fails at once with Azure\'s reason in State.Error, which docker run prints; the first keeps running', async () => {
    const first = await d.cli(['run', '-d', '--cpus', '2', 'alpine', 'sleep', '30'], { timeoutMs: 110_000 });
    expect(first.code, first.stderr).toBe(0);
    d.running.simulator!.resetStats();
    const second = await d.cli(['run', '--name', 'over-quota', '--cpus', '2', 'alpine', 'echo', 'x'], { timeoutMs: 110_000 });
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/Maximum Allowed Cores exceeded/);
    const info = await d.docker.getContainer('over-quota').inspect();
    expect(info.State.Running).toBe(false);
    expect(info.State.Error).toMatch(/Maximum Allowed Cores exceeded/);
    // Refused once, not retried as if it were transient.
    expect(d.running.simulator!.stats().byOperation.Jobs_Start).toBe(1);
    expect((await d.docker.getContainer(first.stdout.trim()).inspect()).State.Running).toBe(true);
    await d.cli(['rm', '-f', first.stdout.trim()]);
  }, 120_000);
});
