// The azure profile's timing, through the real SDK clients, time-scaled (each figure's source is
// in src/simulator/profile/figures.ts). Only lower bounds set by the profile's own clamps are
// asserted: a loaded machine can make things slower, never faster.
import type { RestError } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FIGURES } from '../../src/simulator';
import type { SimulatorChange } from '../../src/simulator';
import { waitForLoggedRow } from './azure-helpers';
import { LRO, exitCode, jobName, rawRequest, runJob, shellJob, startHarness } from './helpers';
import type { SimHarness } from './helpers';

const SCALE = 0.01;
const API = 'api-version=2026-07-01';
const min = (name: keyof typeof FIGURES) => FIGURES[name].value.min * SCALE;

/** When each status of `execution` was announced (ms since epoch). */
function statusTimes(changes: SimulatorChange[], execution: string): Array<{ status: string; at: number }> {
  return (changes as Array<SimulatorChange & { at?: number }>)
    .filter((c): c is Extract<SimulatorChange, { kind: 'execution' }> & { at?: number } => c.kind === 'execution' && c.executionName === execution)
    .map((c) => ({ status: c.status, at: c.at ?? 0 }));
}

describe('azure profile: timing as Azure’s', () => {
  let h: SimHarness;
  let auth: Record<string, string>;
  const stamped: Array<SimulatorChange & { at: number }> = [];
  beforeAll(async () => {
    h = await startHarness({ profile: 'azure', timeScale: SCALE, seed: 7 });
    h.sim.on('change', (c: SimulatorChange) => stamped.push({ ...c, at: Date.now() }));
    const token = await h.credential.getToken('https://management.azure.com/.default');
    auth = { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' };
  });
  afterAll(() => h.close());

  const jobPath = (name: string) => `/subscriptions/${h.sim.subscriptionId}/resourceGroups/${h.rg}/providers/Microsoft.App/jobs/${name}`;
  const wireBody = () => {
    const job = shellJob(h, 'true');
    return JSON.stringify({ location: job.location, properties: { environmentId: job.environmentId, configuration: job.configuration, template: job.template } });
  };

  it('Jobs PUT is a long-running operation, also when nothing changed (jobPutMs; spec 201 + Azure-AsyncOperation, aca#1559)', async () => {
    const name = jobName('put');
    for (const expected of [201, 200]) {
      const res = await rawRequest(h.sim, 'PUT', `${jobPath(name)}?${API}`, auth, wireBody());
      expect(res.status).toBe(expected);
      expect(res.headers['azure-asyncoperation']).toBeDefined();
      expect(JSON.parse(res.body).properties.provisioningState).toBe('InProgress');
      const monitor = await rawRequest(h.sim, 'GET', String(res.headers['azure-asyncoperation']), auth);
      expect(JSON.parse(monitor.body).status).toBe('InProgress');
      // The SDK's poller waits it out.
      await h.arm.jobs.createOrUpdate(h.rg, name, shellJob(h, 'true'), LRO);
      expect((await h.arm.jobs.get(h.rg, name)).provisioningState).toBe('Succeeded');
    }
  });

  it('start and stop are LROs answering 202 + Location (jobStartMs, stopExecutionMs; spec)', async () => {
    const name = jobName('lro');
    await h.arm.jobs.createOrUpdate(h.rg, name, shellJob(h, 'sleep 30'), LRO);
    const start = await rawRequest(h.sim, 'POST', `${jobPath(name)}/start?${API}`, auth);
    expect(start.status).toBe(202);
    expect(start.headers.location).toBeDefined();
    const started = await h.arm.jobs.start(h.rg, name, LRO);
    const stop = await rawRequest(h.sim, 'POST', `${jobPath(name)}/executions/${started.name}/stop?${API}`, auth);
    expect(stop.status).toBe(202);
    expect(stop.headers.location).toBeDefined();
    const pending = await rawRequest(h.sim, 'GET', String(stop.headers.location), auth);
    expect(pending.status).toBe(202);
  });

  it('an execution stays Processing while its replica is scheduled and its image pulled, cold then cached (scheduleMs, imagePull*Ms; aca#1800, aca#1763)', async () => {
    const name = jobName('proc');
    await h.arm.jobs.createOrUpdate(h.rg, name, shellJob(h, 'true', {
      template: { containers: [{ name: 'main', image: `busybox:cold-${process.pid}`, command: ['sh', '-c'], args: ['true'] }] },
    }), LRO);
    const cold = await h.arm.jobs.start(h.rg, name, LRO);
    expect((await h.arm.jobExecution(h.rg, name, cold.name!)).status).toBe('Processing');
    expect(await h.recorder.ended(cold.name!, 20_000)).toBe('Succeeded');
    const times = statusTimes(stamped, cold.name!);
    expect(times.map((t) => t.status)).toEqual(['Processing', 'Running', 'Succeeded']);
    expect(times[1]!.at - times[0]!.at).toBeGreaterThanOrEqual(min('scheduleMs') + min('imagePullColdMs') - 5);
    const cached = await h.arm.jobs.start(h.rg, name, LRO);
    expect(await h.recorder.ended(cached.name!, 20_000)).toBe('Succeeded');
    const again = statusTimes(stamped, cached.name!);
    expect(again[1]!.at - again[0]!.at).toBeGreaterThanOrEqual(min('scheduleMs') + min('imagePullCachedMs') - 5);
  });

  it('the status turns terminal only after a lag once the container exited, with the exit code in detailedStatus (exitToTerminalMs; aca#1800; spec detailedStatus)', async () => {
    const name = jobName('lag');
    const execution = await runJob(h, name, shellJob(h, 'exit 3'));
    expect(await h.recorder.ended(execution, 20_000)).toBe('Failed');
    const times = statusTimes(stamped, execution);
    expect(times[2]!.at - times[1]!.at).toBeGreaterThanOrEqual(min('exitToTerminalMs') - 5);
    const got = await h.arm.jobExecution(h.rg, name, execution);
    expect(exitCode(got)).toBe(3);
    expect(got.detailedStatus?.replicas?.[0]?.containers?.[0]).toMatchObject({ name: 'main', code: 3, status: 'Failed', additionalInformation: 'Error' });
  });

  it('stop sends SIGTERM and SIGKILL after ACA’s fixed 30 s job grace, time-scaled (stopGraceMs; aca#1669)', async () => {
    const name = jobName('grace');
    const execution = await runJob(h, name, shellJob(h, 'trap "" TERM; echo trapped; sleep 30'));
    await waitForLoggedRow(h, name, ['stdout', 'trapped']);
    const stoppedAt = Date.now();
    await h.arm.jobs.stopExecution(h.rg, name, execution, LRO);
    expect(await h.recorder.ended(execution, 20_000)).toBe('Stopped');
    const end = statusTimes(stamped, execution).at(-1)!;
    expect(end.at - stoppedAt).toBeGreaterThanOrEqual(FIGURES.stopGraceMs.value.median * SCALE - 5);
    expect(exitCode(await h.arm.jobExecution(h.rg, name, execution))).toBe(137);
  });
});

describe('azure profile: executions as ACA keeps them', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startHarness({ profile: 'azure', timeScale: SCALE, figures: { executionHistory: 2 } });
  });
  afterAll(() => h.close());

  it('keeps a bounded history per job: the oldest ended executions are gone (executionHistory; Learn container-apps/jobs, 100)', async () => {
    const name = jobName('hist');
    await h.arm.jobs.createOrUpdate(h.rg, name, shellJob(h, 'true'), LRO);
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const started = await h.arm.jobs.start(h.rg, name, LRO);
      names.push(started.name!);
      expect(await h.recorder.ended(started.name!, 20_000)).toBe('Succeeded');
    }
    const listed: string[] = [];
    for await (const e of h.arm.jobsExecutions.list(h.rg, name)) listed.push(e.name!);
    expect(listed.sort()).toEqual(names.slice(1).sort());
    const err = (await h.arm.jobExecution(h.rg, name, names[0]!).catch((e: unknown) => e)) as RestError;
    expect(err.statusCode).toBe(404);
  });
});

describe('azure profile: ARM’s request limits', () => {
  let h: SimHarness;
  beforeAll(async () => {
    // A small read bucket to reach it quickly; the profile's own is 250, refilled at 25/s.
    h = await startHarness({ profile: 'azure', timeScale: SCALE, figures: { armReadBucket: 3, armReadRefillPerSecond: 0.1 } });
  });
  afterAll(() => h.close());

  it('throttles reads past the bucket with 429 + Retry-After and the remaining-reads header (armRead*; Learn request-limits-and-throttling)', async () => {
    const token = await h.credential.getToken('https://management.azure.com/.default');
    const auth = { authorization: `Bearer ${token.token}` };
    const path = `/subscriptions/${h.sim.subscriptionId}/resourceGroups/${h.rg}/providers/Microsoft.App/jobs?${API}`;
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await rawRequest(h.sim, 'GET', path, auth));
    expect(answers.slice(0, 3).map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers[0]!.headers['x-ms-ratelimit-remaining-subscription-reads']).toBeDefined();
    const throttled = answers.at(-1)!;
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(h.sim.faultCounts().throttled).toBeGreaterThanOrEqual(1);
  });
});
