// strictValidation: ACA's own rules, which the OpenAPI document does not carry, through the real
// SDK clients against the simulator. Each test names the source of the rule it models.
import type { RestError } from '@azure/core-rest-pipeline';
import type { Job } from '@azure/arm-appcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSpec } from '../../src/aca/cloud';
import { jobResource } from '../../src/aca/job-resource';
import { withAgent } from '../../src/daemon/agent/launch';
import type { SimulatorOptions } from '../../src/simulator';
import type { EnvironmentFacts } from '../../src/simulator';
import { envVarNameError, jobNameError, secretNameError } from '../../src/simulator/validation/names';
import { memoryGi, resourceError } from '../../src/simulator/validation/resources';
import { LRO, jobName, shellJob, startHarness, type SimHarness } from './helpers';

const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as RestError);

function withMain(h: SimHarness, main: Record<string, unknown>, extra: Partial<Job> = {}): Job {
  const job = shellJob(h, 'true', extra);
  return { ...job, template: { ...job.template, containers: [{ ...job.template!.containers![0]!, ...main }] } };
}

const dedicated: EnvironmentFacts = {
  type: 'workload-profiles',
  workloadProfiles: [
    { name: 'Consumption', workloadProfileType: 'Consumption', cores: 4, memoryGi: 8 },
    { name: 'd4', workloadProfileType: 'D4', cores: 4, memoryGi: 16 },
  ],
  maxCores: 100,
};

describe('strictValidation: ACA rules through the SDK', () => {
  const harnesses: SimHarness[] = [];
  const start = async (opts: SimulatorOptions) => {
    const h = await startHarness(opts);
    harnesses.push(h);
    return h;
  };
  let strict: SimHarness;
  let loose: SimHarness;
  beforeAll(async () => {
    [strict, loose] = await Promise.all([start({ strictValidation: true, environmentFacts: dedicated }), start({})]);
  });
  afterAll(() => Promise.all(harnesses.map((h) => h.close())));

  const put = (h: SimHarness, name: string, job: Job) => h.arm.jobs.createOrUpdate(h.rg, name, job, LRO);

  it("job names: no '--' (ContainerAppInvalidName; DefangLabs/pulumi-defang#543, microsoft/TWL300-AI-Apps-and-agents#90)", async () => {
    const name = `ab--${process.pid}`;
    const error = await refusal(put(strict, name, shellJob(strict, 'true')));
    expect(error).toMatchObject({ statusCode: 400, code: 'ContainerAppInvalidName' });
    expect(error!.message).toBe(
      `Invalid ContainerAppsJob name '${name}'. A name must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character and cannot have '--'. The length must be between 2 and 32 characters inclusive.`,
    );
    await expect(put(loose, name, shellJob(loose, 'true'))).resolves.toMatchObject({ provisioningState: 'Succeeded' });
  });

  it('env var names: a-z, A-Z, 0-9 and _ only (ContainerAppInvalidEnvVarName; Azure/reddog-containerapps#32, microsoft/azure-container-apps#308)', async () => {
    const job = (h: SimHarness) => withMain(h, { env: [{ name: 'reddog-sql', value: 'x' }] });
    const error = await refusal(put(strict, jobName('env'), job(strict)));
    expect(error).toMatchObject({ statusCode: 400, code: 'ContainerAppInvalidEnvVarName' });
    expect(error!.message).toBe("Env variable name 'reddog-sql' contains invalid character, allowed characters are 'a-z, A-Z, 0-9 and _'");
    await expect(put(strict, jobName('env'), withMain(strict, { env: [{ name: 'Reddog_SQL_2', value: 'x' }] }))).resolves.toBeDefined();
    await expect(put(loose, jobName('env'), job(loose))).resolves.toBeDefined();
  });

  it('secret names: lowercase alphanumerics and -, alphanumeric at both ends (ContainerAppInvalidSecretName; Azure/container-apps-deploy-action#116)', async () => {
    const secrets = (name: string) => ({ configuration: { triggerType: 'Manual', replicaTimeout: 60, secrets: [{ name, value: 'v' }] } });
    const error = await refusal(put(strict, jobName('secret'), shellJob(strict, 'true', secrets('Db_Password'))));
    expect(error).toMatchObject({ statusCode: 400, code: 'ContainerAppInvalidSecretName' });
    expect(error!.message).toContain("Secret name has an invalid value 'Db_Password'. A value must consist of lower case alphanumeric characters, '-'");
    await expect(refusal(put(strict, jobName('secret'), shellJob(strict, 'true', secrets('db-')))))
      .resolves.toMatchObject({ code: 'ContainerAppInvalidSecretName' });
    await expect(put(strict, jobName('secret'), shellJob(strict, 'true', secrets('db-password')))).resolves.toBeDefined();
  });

  it('Consumption profile of a workload-profiles environment: the ladder up to 4.0/8.0Gi, two decimals (Learn "Containers"; Azure/bicep-types-az#1924)', async () => {
    await expect(put(strict, jobName('cpu'), withMain(strict, { resources: { cpu: 4, memory: '8Gi' } }))).resolves.toBeDefined();
    await expect(put(strict, jobName('cpu'), withMain(strict, { resources: { cpu: 1.25, memory: '2.5Gi' } }))).resolves.toBeDefined();
    const over = await refusal(put(strict, jobName('cpu'), withMain(strict, { resources: { cpu: 4.25, memory: '8.5Gi' } })));
    expect(over).toMatchObject({ statusCode: 400, code: 'ContainerAppInvalidResourceTotal' });
    expect(over!.message).toContain('The total requested CPU and memory resources for this application (CPU: 4.25, memory: 8.5) is invalid.');
    expect(over!.message).toContain('[cpu: 0.25, memory: 0.5Gi]; [cpu: 0.5, memory: 1.0Gi]; [cpu: 0.75, memory: 1.5Gi]; [cpu: 1.0, memory: 2.0Gi]');
    expect(over!.message).toMatch(/\[cpu: 4\.0, memory: 8\.0Gi\]$/);
    await expect(refusal(put(strict, jobName('cpu'), withMain(strict, { resources: { cpu: 1, memory: '1Gi' } }))))
      .resolves.toMatchObject({ code: 'ContainerAppInvalidResourceTotal' });
  });

  it('a Consumption-only environment stops the ladder at 2.0/4.0Gi (Learn "Containers": "limited to a maximum of 2 cores and 4Gi")', async () => {
    const legacy = await start({ strictValidation: true, environmentFacts: { type: 'consumption', workloadProfiles: [], maxCores: 100 } });
    const error = await refusal(put(legacy, jobName('cpu'), withMain(legacy, { resources: { cpu: 2.5, memory: '5Gi' } })));
    expect(error).toMatchObject({ code: 'ContainerAppInvalidResourceTotal' });
    expect(error!.message).toMatch(/\[cpu: 2\.0, memory: 4\.0Gi\]$/);
    await expect(put(legacy, jobName('cpu'), withMain(legacy, { resources: { cpu: 2, memory: '4Gi' } }))).resolves.toBeDefined();
    await expect(refusal(put(legacy, jobName('cpu'), withMain(legacy, { resources: { cpu: 1, memory: '2Gi' } }, { workloadProfileName: 'd4' }))))
      .resolves.toMatchObject({ code: 'WorkloadProfileNotFound' });
  });

  it("a dedicated profile takes any ratio up to its size; an unknown workloadProfileName is refused (Learn \"Containers\", workload profiles)", async () => {
    await expect(put(strict, jobName('wp'), withMain(strict, { resources: { cpu: 3, memory: '12Gi' } }, { workloadProfileName: 'd4' }))).resolves.toBeDefined();
    await expect(refusal(put(strict, jobName('wp'), withMain(strict, { resources: { cpu: 3, memory: '12Gi' } }))))
      .resolves.toMatchObject({ code: 'ContainerAppInvalidResourceTotal' });
    await expect(refusal(put(strict, jobName('wp'), withMain(strict, { resources: { cpu: 4.5, memory: '8Gi' } }, { workloadProfileName: 'd4' }))))
      .resolves.toMatchObject({ code: 'ContainerAppInvalidResourceTotal' });
    await expect(refusal(put(strict, jobName('wp'), withMain(strict, {}, { workloadProfileName: 'gpu' }))))
      .resolves.toMatchObject({ statusCode: 400, code: 'WorkloadProfileNotFound' });
  });

  it('an init container gets no more CPU than the app containers together (ContainerAppInitContainersInvalidCpu; microsoft/azure-container-apps#1189)', async () => {
    const job = (cpu: number) => {
      const base = withMain(strict, { resources: { cpu: 0.25, memory: '0.5Gi' } });
      return { ...base, template: { ...base.template, initContainers: [{ name: 'migrations', image: 'busybox:latest', resources: { cpu, memory: `${cpu * 2}Gi` } }] } };
    };
    const error = await refusal(put(strict, jobName('init'), job(0.5)));
    expect(error).toMatchObject({ statusCode: 400, code: 'ContainerAppInitContainersInvalidCpu' });
    expect(error!.message).toBe('Invalid CPU value 0.5 for init container migrations ,an init container can not be allocated more CPU than the total CPU 0.25 allocated for all app containers.');
    await expect(put(strict, jobName('init'), job(0.25))).resolves.toBeDefined();
  });

  it('a start template meets the same rules as the job (JobExecutionTemplate; Learn "Jobs")', async () => {
    const name = jobName('override');
    await put(strict, name, shellJob(strict, 'true'));
    const main = { name: 'main', image: 'busybox:latest', command: ['sh', '-c', 'true'] };
    await expect(refusal(strict.arm.jobs.start(strict.rg, name, { template: { containers: [{ ...main, env: [{ name: 'a.b', value: '1' }] }] }, ...LRO })))
      .resolves.toMatchObject({ code: 'ContainerAppInvalidEnvVarName' });
    await expect(refusal(strict.arm.jobs.start(strict.rg, name, { template: { containers: [{ ...main, resources: { cpu: 0.5, memory: '2Gi' } }] }, ...LRO })))
      .resolves.toMatchObject({ code: 'ContainerAppInvalidResourceTotal' });
    const started = await strict.arm.jobs.start(strict.rg, name, { template: { containers: [{ ...main, resources: { cpu: 0.5, memory: '1Gi' } }] }, ...LRO });
    expect(started.name).toMatch(new RegExp(`^${name}-[a-z0-9]{7}$`));
  });
});

describe('strictValidation: the environment core quota (Learn "Quotas for Azure Container Apps")', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startHarness({ strictValidation: true, environmentFacts: { type: 'workload-profiles', workloadProfiles: [{ name: 'Consumption', workloadProfileType: 'Consumption', cores: 4, memoryGi: 8 }], maxCores: 2 } });
  });
  afterAll(() => h?.close());

  it('a start past maxCores of running executions fails synchronously with ACA\'s message; after a stop it fits again', async () => {
    const name = jobName('quota');
    await h.arm.jobs.createOrUpdate(h.rg, name, withMain(h, { args: ['sleep 30'], resources: { cpu: 1, memory: '2Gi' } }), LRO);
    const first = await h.arm.jobs.start(h.rg, name, LRO);
    await h.arm.jobs.start(h.rg, name, LRO);
    const error = await refusal(h.arm.jobs.start(h.rg, name, LRO));
    expect(error).toMatchObject({ statusCode: 400, code: 'MaxAllowedCoresExceeded', message: 'Maximum Allowed Cores exceeded for the Managed Environment.' });
    await h.arm.jobs.stopExecution(h.rg, name, first.name!, LRO);
    expect(await h.recorder.ended(first.name!, 30_000)).toBe('Stopped');
    const third = await h.arm.jobs.start(h.rg, name, LRO);
    expect(third.name).toBeDefined();
  });
});

describe('strictValidation: a system-assigned identity has no AcrPull yet (microsoft/azure-container-apps#836, #646; hashicorp/terraform-provider-azurerm#21242)', () => {
  const registries = (delay?: number) => [{ server: 'myacr.azurecr.io', ...(delay !== undefined && { systemIdentityGrantDelayMs: delay }) }];
  const systemJob = (h: SimHarness): Job => ({
    ...withMain(h, { image: 'myacr.azurecr.io/app:1', args: ['echo pulled'] }),
    identity: { type: 'SystemAssigned' },
    configuration: { triggerType: 'Manual', replicaTimeout: 60, registries: [{ server: 'myacr.azurecr.io', identity: 'system' }] },
  });

  it('the first executions fail with ImagePullFailure until the role is granted', async () => {
    const h = await startHarness({ strictValidation: true, privateRegistries: registries(1500) });
    try {
      const name = jobName('system');
      const job = await h.arm.jobs.createOrUpdate(h.rg, name, systemJob(h), LRO);
      const created = job.systemData!.createdAt!.getTime();
      const first = await h.arm.jobs.start(h.rg, name, LRO);
      expect(await h.recorder.ended(first.name!)).toBe('Failed');
      const failed = await h.arm.jobExecution(h.rg, name, first.name!);
      expect(failed.reason).toBe('ImagePullFailure');
      expect(failed.message).toBe("Container 'main' was terminated with exit code '' and reason 'ImagePullFailure': unable to pull image using Managed identity system for registry myacr.azurecr.io");
      // The grant lands 1.5 s after the job exists (the setting); a later execution pulls.
      await new Promise((r) => setTimeout(r, Math.max(0, created + 1600 - Date.now())));
      const later = await h.arm.jobs.start(h.rg, name, LRO);
      const status = await h.recorder.ended(later.name!);
      expect([status, (await h.arm.jobExecution(h.rg, name, later.name!)).message]).toEqual(['Succeeded', undefined]);
    } finally {
      await h.close();
    }
  });

  it('never granted by default; with strictValidation off the system identity pulls at once (as before)', async () => {
    const [strictSim, looseSim] = await Promise.all([
      startHarness({ strictValidation: true, privateRegistries: registries() }),
      startHarness({ privateRegistries: registries() }),
    ]);
    try {
      for (const [h, expected] of [[strictSim, 'Failed'], [looseSim, 'Succeeded']] as const) {
        const name = jobName('system');
        await h.arm.jobs.createOrUpdate(h.rg, name, systemJob(h), LRO);
        const execution = await h.arm.jobs.start(h.rg, name, LRO);
        expect(await h.recorder.ended(execution.name!)).toBe(expected);
      }
    } finally {
      await Promise.all([strictSim.close(), looseSim.close()]);
    }
  });
});

describe("the daemon's job of today under strictValidation", () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startHarness({ strictValidation: true });
  });
  afterAll(() => h?.close());

  const config = () => ({ subscriptionId: h.sim.subscriptionId, resourceGroup: h.rg, environment: h.sim.environment, location: h.sim.location, credential: h.credential, pollIntervalMs: 50, lroPollIntervalMs: 20, replicaTimeout: 3600 });
  const spec = (name: string): JobSpec => ({
    jobName: name,
    containerId: 'c'.repeat(64),
    image: 'busybox:latest',
    command: ['sh', '-c'],
    args: ['true'],
    env: [{ name: 'FOO', value: 'bar' }, { name: 'DB_PASSWORD', secretRef: 'env-db-password' }],
    secrets: [{ name: 'env-db-password', value: 's3cret' }, { name: 'registry-example-com', value: 'pw' }],
    registries: [{ server: 'example.com', username: 'u', passwordSecretRef: 'registry-example-com' }],
    cpu: 1,
    memory: '2Gi',
    replicaTimeout: 3600,
  });

  it('the plain job spec (sockerless-<12 hex>, env-/registry- secrets, 1.0/2Gi) passes', async () => {
    const name = `sockerless-${'0123456789ab'}`;
    await h.arm.jobs.createOrUpdate(h.rg, name, jobResource(config(), spec(name)), LRO);
    await expect(h.arm.jobs.start(h.rg, name, LRO)).resolves.toMatchObject({ name: expect.stringMatching(/^sockerless-0123456789ab-/) });
  });

  it("the agent's job (init container 0.25/0.5Gi, EmptyDir, token secret) passes", async () => {
    const name = `sockerless-${'abcdef012345'}`;
    const agent = withAgent(spec(name), ['true'], {
      launch: { kind: 'image', image: 'ghcr.io/example/sockerless-agent:1' },
      callbackUrl: 'https://127.0.0.1:1/agent',
      containerId: 'c'.repeat(64),
      token: 't',
      workdir: '/',
      stdin: true,
      tty: false,
    });
    await h.arm.jobs.createOrUpdate(h.rg, name, jobResource(config(), agent), LRO);
    await expect(h.arm.jobs.start(h.rg, name, LRO)).resolves.toBeDefined();
  });
});

describe('the rules at their edges (pure)', () => {
  it('names: lengths and ends', () => {
    expect(jobNameError('ab')).toBeUndefined();
    expect(jobNameError(`a${'b'.repeat(31)}`)).toBeUndefined();
    for (const bad of ['a', `a${'b'.repeat(32)}`, '1ab', 'ab-', 'Ab', 'a_b', 'a--b']) expect(jobNameError(bad)?.code, bad).toBe('ContainerAppInvalidName');
    expect(envVarNameError('_1')).toBeUndefined();
    for (const bad of ['a.b', 'a-b', 'a b', '']) expect(envVarNameError(bad)?.code, bad).toBe('ContainerAppInvalidEnvVarName');
    expect(secretNameError('a'.repeat(253))).toBeUndefined();
    for (const bad of ['a'.repeat(254), '-a', 'a.b', 'A', '']) expect(secretNameError(bad)?.code, bad).toBe('ContainerAppInvalidSecretName');
  });

  it('resources: Mi quantities, two decimals, the dedicated bound', () => {
    const consumption = { name: 'Consumption', workloadProfileType: 'Consumption', cores: 4, memoryGi: 8 };
    const c = (cpu: number, memory: string) => ({ name: 'main', resources: { cpu, memory } });
    expect(memoryGi('512Mi')).toBe(0.5);
    expect(memoryGi('2G')).toBeNaN();
    expect(resourceError([c(0.25, '512Mi')], [], consumption)).toBeUndefined();
    expect(resourceError([c(0.5, '1Gi'), c(0.75, '1.5Gi')], [], consumption)).toBeUndefined();
    expect(resourceError([c(1.555, '3.11Gi')], [], { name: 'd4', workloadProfileType: 'D4', cores: 4, memoryGi: 16 })?.code).toBe('ContainerAppInvalidResourceTotal');
    expect(resourceError([c(1.55, '3.1Gi')], [], { name: 'd4', workloadProfileType: 'D4', cores: 4, memoryGi: 16 })).toBeUndefined();
    expect(resourceError([c(1, '2G')], [], consumption)?.message).toContain('(CPU: 1, memory: invalid)');
  });
});
