// Fault injection and ARM throttling, observed through the real SDK clients.
import { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import type { RestError } from '@azure/core-rest-pipeline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { FaultInjector } from '../../src/simulator/faults';
import { parseSimulatorSettings, simulatorOptionsFrom, type Environment } from '../../src/settings';
import type { FaultKind, FaultPlan } from '../../src/simulator/faults';
import type { RouteSpec } from '../../src/simulator/routing';
import { startSimulator } from '../../src/simulator';
import { LRO, jobName, logQuery, rawRequest, shellJob, startHarness, waitForRow } from './helpers';
import type { SimHarness } from './helpers';

/** What the daemon's embedded simulator gets of these variables (the settings schema, as at start). */
const simulatorFaultsFromEnv = (env: Environment) => simulatorOptionsFrom(parseSimulatorSettings(env));

const API = 'api-version=2026-07-01';

const fakeRoute = (operation: string, faultHooks?: FaultKind[]): RouteSpec => ({
  method: 'GET', path: '/', operation, kind: 'read', audience: 'arm', faultHooks, handle: () => new Response(),
});

/** Which requests (in order) a plan faults, for a stand-in route. */
function faultSequence(plan: FaultPlan, operation: string, n: number): string[] {
  const injector = new FaultInjector(plan);
  return Array.from({ length: n }, () => injector.decide(fakeRoute(operation))?.kind ?? '-');
}

/** The first seed whose draws for a rate-0.5 single-rule plan hit exactly as `pattern` says. */
function seedGiving(pattern: boolean[]): number {
  for (let seed = 1; ; seed++) {
    const hits = faultSequence({ seed, rules: [{ operation: 'x', kind: 'error500', rate: 0.5 }] }, 'x', pattern.length);
    if (hits.every((k, i) => (k !== '-') === pattern[i])) return seed;
  }
}

describe('FaultInjector', () => {
  const plan: FaultPlan = {
    seed: 42,
    rules: [
      { operation: 'Jobs_Get', kind: 'throttle', rate: 0.3 },
      { operation: 'arm', kind: 'error500', rate: 0.3 },
    ],
  };

  it('gives the same fault sequence for the same seed, and another for another seed', () => {
    const a = faultSequence(plan, 'Jobs_Get', 40);
    expect(faultSequence(plan, 'Jobs_Get', 40)).toEqual(a);
    expect(a).toContain('throttle');
    expect(a).toContain('error500');
    expect(a).toContain('-');
    expect(faultSequence({ ...plan, seed: 43 }, 'Jobs_Get', 40)).not.toEqual(a);
  });

  it('never faults identity routes unless a rule names them; hook kinds only where the route applies them', () => {
    const injector = new FaultInjector({ seed: 1, rules: [{ operation: '*', kind: 'drop', rate: 1 }] });
    expect(injector.decide({ ...fakeRoute('token'), kind: 'identity', audience: 'none' })).toBeUndefined();
    const named = new FaultInjector({ seed: 1, rules: [{ operation: 'token', kind: 'drop', rate: 1 }] });
    expect(named.decide({ ...fakeRoute('token'), kind: 'identity', audience: 'none' })?.kind).toBe('drop');

    const hooks = new FaultInjector({ seed: 1, rules: [{ operation: '*', kind: 'lro-failed', rate: 1 }] });
    expect(hooks.decide(fakeRoute('Jobs_Get'))).toBeUndefined();
    expect(hooks.decide(fakeRoute('Jobs_Start', ['lro-failed']))?.kind).toBe('lro-failed');
    expect(hooks.counts()).toEqual({ 'Jobs_Start:lro-failed': 1 });
  });

  it('reads SOCKERLESS_SIM_FAULTS and SOCKERLESS_SIM_ARM_THROTTLE, and refuses bad ones', () => {
    const throttle = { reads: { bucket: 10, refillPerSecond: 1 }, writes: { bucket: 5, refillPerSecond: 1 } };
    expect(simulatorFaultsFromEnv({ SOCKERLESS_SIM_FAULTS: JSON.stringify(plan), SOCKERLESS_SIM_ARM_THROTTLE: JSON.stringify(throttle) }))
      .toEqual({ faults: plan, armThrottle: throttle });
    expect(simulatorFaultsFromEnv({})).toEqual({});
    expect(() => simulatorFaultsFromEnv({ SOCKERLESS_SIM_FAULTS: '{' })).toThrow(/SOCKERLESS_SIM_FAULTS: not JSON/);
    expect(() => simulatorFaultsFromEnv({ SOCKERLESS_SIM_FAULTS: '{"seed":1,"rules":[{"operation":"*","kind":"boom","rate":1}]}' }))
      .toThrow(/rules\.0\.kind/);
  });

  it('refuses a bad plan in the simulator options before starting', async () => {
    await expect(startSimulator({ faults: { seed: 1, rules: [{ operation: '*', kind: 'drop', rate: 2 }] } })).rejects.toThrow(/fault plan: rules\.0\.rate/);
  });
});

describe('faults through the SDK clients', () => {
  let h: SimHarness;
  /** An ARM client that retries 5xx and dropped connections quickly (429/503 still wait Retry-After). */
  let arm: ContainerAppsAPIClient;
  let auth: Record<string, string>;

  beforeAll(async () => {
    h = await startHarness({ isolation: 'none', lroDelayMs: 50, stopGraceMs: 2000 });
    arm = new ContainerAppsAPIClient(h.credential, h.sim.subscriptionId, {
      endpoint: h.sim.url,
      tlsOptions: { ca: h.sim.ca },
      retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 20 },
    });
    const token = await h.credential.getToken('https://management.azure.com/.default');
    auth = { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' };
  });
  afterAll(() => h.close());
  afterEach(() => {
    h.sim.setFaults(undefined);
    h.sim.setArmThrottle(undefined);
  });

  const jobsPath = () => `/subscriptions/${h.sim.subscriptionId}/resourceGroups/${h.rg}/providers/Microsoft.App/jobs`;

  async function createJob(script = 'true'): Promise<string> {
    const name = jobName('fault');
    await arm.jobs.createOrUpdate(h.rg, name, shellJob(h, script), LRO);
    return name;
  }

  /** Runs `call` under a plan and returns how many requests the operation saw and how many were faulted. */
  async function underPlan(plan: FaultPlan, operation: string, call: () => Promise<unknown>): Promise<{ requests: number; injected: Record<string, number> }> {
    h.sim.resetStats();
    h.sim.setFaults(plan);
    await call();
    return { requests: h.sim.stats().byOperation[operation] ?? 0, injected: h.sim.faultCounts().injected };
  }

  it('gives the same faults on the wire for the same seed', async () => {
    const name = await createJob();
    const plan: FaultPlan = { seed: 7, rules: [{ operation: 'Jobs_Get', kind: 'error500', rate: 0.5 }] };
    const statuses = async () => {
      h.sim.setFaults(plan);
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await rawRequest(h.sim, 'GET', `${jobsPath()}/${name}?${API}`, auth)).status);
      return out;
    };
    const first = await statuses();
    expect(new Set(first)).toEqual(new Set([200, 500]));
    expect(await statuses()).toEqual(first);
    expect(h.sim.faultCounts().injected['Jobs_Get:error500']).toBe(first.filter((s) => s === 500).length);
  });

  it('throttle: a 429 with Retry-After and the ARM error body, which the SDK waits out and retries', async () => {
    const name = await createJob();
    const seed = seedGiving([true, false]);
    const raw = await underPlan({ seed, rules: [{ operation: 'Jobs_Get', kind: 'throttle', rate: 0.5, retryAfterSeconds: 1 }] }, 'Jobs_Get', async () => {
      const res = await rawRequest(h.sim, 'GET', `${jobsPath()}/${name}?${API}`, auth);
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('1');
      expect(JSON.parse(res.body).error.code).toBe('TooManyRequests');
    });
    expect(raw.injected).toEqual({ 'Jobs_Get:throttle': 1 });

    const sdk = await underPlan({ seed, rules: [{ operation: 'Jobs_Get', kind: 'throttle', rate: 0.5 }] }, 'Jobs_Get', async () => {
      expect((await arm.jobs.get(h.rg, name)).name).toBe(name);
    });
    expect(sdk).toEqual({ requests: 2, injected: { 'Jobs_Get:throttle': 1 } });
  });

  it('error500 and error503: retried by the SDK until an answer gets through', async () => {
    const name = await createJob();
    const e500 = await underPlan({ seed: seedGiving([true, true, false]), rules: [{ operation: 'arm', kind: 'error500', rate: 0.5 }] }, 'Jobs_Get', async () => {
      expect((await arm.jobs.get(h.rg, name)).name).toBe(name);
    });
    expect(e500).toEqual({ requests: 3, injected: { 'Jobs_Get:error500': 2 } });

    const e503 = await underPlan({ seed: seedGiving([true, false]), rules: [{ operation: '*', kind: 'error503', rate: 0.5 }] }, 'Jobs_Get', async () => {
      expect((await arm.jobs.get(h.rg, name)).name).toBe(name);
    });
    expect(e503).toEqual({ requests: 2, injected: { 'Jobs_Get:error503': 1 } });

    h.sim.setFaults({ seed: 1, rules: [{ operation: 'Jobs_Get', kind: 'error500', rate: 1 }] });
    const err = (await arm.jobs.get(h.rg, name).catch((e: unknown) => e)) as RestError;
    expect(err.statusCode).toBe(500);
    expect(err.code).toBe('InternalServerError');
    expect(h.sim.faultCounts().injected['Jobs_Get:error500']).toBe(4);
  });

  it('drop: the connection is reset without an answer and the SDK re-sends, a PUT included', async () => {
    const seed = seedGiving([true, false]);
    const name = jobName('fault');
    const got = await underPlan({ seed, rules: [{ operation: 'Jobs_CreateOrUpdate', kind: 'drop', rate: 0.5 }] }, 'Jobs_CreateOrUpdate', async () => {
      await arm.jobs.createOrUpdate(h.rg, name, shellJob(h, 'true'), LRO);
    });
    expect(got).toEqual({ requests: 2, injected: { 'Jobs_CreateOrUpdate:drop': 1 } });
    expect(h.sim.jobNames()).toContain(name);

    h.sim.setFaults({ seed, rules: [{ operation: 'Jobs_Get', kind: 'drop', rate: 1 }] });
    await expect(rawRequest(h.sim, 'GET', `${jobsPath()}/${name}?${API}`, auth)).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  it('slow: the answer is held, then given', async () => {
    const name = await createJob();
    const got = await underPlan({ seed: 1, rules: [{ operation: 'JobExecution', kind: 'slow', rate: 1, delayMs: 300 }, { operation: 'Jobs_Get', kind: 'slow', rate: 1, delayMs: 300 }] }, 'Jobs_Get', async () => {
      expect((await arm.jobs.get(h.rg, name)).name).toBe(name);
    });
    expect(got).toEqual({ requests: 1, injected: { 'Jobs_Get:slow': 1 } });
  });

  it('lro-failed: the operation ends Failed, the SDK call rejects, and the write did not take effect', async () => {
    h.sim.setFaults({ seed: 1, rules: [{ operation: 'Jobs_CreateOrUpdate', kind: 'lro-failed', rate: 1 }] });
    const name = jobName('fault');
    await expect(arm.jobs.createOrUpdate(h.rg, name, shellJob(h, 'true'), LRO)).rejects.toThrow(
      /long-running operation has failed\. ContainerAppOperationError\. The operation failed/,
    );
    expect(h.sim.jobNames()).not.toContain(name);
    expect(((await arm.jobs.get(h.rg, name).catch((e: unknown) => e)) as RestError).statusCode).toBe(404);

    // A body ARM refuses is still refused at once, fault or not.
    const invalid = (await arm.jobs.createOrUpdate(h.rg, 'Bad_Name', shellJob(h, 'true'), LRO).catch((e: unknown) => e)) as RestError;
    expect(invalid.statusCode).toBe(400);

    h.sim.setFaults(undefined);
    const existing = await createJob('exec sleep 30');
    h.sim.setFaults({ seed: 1, rules: [{ operation: 'Jobs_Start', kind: 'lro-failed', rate: 1 }, { operation: 'Jobs_Delete', kind: 'lro-failed', rate: 1 }] });
    await expect(arm.jobs.start(h.rg, existing, LRO)).rejects.toThrow(/long-running operation has failed/);
    await expect(arm.jobs.delete(h.rg, existing, LRO)).rejects.toThrow(/long-running operation has failed/);
    expect(h.sim.jobNames()).toContain(existing);
    const executions = [];
    for await (const e of arm.jobsExecutions.list(h.rg, existing)) executions.push(e);
    expect(executions).toEqual([]);
    expect(h.sim.faultCounts().injected).toEqual({ 'Jobs_Start:lro-failed': 1, 'Jobs_Delete:lro-failed': 1 });
  });

  it('lro-stuck: the operation stays InProgress (the poller goes on until aborted) and nothing is created', async () => {
    h.sim.resetStats();
    h.sim.setFaults({ seed: 1, rules: [{ operation: 'Jobs_CreateOrUpdate', kind: 'lro-stuck', rate: 1 }] });
    const name = jobName('fault');
    const aborted = arm.jobs.createOrUpdate(h.rg, name, shellJob(h, 'true'), { ...LRO, abortSignal: AbortSignal.timeout(500) });
    await expect(aborted).rejects.toThrow(/abort/i);
    expect(h.sim.stats().byOperation.OperationStatus).toBeGreaterThan(1);
    expect(h.sim.jobNames()).not.toContain(name);
  });

  it('execution-stuck: the execution stays Processing, never launched, until a stop ends it', async () => {
    const name = await createJob('echo ran');
    h.sim.setFaults({ seed: 1, rules: [{ operation: 'Jobs_Start', kind: 'execution-stuck', rate: 1 }] });
    const started = await arm.jobs.start(h.rg, name, LRO);
    const execution = started.name!;
    // Longer than a launch takes here; no change may come meanwhile.
    await new Promise((r) => setTimeout(r, 300));
    const stuck = await arm.jobExecution(h.rg, name, execution);
    expect(stuck.status).toBe('Processing');
    expect(stuck.detailedStatus?.replicas).toEqual([]);

    await arm.jobs.stopExecution(h.rg, name, execution, LRO);
    expect(await h.recorder.ended(execution)).toBe('Stopped');
    expect((await arm.jobExecution(h.rg, name, execution)).status).toBe('Stopped');
    expect(h.recorder.changes.some((c) => c.kind === 'execution' && c.executionName === execution && c.status === 'Running')).toBe(false);
  });

  it('logs-partial: the query answers its rows beside a PartialError, which the SDK reports as PartialFailure', async () => {
    const name = await createJob('echo partial-line');
    await arm.jobs.start(h.rg, name, LRO);
    await waitForRow(h, name, ['stdout', 'partial-line']);
    h.sim.setFaults({ seed: 1, rules: [{ operation: 'Query_Execute', kind: 'logs-partial', rate: 1 }] });
    const result = await h.logs.queryWorkspace(h.sim.workspaceId, logQuery(name), { duration: 'PT1H' });
    expect(result.status).toBe('PartialFailure');
    if (result.status !== 'PartialFailure') return;
    expect(result.partialError.code).toBe('PartialError');
    expect(result.partialTables[0]!.rows.map((r) => r.slice(1))).toEqual([['stdout', 'partial-line']]);
  });

  it('ARM throttling: 429 with Retry-After once a bucket is empty, remaining counts on every answer, 429s counted', async () => {
    h.sim.setArmThrottle({ reads: { bucket: 2, refillPerSecond: 0.01 }, writes: { bucket: 1, refillPerSecond: 1 } });
    const list = () => rawRequest(h.sim, 'GET', `${jobsPath()}?${API}`, auth);
    const [a, b, c] = [await list(), await list(), await list()];
    expect([a.status, b.status, c.status]).toEqual([200, 200, 429]);
    expect([a, b, c].map((r) => r.headers['x-ms-ratelimit-remaining-subscription-reads'])).toEqual(['1', '0', '0']);
    expect(c.headers['retry-after']).toBe('100');
    expect(JSON.parse(c.body).error.code).toBe('SubscriptionRequestsThrottled');
    expect(h.sim.faultCounts().throttled).toBe(1);

    // Writes have their own bucket; the SDK waits out a 429 on the second PUT.
    h.sim.resetStats();
    await arm.jobs.createOrUpdate(h.rg, jobName('fault'), shellJob(h, 'true'), LRO);
    await arm.jobs.createOrUpdate(h.rg, jobName('fault'), shellJob(h, 'true'), LRO);
    const writesThrottled = h.sim.faultCounts().throttled - 1;
    expect(h.sim.stats().byOperation.Jobs_CreateOrUpdate).toBe(2 + writesThrottled);

    h.sim.setArmThrottle(undefined);
    expect((await list()).headers['x-ms-ratelimit-remaining-subscription-reads']).toBeUndefined();
  });

  it('admin endpoint: PUT sets a plan, GET shows it with the counts, DELETE clears it, a bad body is a 400', async () => {
    const plan: FaultPlan = { seed: 3, rules: [{ operation: 'Jobs_ListByResourceGroup', kind: 'error500', rate: 1 }] };
    const json = { 'content-type': 'application/json' };
    const put = await rawRequest(h.sim, 'PUT', '/_simulator/faults', json, JSON.stringify(plan));
    expect(put.status).toBe(200);
    expect((await rawRequest(h.sim, 'GET', `${jobsPath()}?${API}`, auth)).status).toBe(500);
    const got = JSON.parse((await rawRequest(h.sim, 'GET', '/_simulator/faults')).body);
    expect(got).toMatchObject({ plan, injected: { 'Jobs_ListByResourceGroup:error500': 1 }, throttled: 0 });

    for (const bad of ['{"seed":1,"rules":[{"operation":"*","kind":"drop","rate":1.5}]}', '{"rules":[]}', 'not json', '']) {
      const res = await rawRequest(h.sim, 'PUT', '/_simulator/faults', json, bad);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).error.code).toBe('InvalidRequestContent');
    }
    expect(JSON.parse((await rawRequest(h.sim, 'GET', '/_simulator/faults')).body).plan).toEqual(plan);

    const del = await rawRequest(h.sim, 'DELETE', '/_simulator/faults');
    expect(del.status).toBe(200);
    expect(JSON.parse(del.body)).toMatchObject({ plan: null, injected: {} });
    expect((await rawRequest(h.sim, 'GET', `${jobsPath()}?${API}`, auth)).status).toBe(200);
  });
});
