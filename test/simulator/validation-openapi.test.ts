// Strict validation against the official Microsoft.App 2026-07-01 OpenAPI document (the trimmed
// copy in src/simulator/validation/spec/): every published example is accepted, and a body with a
// wrong type or enum is refused with ARM's error shape. Source: Azure/azure-rest-api-specs,
// ContainerApps/stable/2026-07-01/openapi.json and its examples (test/simulator/fixtures/azure-rest-examples/).
import { readFileSync, readdirSync } from 'node:fs';
import type { RestError } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyParameter, requestViolation, responseViolations } from '../../src/simulator/validation/openapi';
import { LRO, jobName, rawRequest, shellJob, startHarness, type SimHarness } from './helpers';

const EXAMPLES = new URL('./fixtures/azure-rest-examples/', import.meta.url);

/** Which operation each example file documents (the spec's x-ms-examples). */
const OPERATION_OF: Record<string, string> = {
  'Job_CreateorUpdate.json': 'Jobs_CreateOrUpdate',
  'Job_Delete.json': 'Jobs_Delete',
  'Job_Execution_Get.json': 'JobExecution',
  'Job_Executions_Get.json': 'JobsExecutions_List',
  'Job_Get.json': 'Jobs_Get',
  'Job_ListSecrets.json': 'Jobs_ListSecrets',
  'Job_Patch.json': 'Jobs_Update',
  'Job_Start.json': 'Jobs_Start',
  'Job_Stop_Execution.json': 'Jobs_StopExecution',
  'Job_Stop_Multiple.json': 'Jobs_StopMultipleExecutions',
  'Jobs_ListByResourceGroup.json': 'Jobs_ListByResourceGroup',
  'Jobs_Resume.json': 'Jobs_Resume',
  'Jobs_Suspend.json': 'Jobs_Suspend',
  'ManagedEnvironmentsStorages_CreateOrUpdate.json': 'ManagedEnvironmentsStorages_CreateOrUpdate',
  'ManagedEnvironments_Get.json': 'ManagedEnvironments_Get',
};

interface Example {
  parameters: Record<string, unknown>;
  responses: Record<string, { body?: unknown }>;
}

const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')).sort();

describe('the published examples (Azure/azure-rest-api-specs, Microsoft.App 2026-07-01)', () => {
  it('every fixture is one of the examples the table maps', () => {
    expect(files).toEqual(Object.keys(OPERATION_OF).sort());
  });

  it.each(files)('%s: its request body and response bodies conform', (file) => {
    const example = JSON.parse(readFileSync(new URL(file, EXAMPLES), 'utf8')) as Example;
    const operationId = OPERATION_OF[file]!;
    const name = bodyParameter(operationId);
    const key = name && Object.keys(example.parameters).find((k) => k.toLowerCase() === name.toLowerCase());
    let checked = 0;
    if (key) {
      expect(requestViolation(operationId, example.parameters[key])?.toBody()).toBeUndefined();
      checked++;
    }
    for (const [status, response] of Object.entries(example.responses)) {
      if (response.body === undefined) continue;
      expect(responseViolations(operationId, status, response.body), `${file} ${status}`).toEqual([]);
      checked++;
    }
    // Delete and stop document status codes only.
    expect(checked > 0 || Object.values(example.responses).every((r) => r.body === undefined)).toBe(true);
  });

  it('the validator is not vacuous: a response with a wrong type fails', () => {
    const example = JSON.parse(readFileSync(new URL('Job_Get.json', EXAMPLES), 'utf8')) as Example;
    const body = structuredClone(example.responses['200']!.body) as { properties: { configuration: { replicaTimeout: unknown } } };
    body.properties.configuration.replicaTimeout = '10';
    expect(responseViolations('Jobs_Get', '200', body)).toEqual([
      expect.objectContaining({ code: 'InvalidType', target: 'properties.configuration.replicaTimeout' }),
    ]);
  });
});

describe('strictValidation refuses what the schema refuses, in ARM error shape', () => {
  let h: SimHarness;
  let loose: SimHarness;
  beforeAll(async () => {
    [h, loose] = await Promise.all([startHarness({ strictValidation: true }), startHarness()]);
  });
  afterAll(() => Promise.all([h?.close(), loose?.close()]));

  const jobPath = (sim: SimHarness, name: string, op = '') =>
    `/subscriptions/${sim.sim.subscriptionId}/resourceGroups/${sim.rg}/providers/Microsoft.App/jobs/${name}${op}?api-version=2026-07-01`;

  async function put(sim: SimHarness, name: string, body: unknown) {
    const token = await sim.credential.getToken('https://management.azure.com/.default');
    return rawRequest(sim.sim, 'PUT', jobPath(sim, name), { authorization: `Bearer ${token!.token}`, 'content-type': 'application/json' }, JSON.stringify(body));
  }

  const wireJob = (sim: SimHarness, replicaTimeout: unknown) => ({
    location: sim.sim.location,
    properties: {
      environmentId: sim.environmentId,
      configuration: { triggerType: 'Manual', replicaTimeout },
      template: { containers: [{ name: 'main', image: 'busybox:latest', resources: { cpu: 0.5, memory: '1Gi' } }] },
    },
  });

  it('a wrong type (replicaTimeout as a string; the SDK would not send it, so raw HTTPS) is a 400 InvalidRequestContent naming the field', async () => {
    const res = await put(h, jobName('type'), wireJob(h, '60'));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({
      error: {
        code: 'InvalidRequestContent',
        message: expect.stringContaining('properties.configuration.replicaTimeout'),
        target: 'properties.configuration.replicaTimeout',
        details: [{ code: 'InvalidType', target: 'properties.configuration.replicaTimeout', message: expect.stringContaining('integer') }],
      },
    });
    // With strictValidation off, the simulator's own parser refuses it too, but not in that shape.
    const before = await put(loose, jobName('type'), wireJob(loose, '60'));
    expect(before.status).toBe(400);
    expect(JSON.parse(before.body).error.details).toBeUndefined();
  });

  it('a wrong enum (triggerType Scheduled, the old docs\' spelling: microsoft/azure-container-apps#798) through the SDK is a RestError with the details', async () => {
    const job = shellJob(h, 'true');
    const error = (await h.arm.jobs
      .createOrUpdate(h.rg, jobName('enum'), { ...job, configuration: { ...job.configuration!, triggerType: 'Scheduled' } }, LRO)
      .catch((e: unknown) => e)) as RestError;
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('InvalidRequestContent');
    // The SDK keeps code and message of the ARM error (the raw test above checks `details`).
    expect(error.message).toContain("Value is not one of the allowed values [Schedule, Event, Manual] at 'properties.configuration.triggerType'");
  });

  it('a start template with a wrong type is refused before any execution exists', async () => {
    const name = jobName('start');
    await h.arm.jobs.createOrUpdate(h.rg, name, shellJob(h, 'true'), LRO);
    const token = await h.credential.getToken('https://management.azure.com/.default');
    const res = await rawRequest(h.sim, 'POST', jobPath(h, name, '/start'), { authorization: `Bearer ${token!.token}`, 'content-type': 'application/json' },
      JSON.stringify({ containers: [{ name: 'main', image: 'busybox:latest', command: 'echo hi' }] }));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error).toMatchObject({ code: 'InvalidRequestContent', details: [{ code: 'InvalidType', target: 'containers[0].command' }] });
    const executions = [];
    for await (const e of h.arm.jobsExecutions.list(h.rg, name)) executions.push(e);
    expect(executions).toEqual([]);
  });

  it('a well-formed job passes and runs', async () => {
    const name = jobName('ok');
    const job = await h.arm.jobs.createOrUpdate(h.rg, name, shellJob(h, 'true'), LRO);
    expect(job.provisioningState).toBe('Succeeded');
  });
});
