// Refusals ACA finds while provisioning what ARM accepted (src/simulator/validation/provisioning.ts),
// through the real SDK: where writes are operations (the azure profile) the write is accepted and
// its operation ends Failed with Azure's error; where writes complete at once (instant), a 400.
// Also the replica/container view of a job with an init container while the status lags.
import type { RestError } from '@azure/core-rest-pipeline';
import type { Job } from '@azure/arm-appcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LRO, jobName, shellJob, startHarness, type SimHarness } from './helpers';

const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as RestError);

const PRIVATE = 'registry.refusing.test:5000';
const IMAGE = `${PRIVATE}/team/app:1`;
const FIELD = `Field 'template.containers.main.image' is invalid with details: 'Invalid value: "${IMAGE}": GET https:?scope=repository%3Ateam/app%3Apull&service=${PRIVATE}: UNAUTHORIZED: authentication required'`;

function privateJob(h: SimHarness, password?: string): Job {
  const job = shellJob(h, 'true');
  return {
    ...job,
    configuration: {
      ...job.configuration!,
      ...(password !== undefined && { secrets: [{ name: 'reg', value: password }], registries: [{ server: PRIVATE, username: 'alice', passwordSecretRef: 'reg' }] }),
    },
    template: { containers: [{ ...job.template!.containers![0]!, image: IMAGE }] },
  };
}

const facts = (maxCores: number) => ({ type: 'workload-profiles' as const, workloadProfiles: [{ name: 'Consumption', workloadProfileType: 'Consumption', cores: 4, memoryGi: 8 }], maxCores });

describe('an image the job\'s credentials do not open (Azure/container-apps-deploy-action#85; Azure-Samples/call-center-voice-agent-accelerator#3)', () => {
  let azure: SimHarness;
  let instant: SimHarness;
  beforeAll(async () => {
    const privateRegistries = [{ server: PRIVATE, username: 'alice', password: 'pw' }];
    [azure, instant] = await Promise.all([
      startHarness({ profile: 'azure', timeScale: 0.01, privateRegistries }),
      startHarness({ strictValidation: true, privateRegistries }),
    ]);
  });
  afterAll(() => Promise.all([azure?.close(), instant?.close()]));

  it('azure profile: the PUT is accepted, its operation ends Failed with ContainerAppOperationError, and no job exists', async () => {
    for (const password of [undefined, 'wrong']) {
      const name = jobName('refused');
      azure.sim.resetStats();
      const error = await refusal(azure.arm.jobs.createOrUpdate(azure.rg, name, privateJob(azure, password), LRO));
      expect(error?.message).toBe(`The long-running operation has failed. ContainerAppOperationError. Failed to provision job '${name}'. Error details: The following field(s) are either invalid or missing. ${FIELD};.`);
      // The answer came from the status monitor, not from the PUT itself.
      expect(azure.sim.stats().byOperation.OperationStatus).toBeGreaterThanOrEqual(1);
      expect(await refusal(azure.arm.jobs.get(azure.rg, name))).toMatchObject({ statusCode: 404 });
    }
    await expect(azure.arm.jobs.createOrUpdate(azure.rg, jobName('opened'), privateJob(azure, 'pw'), LRO)).resolves.toMatchObject({ provisioningState: 'Succeeded' });
  });

  it('azure profile: a start whose template names such an image is accepted and its operation fails the same way', async () => {
    const name = jobName('override');
    await azure.arm.jobs.createOrUpdate(azure.rg, name, shellJob(azure, 'true'), LRO);
    const error = await refusal(azure.arm.jobs.start(azure.rg, name, { ...LRO, template: { containers: [{ name: 'main', image: IMAGE, command: ['true'], resources: { cpu: 0.5, memory: '1Gi' } }] } }));
    expect(error?.message).toContain(`ContainerAppOperationError. Failed to provision an execution of job '${name}'. Error details: The following field(s) are either invalid or missing. ${FIELD}`);
    expect([...(await listExecutions(azure, name))]).toEqual([]);
  });

  it('instant: the PUT itself answers 400 InvalidParameterValueInContainerTemplate', async () => {
    const error = await refusal(instant.arm.jobs.createOrUpdate(instant.rg, jobName('refused'), privateJob(instant), LRO));
    expect(error).toMatchObject({ statusCode: 400, code: 'InvalidParameterValueInContainerTemplate', message: `The following field(s) are either invalid or missing. ${FIELD};.` });
  });
});

async function listExecutions(h: SimHarness, job: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of h.arm.jobsExecutions.list(h.rg, job)) names.push(e.name!);
  return names;
}

describe('the core quota in the azure profile (Learn "Quotas for Azure Container Apps")', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startHarness({ profile: 'azure', timeScale: 0.01, environmentFacts: facts(1) });
  });
  afterAll(() => h?.close());

  it('a start past it is accepted and its operation ends Failed with ACA\'s message; no execution is made', async () => {
    const name = jobName('quota');
    await h.arm.jobs.createOrUpdate(h.rg, name, { ...shellJob(h, 'sleep 30'), template: { containers: [{ name: 'main', image: 'busybox:latest', command: ['sh', '-c'], args: ['sleep 30'], resources: { cpu: 1, memory: '2Gi' } }] } }, LRO);
    const first = await h.arm.jobs.start(h.rg, name, LRO);
    const error = await refusal(h.arm.jobs.start(h.rg, name, LRO));
    expect(error?.message).toBe(`The long-running operation has failed. ContainerAppOperationError. Failed to provision an execution of job '${name}'. Error details: Maximum Allowed Cores exceeded for the Managed Environment.`);
    expect(await listExecutions(h, name)).toEqual([first.name]);
    await h.arm.jobs.stopExecution(h.rg, name, first.name!, LRO);
  });
});

describe('a replica with an init container, its status lagging (azure profile)', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startHarness({ profile: 'azure', timeScale: 0.01, figures: { exitToTerminalMs: 3_000_000 } });
  });
  afterAll(() => h?.close());

  it('lists the init container first with its code, and the main one Terminated with its code while the execution is still Running', async () => {
    const name = jobName('init');
    const job = shellJob(h, 'exit 3');
    await h.arm.jobs.createOrUpdate(h.rg, name, { ...job, template: { ...job.template, initContainers: [{ name: 'installer', image: 'busybox:latest', command: ['true'], resources: { cpu: 0.25, memory: '0.5Gi' } }] } }, LRO);
    const execution = (await h.arm.jobs.start(h.rg, name, LRO)).name!;
    const deadline = Date.now() + 60_000;
    let got = await h.arm.jobExecution(h.rg, name, execution);
    while (got.detailedStatus?.replicas?.[0]?.containers?.[1]?.status !== 'Terminated' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      got = await h.arm.jobExecution(h.rg, name, execution);
    }
    expect(got.status).toBe('Running');
    expect(got.detailedStatus?.replicas?.[0]?.containers).toEqual([
      { name: 'installer', code: 0, status: 'Terminated', additionalInformation: 'Completed' },
      { name: 'main', code: 3, status: 'Terminated', additionalInformation: 'Error' },
    ]);
    await h.arm.jobs.delete(h.rg, name, LRO);
  });
});
