import type { RestError } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LRO, exitCode, jobName, logRows, runJob, shellJob, startHarness, waitForRow } from './helpers';
import type { SimHarness } from './helpers';

// isolation auto runs replicas in namespaces where the host allows it (root), so `none` keeps the
// plain-process path covered there too.
describe.each([
  { latency: 'instant' as const, isolation: 'auto' as const },
  { latency: 'realistic' as const, isolation: 'auto' as const },
  { latency: 'instant' as const, isolation: 'none' as const },
])('executions ($latency, isolation $isolation)', ({ latency, isolation }) => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startHarness({ latency, lroDelayMs: 50, isolation });
  });
  afterAll(() => h.close());

  it('a failing command ends Failed with its exit code, and its output is in Log Analytics by stream', async () => {
    const name = jobName();
    const execution = await runJob(h, name, shellJob(h, 'echo out; echo err >&2; exit 3'));
    expect(execution).toMatch(new RegExp(`^${name}-[a-z0-9]{7}$`));
    expect(await h.recorder.ended(execution)).toBe('Failed');

    const got = await h.arm.jobExecution(h.rg, name, execution);
    expect(got.status).toBe('Failed');
    expect(exitCode(got)).toBe(3);
    expect(got.reason).toBe('BackoffLimitExceeded');
    expect(got.startTime).toBeInstanceOf(Date);
    expect(got.endTime!.getTime()).toBeGreaterThanOrEqual(got.startTime!.getTime());
    expect(got.detailedStatus?.replicas?.[0]?.name).toMatch(new RegExp(`^${execution}-[a-z0-9]{5}$`));

    const rows = await logRows(h, name);
    expect(rows).toContainEqual(['stdout', 'out']);
    expect(rows).toContainEqual(['stderr', 'err']);
    expect(rows).toHaveLength(2);
  });

  it('a succeeding command ends Succeeded with code 0', async () => {
    const name = jobName();
    const execution = await runJob(h, name, shellJob(h, 'echo hi'));
    expect(await h.recorder.ended(execution)).toBe('Succeeded');
    const got = await h.arm.jobExecution(h.rg, name, execution);
    expect(got.status).toBe('Succeeded');
    expect(exitCode(got)).toBe(0);
    expect(got.detailedStatus?.replicas?.[0]?.containers?.[0]?.name).toBe('main');
    expect(await logRows(h, name)).toEqual([['stdout', 'hi']]);
  });

  it('stop sends SIGTERM: sleep ends Stopped with 143, well before the grace period', async () => {
    const name = jobName();
    const started = Date.now();
    const execution = await runJob(h, name, shellJob(h, 'exec sleep 30'));
    await h.recorder.waitFor((c) => c.kind === 'execution' && c.executionName === execution && c.status === 'Running');
    const running: string[] = [];
    for await (const e of h.arm.jobsExecutions.list(h.rg, name, { filter: "properties/status eq 'Running'" })) running.push(e.name!);
    expect(running).toEqual([execution]);

    await h.arm.jobs.stopExecution(h.rg, name, execution, LRO);
    expect(await h.recorder.ended(execution)).toBe('Stopped');
    expect(Date.now() - started).toBeLessThan(5000);
    const got = await h.arm.jobExecution(h.rg, name, execution);
    expect(got.status).toBe('Stopped');
    expect(exitCode(got)).toBe(143);

    const stillRunning: string[] = [];
    for await (const e of h.arm.jobsExecutions.list(h.rg, name, { filter: "properties/status eq 'Running'" })) stillRunning.push(e.name!);
    expect(stillRunning).toEqual([]);
    // Stopping an ended execution is fine.
    await h.arm.jobs.stopExecution(h.rg, name, execution, LRO);
  });

  it('deleting a job kills its running execution', async () => {
    const name = jobName();
    const execution = await runJob(h, name, shellJob(h, 'trap "" TERM; sleep 30'));
    await h.recorder.waitFor((c) => c.kind === 'execution' && c.executionName === execution && c.status === 'Running');
    await h.arm.jobs.delete(h.rg, name, LRO);
    expect(await h.recorder.ended(execution, 3000)).toBe('Stopped');
    expect(h.sim.jobNames()).not.toContain(name);
  });

  it('a template posted to start overrides the job template, and env and secrets reach the process', async () => {
    const name = jobName();
    await h.arm.jobs.createOrUpdate(
      h.rg,
      name,
      shellJob(h, 'echo job-template', { configuration: { triggerType: 'Manual', replicaTimeout: 60, secrets: [{ name: 'tok', value: 's3cret' }] } }),
      LRO,
    );
    const started = await h.arm.jobs.start(h.rg, name, {
      ...LRO,
      template: {
        containers: [
          {
            name: 'override',
            image: 'busybox:1',
            command: ['sh', '-c', 'echo "$GREETING $TOKEN $CONTAINER_APP_JOB_NAME"; pwd; echo "$HOME"'],
            env: [{ name: 'GREETING', value: 'hello' }, { name: 'TOKEN', secretRef: 'tok' }],
          },
        ],
      },
    });
    expect(await h.recorder.ended(started.name!)).toBe('Succeeded');
    const rows = await logRows(h, name);
    expect(rows[0]).toEqual(['stdout', `hello s3cret ${name}`]);
    if (h.sim.isolation === 'namespaces') {
      // A replica of an image without WORKDIR: at / of its own filesystem, HOME as a runtime sets it for root.
      expect(rows.slice(1)).toEqual([['stdout', '/'], ['stdout', '/root']]);
    } else {
      // Unisolated, each replica runs in its own scratch directory under dataDir, its HOME too.
      const scratch = new RegExp(`/sockerless-sim-[^/]+/replicas/${started.name}-[a-z0-9]{5}-[^/]+$`);
      expect(String(rows[1]![1])).toMatch(scratch);
      expect(rows[2]![1]).toBe(rows[1]![1]);
    }
    const got = await h.arm.jobExecution(h.rg, name, started.name!);
    expect(got.template?.containers?.[0]?.name).toBe('override');
  });
});

describe.each([{ isolation: 'auto' as const }, { isolation: 'none' as const }])('execution edge cases (isolation $isolation)', ({ isolation }) => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startHarness({ stopGraceMs: 200, isolation });
  });
  afterAll(() => h.close());

  it('SIGKILL follows SIGTERM after stopGraceMs: code 137', async () => {
    const name = jobName();
    const execution = await runJob(h, name, shellJob(h, 'trap "" TERM; echo trapped; sleep 30'));
    // A SIGTERM that came before the trap would end the shell: stop once it is in place.
    await waitForRow(h, name, ['stdout', 'trapped']);
    await h.arm.jobs.stopExecution(h.rg, name, execution, LRO);
    expect(await h.recorder.ended(execution, 3000)).toBe('Stopped');
    expect(exitCode(await h.arm.jobExecution(h.rg, name, execution))).toBe(137);
  });

  it('replicaTimeout exceeded: Failed with DeadlineExceeded', async () => {
    const name = jobName();
    const execution = await runJob(h, name, shellJob(h, 'echo started; exec sleep 30', { configuration: { triggerType: 'Manual', replicaTimeout: 1 } }));
    expect(await h.recorder.ended(execution, 5000)).toBe('Failed');
    const got = await h.arm.jobExecution(h.rg, name, execution);
    expect(got.reason).toBe('DeadlineExceeded');
    expect(exitCode(got)).toBe(143);
    expect(got.endTime!.getTime() - got.startTime!.getTime()).toBeGreaterThanOrEqual(1000);
  });

  it('a command that does not exist: Failed with 127 and the runtime message', async () => {
    const name = jobName();
    const job = shellJob(h, '');
    job.template!.containers![0] = { name: 'main', image: 'busybox', command: ['nosuchcmd-sim'] };
    const execution = await runJob(h, name, job);
    expect(await h.recorder.ended(execution)).toBe('Failed');
    const got = await h.arm.jobExecution(h.rg, name, execution);
    expect(exitCode(got)).toBe(127);
    expect(got.message).toBe('exec: "nosuchcmd-sim": executable file not found in $PATH');
  });

  it('a job with neither command nor args fails: there is no image to read defaults from', async () => {
    const name = jobName();
    const job = shellJob(h, '');
    job.template!.containers![0] = { name: 'main', image: 'busybox' };
    const execution = await runJob(h, name, job);
    expect(await h.recorder.ended(execution)).toBe('Failed');
    expect((await h.arm.jobExecution(h.rg, name, execution)).message).toContain('no command specified');
  });

  it('a last line without a newline is logged before the status turns terminal', async () => {
    const name = jobName();
    const execution = await runJob(h, name, shellJob(h, 'printf "a\\nb\\nno-newline"'));
    expect(await h.recorder.ended(execution)).toBe('Succeeded');
    const rows = await logRows(h, name);
    expect(rows).toEqual([['stdout', 'a'], ['stdout', 'b'], ['stdout', 'no-newline']]);
    const terminalAt = h.recorder.changes.findIndex((c) => c.kind === 'execution' && c.executionName === execution && c.status === 'Succeeded');
    const rowsBefore = h.recorder.changes.slice(0, terminalAt).reduce((n, c) => n + (c.kind === 'logs' ? c.rows : 0), 0);
    expect(rowsBefore).toBeGreaterThanOrEqual(3);
  });

  it('start of an unknown job answers 404', async () => {
    const err = (await h.arm.jobs.start(h.rg, 'no-such-job', LRO).catch((e: unknown) => e)) as RestError;
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('ResourceNotFound');
  });
});
