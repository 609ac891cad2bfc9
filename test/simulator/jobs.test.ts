import type { RestError } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LRO, jobName, rawRequest, shellJob, startHarness } from './helpers';
import type { SimHarness } from './helpers';

describe.each([
  { latency: 'instant' as const },
  { latency: 'realistic' as const },
])('ARM jobs ($latency)', ({ latency }) => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startHarness({ latency, lroDelayMs: 60 });
  });
  afterAll(() => h.close());

  it('creates a job and serves it back with tags, properties and provisioningState Succeeded', async () => {
    const name = jobName();
    const job = await h.arm.jobs.createOrUpdate(
      h.rg,
      name,
      shellJob(h, 'echo hi', {
        tags: { 'managed-by': 'sockerless', 'sockerless-container-id': 'abc' },
        configuration: { triggerType: 'Manual', replicaTimeout: 120, secrets: [{ name: 'tok', value: 's3cret' }] },
      }),
      LRO,
    );
    expect(job.name).toBe(name);
    expect(job.provisioningState).toBe('Succeeded');
    expect(job.tags).toEqual({ 'managed-by': 'sockerless', 'sockerless-container-id': 'abc' });
    expect(job.environmentId).toBe(h.environmentId);
    expect(job.configuration?.replicaTimeout).toBe(120);
    // Secret values are never served back, only their names.
    expect(job.configuration?.secrets).toEqual([{ name: 'tok' }]);

    const got = await h.arm.jobs.get(h.rg, name);
    expect(got.id).toBe(`/subscriptions/${h.sim.subscriptionId}/resourceGroups/${h.rg}/providers/Microsoft.App/jobs/${name}`);
    expect(got.template?.containers?.[0]?.args).toEqual(['echo hi']);
    expect(h.sim.jobNames()).toContain(name);
    expect((h.sim.job(name) as { properties: { provisioningState: string } }).properties.provisioningState).toBe('Succeeded');
  });

  it('lists jobs by resource group', async () => {
    const names = [jobName('list'), jobName('list')];
    for (const name of names) await h.arm.jobs.createOrUpdate(h.rg, name, shellJob(h, 'true'), LRO);
    const listed: string[] = [];
    for await (const job of h.arm.jobs.listByResourceGroup(h.rg)) listed.push(job.name!);
    expect(listed).toEqual(expect.arrayContaining(names));
  });

  it('updates an existing job in place', async () => {
    const name = jobName();
    await h.arm.jobs.createOrUpdate(h.rg, name, shellJob(h, 'echo one'), LRO);
    const updated = await h.arm.jobs.createOrUpdate(h.rg, name, shellJob(h, 'echo two', { tags: { v: '2' } }), LRO);
    expect(updated.template?.containers?.[0]?.args).toEqual(['echo two']);
    expect(updated.tags).toEqual({ v: '2' });
  });

  it('deletes a job, after which get answers 404 ResourceNotFound', async () => {
    const name = jobName();
    await h.arm.jobs.createOrUpdate(h.rg, name, shellJob(h, 'true'), LRO);
    await h.arm.jobs.delete(h.rg, name, LRO);
    expect(h.sim.jobNames()).not.toContain(name);
    const err = (await h.arm.jobs.get(h.rg, name).catch((e: unknown) => e)) as RestError;
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('ResourceNotFound');
  });

  it('answers 404 ResourceNotFound for executions of an unknown job', async () => {
    const err = (await h.arm.jobExecution(h.rg, 'no-such-job', 'no-such-job-abcdefg').catch((e: unknown) => e)) as RestError;
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('ResourceNotFound');
  });

  it('serves the managed environment', async () => {
    const env = await h.arm.managedEnvironments.get(h.rg, h.sim.environment);
    expect(env.id).toBe(h.environmentId);
    expect(env.provisioningState).toBe('Succeeded');
    expect(env.location).toBe(h.sim.location);
  });
});

describe('ARM job validation', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('rejects a job in another managed environment with 404', async () => {
    const job = shellJob(h, 'true', { environmentId: h.environmentId.replace(/[^/]+$/, 'other-env') });
    const err = (await h.arm.jobs.createOrUpdate(h.rg, jobName(), job, LRO).catch((e: unknown) => e)) as RestError;
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('ManagedEnvironmentNotFound');
  });

  it('rejects a job without an image with 400 naming the field', async () => {
    const job = shellJob(h, 'true');
    job.template!.containers![0]!.image = '';
    const err = (await h.arm.jobs.createOrUpdate(h.rg, jobName(), job, LRO).catch((e: unknown) => e)) as RestError;
    expect(err.statusCode).toBe(400);
    expect(err.message).toContain('properties.template.containers.0.image');
  });

  it('rejects an unknown triggerType and a missing location with 400', async () => {
    const badTrigger = shellJob(h, 'true', { configuration: { triggerType: 'Sometimes', replicaTimeout: 60 } });
    const e1 = (await h.arm.jobs.createOrUpdate(h.rg, jobName(), badTrigger, LRO).catch((e: unknown) => e)) as RestError;
    expect(e1.statusCode).toBe(400);
    expect(e1.message).toContain('triggerType');

    const noLocation = shellJob(h, 'true', { location: undefined as unknown as string });
    const e2 = (await h.arm.jobs.createOrUpdate(h.rg, jobName(), noLocation, LRO).catch((e: unknown) => e)) as RestError;
    expect(e2.statusCode).toBe(400);
    expect(e2.message).toContain('location');
  });

  it('rejects an env secretRef to an undefined secret with 400', async () => {
    const job = shellJob(h, 'true');
    job.template!.containers![0]!.env = [{ name: 'X', secretRef: 'missing' }];
    const err = (await h.arm.jobs.createOrUpdate(h.rg, jobName(), job, LRO).catch((e: unknown) => e)) as RestError;
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe('ContainerAppSecretRefNotFound');
  });

  it('rejects a name ACA would not accept', async () => {
    const err = (await h.arm.jobs.createOrUpdate(h.rg, 'Bad_Name', shellJob(h, 'true'), LRO).catch((e: unknown) => e)) as RestError;
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe('ContainerAppInvalidName');
  });

  it('answers unknown paths and a missing api-version in the ARM error shape', async () => {
    const token = (await h.credential.getToken('https://management.azure.com/.default')).token;
    const auth = { authorization: `Bearer ${token}` };
    const unknown = await rawRequest(h.sim, 'GET', '/subscriptions/x/nothing-here?api-version=2026-07-01', auth);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.code).toBe('NotFound');
    const noVersion = await rawRequest(h.sim, 'GET', `/subscriptions/${h.sim.subscriptionId}/resourceGroups/${h.rg}/providers/Microsoft.App/jobs`, auth);
    expect(noVersion.status).toBe(400);
    expect(JSON.parse(noVersion.body).error.code).toBe('MissingApiVersionParameter');
  });
});

describe('stats', () => {
  it('counts one createOrUpdate as one write in instant mode', async () => {
    const h = await startHarness();
    try {
      await h.arm.jobs.createOrUpdate(h.rg, jobName(), shellJob(h, 'true'), LRO);
      const stats = h.sim.stats();
      expect(stats.writes).toBe(1);
      expect(stats.reads).toBe(0);
      // The credential's discovery and token requests are counted, but neither as reads nor writes.
      expect(stats.byOperation).toEqual({ openidConfiguration: 1, token: 1, Jobs_CreateOrUpdate: 1 });

      h.sim.resetStats();
      await h.arm.jobs.get(h.rg, h.sim.jobNames()[0]!);
      expect(h.sim.stats()).toEqual({ byOperation: { Jobs_Get: 1 }, reads: 1, writes: 0 });
    } finally {
      await h.close();
    }
  });

  it('counts LRO polls as reads in realistic mode, and token requests apart', async () => {
    const h = await startHarness({ latency: 'realistic', lroDelayMs: 60 });
    try {
      await h.arm.jobs.createOrUpdate(h.rg, jobName(), shellJob(h, 'true'), LRO);
      const stats = h.sim.stats();
      expect(stats.writes).toBe(1);
      expect(stats.byOperation.Jobs_CreateOrUpdate).toBe(1);
      expect(stats.byOperation.OperationStatus).toBeGreaterThanOrEqual(1);
      // After the status monitor says Succeeded the SDK reads the job once.
      expect(stats.byOperation.Jobs_Get).toBe(1);
      expect(stats.reads).toBe(stats.byOperation.OperationStatus! + 1);
      expect(stats.byOperation.token).toBe(1);

      const admin = await rawRequest(h.sim, 'GET', '/_simulator/stats');
      expect(JSON.parse(admin.body)).toEqual({ ...h.sim.stats(), images: h.sim.imageStats() });
    } finally {
      await h.close();
    }
  });
});
