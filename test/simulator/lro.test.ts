// The long-running-operation wire details of realistic mode, checked with raw HTTPS requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { jobName, rawRequest, shellJob, startHarness } from './helpers';
import type { SimHarness } from './helpers';

const API = 'api-version=2026-07-01';

describe('realistic mode LROs on the wire', () => {
  let h: SimHarness;
  let auth: Record<string, string>;
  beforeAll(async () => {
    // Long enough that the checks of the pending state land inside it on a loaded machine.
    h = await startHarness({ latency: 'realistic', lroDelayMs: 1000 });
    const token = await h.credential.getToken('https://management.azure.com/.default');
    auth = { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' };
  });
  afterAll(() => h.close());

  const jobPath = (name: string) => `/subscriptions/${h.sim.subscriptionId}/resourceGroups/${h.rg}/providers/Microsoft.App/jobs/${name}`;
  const get = (url: string) => rawRequest(h.sim, 'GET', url, auth);

  /** Polls `url` until its answer satisfies `done` (the operations are time-based, not evented). */
  async function pollUntil(url: string, done: (r: { status: number; body: string }) => boolean): Promise<{ status: number; body: string }> {
    for (let i = 0; i < 100; i++) {
      const res = await get(url);
      if (done(res)) return res;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`gave up polling ${url}`);
  }

  async function createJob(name: string, script: string): Promise<void> {
    const job = shellJob(h, script);
    const body = {
      location: job.location,
      properties: { environmentId: job.environmentId, configuration: job.configuration, template: job.template },
    };
    const res = await rawRequest(h.sim, 'PUT', `${jobPath(name)}?${API}`, auth, JSON.stringify(body));
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body).properties.provisioningState).toBe('InProgress');
    const monitor = res.headers['azure-asyncoperation'] as string;
    expect(monitor).toMatch(/\/containerappOperationStatuses\/[0-9a-f-]+\?api-version=2026-07-01$/);
    expect(JSON.parse((await get(monitor)).body).status).toBe('InProgress');
    expect(JSON.parse((await get(`${jobPath(name)}?${API}`)).body).properties.provisioningState).toBe('InProgress');
    await pollUntil(monitor, (r) => JSON.parse(r.body).status === 'Succeeded');
    expect(JSON.parse((await get(`${jobPath(name)}?${API}`)).body).properties.provisioningState).toBe('Succeeded');
  }

  it('PUT answers 201 InProgress with Azure-AsyncOperation; the monitor turns Succeeded, and so does the job', async () => {
    await createJob(jobName(), 'true');
  });

  it('start answers 202 + Location (202 while pending, then 200 {id,name}); the execution is Processing first', async () => {
    const name = jobName();
    await createJob(name, 'echo hi');
    const res = await rawRequest(h.sim, 'POST', `${jobPath(name)}/start?${API}`, auth);
    expect(res.status).toBe(202);
    const location = res.headers.location as string;
    expect((await get(location)).status).toBe(202);
    const list = JSON.parse((await get(`${jobPath(name)}/executions?${API}`)).body).value;
    expect(list).toHaveLength(1);
    expect(list[0].properties.status).toBe('Processing');

    const done = await pollUntil(location, (r) => r.status !== 202);
    expect(done.status).toBe(200);
    const result = JSON.parse(done.body);
    expect(result.name).toBe(list[0].name);
    expect(result.id).toBe(`${jobPath(name)}/executions/${list[0].name}`);
    expect(await h.recorder.ended(result.name)).toBe('Succeeded');
  });

  it('stop answers 202 + Location whose final answer is 200, never 204', async () => {
    const name = jobName();
    await createJob(name, 'exec sleep 30');
    const start = await rawRequest(h.sim, 'POST', `${jobPath(name)}/start?${API}`, auth);
    const started = JSON.parse((await pollUntil(start.headers.location as string, (r) => r.status !== 202)).body);
    await h.recorder.waitFor((c) => c.kind === 'execution' && c.executionName === started.name && c.status === 'Running');

    const stop = await rawRequest(h.sim, 'POST', `${jobPath(name)}/executions/${started.name}/stop?${API}`, auth);
    expect(stop.status).toBe(202);
    const final = await pollUntil(stop.headers.location as string, (r) => r.status !== 202);
    expect(final.status).toBe(200);
    expect(await h.recorder.ended(started.name)).toBe('Stopped');
  });

  it('delete answers 202 + Location (202, then 204); the job shows Deleting, then is gone', async () => {
    const name = jobName();
    await createJob(name, 'true');
    const res = await rawRequest(h.sim, 'DELETE', `${jobPath(name)}?${API}`, auth);
    expect(res.status).toBe(202);
    expect(JSON.parse((await get(`${jobPath(name)}?${API}`)).body).properties.provisioningState).toBe('Deleting');
    const final = await pollUntil(res.headers.location as string, (r) => r.status !== 202);
    expect(final.status).toBe(204);
    expect((await get(`${jobPath(name)}?${API}`)).status).toBe(404);
    // Deleting what is not there is answered 204, as ARM does.
    expect((await rawRequest(h.sim, 'DELETE', `${jobPath(name)}?${API}`, auth)).status).toBe(204);
  });

  it('filters executions by status and rejects filters it does not understand', async () => {
    const name = jobName();
    await createJob(name, 'true');
    const bad = await get(`${jobPath(name)}/executions?${API}&%24filter=${encodeURIComponent("properties/startTime gt '2020'")}`);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.code).toBe('InvalidFilter');
  });
});
