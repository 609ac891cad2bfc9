import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAcaCloud } from '../../src/aca/aca-cloud';
import type { Cloud, Execution, JobSpec, LogQuery, LogRow } from '../../src/aca/cloud';
import { acaConfigForSimulator } from '../../src/aca/connect';
import { startSimulator } from '../../src/simulator/index';

type Simulator = Awaited<ReturnType<typeof startSimulator>>;

function jobSpec(command: string[] | undefined, args: string[] | undefined, id = randomBytes(32).toString('hex')): JobSpec {
  return {
    jobName: `sockerless-${id.slice(0, 12)}`,
    containerId: id,
    image: 'busybox:latest',
    command,
    args,
    env: [{ name: 'GREETING', value: 'hello' }],
    cpu: 1,
    memory: '2Gi',
    replicaTimeout: 600,
    tags: { 'sockerless-test': 'aca-cloud' },
  };
}

const shell = (script: string, id?: string) => jobSpec(['sh', '-c'], [script], id);

describe.each(['instant', 'realistic'] as const)('AcaCloud on the embedded simulator (%s latency)', (latency) => {
  let sim: Simulator;
  let cloud: Cloud;

  /** Re-runs the query at every change hint until `done` holds (log ingestion is asynchronous). */
  async function logsUntil(q: LogQuery, done: (rows: LogRow[]) => boolean): Promise<LogRow[]> {
    for (;;) {
      const changed = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250);
        sim.once('change', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      const rows = await cloud.queryLogs(q);
      if (done(rows)) return rows;
      await changed;
    }
  }

  async function runToEnd(spec: JobSpec): Promise<Execution> {
    const execution = await cloud.runJob(spec);
    await cloud.waitForEnd(execution, AbortSignal.timeout(25_000));
    return execution;
  }

  beforeAll(async () => {
    sim = await startSimulator({ latency, lroDelayMs: 100, stopGraceMs: 5_000 });
    // A poll interval longer than the test timeout: ends are only seen in time through the hints.
    cloud = createAcaCloud(acaConfigForSimulator(sim, { pollIntervalMs: 60_000 }), sim);
  });

  afterAll(async () => {
    for (const name of sim?.jobNames() ?? []) await cloud.deleteJob(name);
    await sim?.close();
  });

  it('reports a failed run with its exit code and both output streams', async () => {
    const spec = shell('echo out; echo err >&2; exit 3');
    const execution = await cloud.runJob(spec);
    expect(execution.jobName).toBe(spec.jobName);
    expect(execution.executionName).toMatch(new RegExp(`^${spec.jobName}-`));

    const end = await cloud.waitForEnd(execution, AbortSignal.timeout(25_000));
    expect(end).toMatchObject({ status: 'Failed', exitCode: 3 });

    const rows = await logsUntil({ jobName: spec.jobName }, (r) => r.length >= 2);
    expect(rows).toHaveLength(2);
    expect(rows.map(({ stream, line }) => ({ stream, line }))).toEqual(
      expect.arrayContaining([
        { stream: 'stdout', line: 'out' },
        { stream: 'stderr', line: 'err' },
      ]),
    );
    for (const row of rows) expect(new Date(row.time).toISOString()).toBe(row.time);
  });

  it('reports a successful run with exit code 0', async () => {
    const execution = await cloud.runJob(shell('test "$GREETING" = hello'));
    await expect(cloud.waitForEnd(execution, AbortSignal.timeout(25_000))).resolves.toMatchObject({
      status: 'Succeeded',
      exitCode: 0,
    });
  });

  it('returns the last rows oldest first with tail, and honours since and until', async () => {
    // Rows are stamped as the simulator reads them: gaps wide enough that a busy event loop keeps them apart.
    const spec = shell('for i in 1 2 3 4 5; do echo line$i; sleep 0.3; done');
    await runToEnd(spec);
    const all = await logsUntil({ jobName: spec.jobName }, (r) => r.length >= 5);
    expect(all.map((r) => r.line)).toEqual(['line1', 'line2', 'line3', 'line4', 'line5']);

    const tail = await cloud.queryLogs({ jobName: spec.jobName, tail: 2 });
    expect(tail.map((r) => r.line)).toEqual(['line4', 'line5']);

    // Midpoints between rows, so the bounds don't depend on the stored timestamp precision.
    const between = (a: LogRow, b: LogRow) => new Date((Date.parse(a.time) + Date.parse(b.time)) / 2);
    const since = await cloud.queryLogs({ jobName: spec.jobName, since: between(all[1]!, all[2]!) });
    expect(since.map((r) => r.line)).toEqual(['line3', 'line4', 'line5']);
    const until = await cloud.queryLogs({ jobName: spec.jobName, until: between(all[2]!, all[3]!) });
    expect(until.map((r) => r.line)).toEqual(['line1', 'line2', 'line3']);
  });

  it('keeps another execution of the same job out when filtering by execution name', async () => {
    const id = randomBytes(32).toString('hex');
    const first = await runToEnd(shell('echo first run', id));
    const second = await runToEnd(shell('echo second run', id));
    expect(second.executionName).not.toBe(first.executionName);
    await logsUntil({ jobName: first.jobName }, (r) => r.length >= 2);

    const firstRows = await cloud.queryLogs({ jobName: first.jobName, executionName: first.executionName });
    expect(firstRows.map((r) => r.line)).toEqual(['first run']);
    const secondRows = await cloud.queryLogs({ jobName: first.jobName, executionName: second.executionName });
    expect(secondRows.map((r) => r.line)).toEqual(['second run']);
  });

  it('stops a running execution with SIGTERM (143)', async () => {
    const execution = await cloud.runJob(jobSpec(['sleep'], ['30']));
    const ended = cloud.waitForEnd(execution, AbortSignal.timeout(25_000));
    await cloud.stopExecution(execution);
    await expect(ended).resolves.toMatchObject({ status: 'Stopped', exitCode: 143 });
  });

  it('deletes a job, and a second delete or a stop afterwards is fine', async () => {
    const spec = shell('true');
    const execution = await runToEnd(spec);
    expect(sim.jobNames()).toContain(spec.jobName);

    await cloud.deleteJob(spec.jobName);
    expect(sim.jobNames()).not.toContain(spec.jobName);
    await expect(cloud.deleteJob(spec.jobName)).resolves.toBeUndefined();
    await expect(cloud.stopExecution(execution)).resolves.toBeUndefined();
  });

  it('says an execution vanished when its job is deleted while waiting', async () => {
    const spec = jobSpec(['sleep'], ['30']);
    const execution = await cloud.runJob(spec);
    const ended = cloud.waitForEnd(execution, AbortSignal.timeout(25_000));
    await cloud.deleteJob(spec.jobName);
    // The deletion may be seen as the end of the run or as the job having gone.
    const end = await ended;
    expect(['Failed', 'Stopped']).toContain(end.status);
    await expect(cloud.waitForEnd(execution, AbortSignal.timeout(25_000))).resolves.toMatchObject({
      status: 'Failed',
      message: expect.stringContaining('vanished'),
    });
  });

  it('stops waiting at once when aborted, leaving no listener behind', async () => {
    const execution = await cloud.runJob(jobSpec(['sleep'], ['30']));
    const listenersBefore = sim.listenerCount('change');
    const controller = new AbortController();
    const ended = cloud.waitForEnd(execution, controller.signal);
    const reason = new Error('container removed');
    controller.abort(reason);
    await expect(ended).rejects.toBe(reason);
    expect(sim.listenerCount('change')).toBe(listenersBefore);
    await cloud.stopExecution(execution);
  });

  it('stores the job as specified: tags, manual trigger, one replica, 1.0 CPU / 2Gi', async () => {
    const spec = shell('true');
    await runToEnd(spec);
    expect(sim.job(spec.jobName)).toMatchObject({
      name: spec.jobName,
      location: sim.location,
      tags: {
        'managed-by': 'sockerless',
        'sockerless-container-id': spec.containerId,
        'sockerless-test': 'aca-cloud',
      },
      properties: {
        environmentId: `/subscriptions/${sim.subscriptionId}/resourceGroups/${sim.resourceGroup}/providers/Microsoft.App/managedEnvironments/${sim.environment}`,
        configuration: {
          triggerType: 'Manual',
          replicaTimeout: 600,
          replicaRetryLimit: 0,
          manualTriggerConfig: { replicaCompletionCount: 1, parallelism: 1 },
        },
        template: {
          containers: [
            {
              name: 'main',
              image: 'busybox:latest',
              command: ['sh', '-c'],
              args: ['true'],
              env: [{ name: 'GREETING', value: 'hello' }],
              resources: { cpu: 1, memory: '2Gi' },
            },
          ],
        },
      },
    });
  });

  it('runs a job with one create and one start, and waits by hints rather than by polling', async () => {
    sim.resetStats();
    const execution = await cloud.runJob(jobSpec(['sleep'], ['0.3']));
    expect(sim.stats().byOperation).toMatchObject({ Jobs_CreateOrUpdate: 1, Jobs_Start: 1 });
    expect(sim.stats().writes).toBe(2);

    const chatty = await cloud.runJob(shell('for i in $(seq 20); do echo $i; sleep 0.01; done'));
    sim.resetStats();
    await cloud.waitForEnd(execution, AbortSignal.timeout(25_000));
    // One look at the start, then one per status change of this run: no busy loop, and the
    // neighbour's log rows and status changes don't wake this waiter.
    expect(sim.stats().byOperation.JobExecution).toBeLessThanOrEqual(3);
    await cloud.waitForEnd(chatty, AbortSignal.timeout(25_000));
  });

  it('refuses to query logs without a workspace', async () => {
    const noLogs = createAcaCloud(acaConfigForSimulator(sim, { workspaceId: undefined }), sim);
    await expect(noLogs.queryLogs({ jobName: 'sockerless-000000000000' })).rejects.toThrow(
      /SOCKERLESS_ACA_LOG_ANALYTICS_WORKSPACE/,
    );
  });
});
