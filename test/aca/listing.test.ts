// Listing for reconciliation: managed jobs with their instance tags, and a job's executions.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAcaCloud } from '../../src/aca/aca-cloud';
import type { Cloud, JobSpec } from '../../src/aca/cloud';
import { acaConfigForSimulator } from '../../src/aca/connect';
import { startSimulator } from '../../src/simulator/index';

type Simulator = Awaited<ReturnType<typeof startSimulator>>;

function spec(script: string, extra: Partial<JobSpec> = {}): JobSpec {
  const id = randomBytes(32).toString('hex');
  return {
    jobName: `sockerless-${id.slice(0, 12)}`, containerId: id, image: 'busybox:latest', command: ['sh', '-c'], args: [script],
    env: [{ name: 'GREETING', value: 'hello' }], cpu: 1, memory: '2Gi', replicaTimeout: 600, ...extra,
  };
}

describe('listing managed jobs and executions on the simulator', () => {
  let sim: Simulator;
  let mine: Cloud;
  let theirs: Cloud;

  beforeAll(async () => {
    sim = await startSimulator({ stopGraceMs: 2_000 });
    mine = createAcaCloud(acaConfigForSimulator(sim, { instanceId: 'instance-a' }), sim);
    theirs = createAcaCloud(acaConfigForSimulator(sim, { instanceId: 'instance-b' }), sim);
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('lists every managed job with its container id and the instance that made it', async () => {
    const a = spec('exit 0');
    const b = spec('exit 0');
    await mine.runJob(a);
    await theirs.runJob(b);
    const jobs = await mine.listManagedJobs();
    expect(jobs).toContainEqual({ jobName: a.jobName, containerId: a.containerId, instanceId: 'instance-a' });
    expect(jobs).toContainEqual({ jobName: b.jobName, containerId: b.containerId, instanceId: 'instance-b' });
  });

  it('lists a job\'s executions newest first, with how the ended ones ended and the env names', async () => {
    const s = spec('exit 3');
    const first = await mine.runJob(s);
    await mine.waitForEnd(first, AbortSignal.timeout(20_000));
    const second = await mine.runJob({ ...s, args: ['sleep 30'] });
    const listed = await mine.listExecutions(s.jobName);
    expect(listed.map((e) => e.executionName)).toEqual([second.executionName, first.executionName]);
    expect(listed[1]).toMatchObject({ status: 'Failed', end: { status: 'Failed', exitCode: 3 } });
    expect(listed[1]!.envNames).toContain('GREETING');
    expect(['Running', 'Processing']).toContain(listed[0]!.status);
    expect(listed[0]!.end).toBeUndefined();
    await mine.stopExecution(second);
  });

  it('lists no executions for a job that does not exist', async () => {
    expect(await mine.listExecutions('sockerless-000000000000')).toEqual([]);
  });
});
