// The simulator as ACA meets private registries and resource pairs: through the real SDK for
// the executions, and the pure checks for every case.
import type { RestError } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerSpec, JobBody } from '../../src/simulator/job-schema';
import { imageRegistry, missingRegistrySecret, pullFailure } from '../../src/simulator/registry-access';
import { invalidResourceTotal } from '../../src/simulator/resource-total';
import { LRO, jobName, runJob, shellJob, startHarness, type SimHarness } from './helpers';

const ID = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/pull';

function body(configuration: object, identity?: object): JobBody {
  return { location: 'eastus', ...(identity && { identity }), properties: { environmentId: 'e', configuration: { triggerType: 'Manual', replicaTimeout: 60, ...configuration }, template: { containers: [] } } } as JobBody;
}
const container = (image: string) => ({ name: 'main', image }) as ContainerSpec;

describe('pullFailure', () => {
  const registries = [{ server: 'private.example:5000', username: 'alice', password: 'pw' }, { server: 'myacr.azurecr.io', identities: [ID] }];
  const withCreds = (password: string, username = 'alice') =>
    body({ secrets: [{ name: 'r', value: password }], registries: [{ server: 'private.example:5000', username, passwordSecretRef: 'r' }] });

  it('public registries need nothing; a private one needs a matching entry', () => {
    expect(pullFailure(container('alpine'), body({}), registries)).toBeUndefined();
    expect(pullFailure(container('ghcr.io/x/y:1'), body({}), registries)).toBeUndefined();
    expect(pullFailure(container('private.example:5000/app:1'), body({}), registries)).toMatch(/anonymous token: unexpected status: 401 Unauthorized/);
    expect(pullFailure(container('private.example:5000/app:1'), withCreds('pw'), registries)).toBeUndefined();
    expect(pullFailure(container('private.example:5000/app:1'), withCreds('wrong'), registries)).toMatch(/oauth token: unexpected status: 401/);
    expect(pullFailure(container('private.example:5000/app:1'), withCreds('pw', 'bob'), registries)).toMatch(/401/);
  });

  it('a managed identity pulls when the job carries it and the registry allows it', () => {
    const entry = { registries: [{ server: 'myacr.azurecr.io', identity: ID }] };
    const image = container('myacr.azurecr.io/app:1');
    expect(pullFailure(image, body(entry, { type: 'UserAssigned', userAssignedIdentities: { [ID]: {} } }), registries)).toBeUndefined();
    expect(pullFailure(image, body(entry), registries)).toMatch(/managed identity/);
    expect(pullFailure(image, body({ registries: [{ server: 'myacr.azurecr.io', identity: 'system' }] }, { type: 'SystemAssigned' }), registries)).toMatch(/managed identity/);
  });

  it('image registries as Docker reads references', () => {
    expect(['alpine', 'library/alpine:3', 'docker.io/x/y', 'index.docker.io/x/y'].map(imageRegistry)).toEqual(['docker.io', 'docker.io', 'docker.io', 'docker.io']);
    expect(['localhost/x', 'localhost:5000/x', 'a.b/c', 'Reg.Example/c'].map(imageRegistry)).toEqual(['localhost', 'localhost:5000', 'a.b', 'reg.example']);
  });

  it('a registries entry must name a secret the job defines', () => {
    expect(missingRegistrySecret(body({ registries: [{ server: 'x.io', username: 'u', passwordSecretRef: 'nope' }] }))).toMatch(/secret 'nope'/);
    expect(missingRegistrySecret(body({ secrets: [{ name: 'nope', value: 'v' }], registries: [{ server: 'x.io', username: 'u', passwordSecretRef: 'nope' }] }))).toBeUndefined();
  });
});

describe('invalidResourceTotal', () => {
  const c = (cpu?: number, memory?: string) => ({ name: 'main', image: 'x', resources: { ...(cpu !== undefined && { cpu }), ...(memory && { memory }) } }) as ContainerSpec;
  it('accepts the 16 pairs and nothing else', () => {
    expect(invalidResourceTotal([c(0.25, '0.5Gi')])).toBeUndefined();
    expect(invalidResourceTotal([c(4, '8Gi')])).toBeUndefined();
    expect(invalidResourceTotal([c(1.25, '2.5Gi')])).toBeUndefined();
    expect(invalidResourceTotal([{ name: 'main', image: 'x' } as ContainerSpec])).toBeUndefined();
    for (const bad of [c(0.3, '0.6Gi'), c(1, '1Gi'), c(4.25, '8.5Gi'), c(1, '2G'), c(1)]) expect(invalidResourceTotal([bad]), JSON.stringify(bad)).toMatch(/CPU - Memory combinations/);
  });
});

describe('executions of private images, through the SDK', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startHarness({ privateRegistries: [{ server: 'private.example', username: 'alice', password: 'pw' }] });
  });
  afterAll(() => h?.close());

  const privateJob = (extra: object) => {
    const job = shellJob(h, 'echo pulled');
    return { ...job, template: { containers: [{ ...job.template!.containers![0]!, image: 'private.example/app:1' }] }, ...extra };
  };

  it('without credentials the execution fails with ImagePullFailure and runs nothing', async () => {
    const name = jobName('pull');
    const execution = await runJob(h, name, privateJob({}));
    expect(await h.recorder.ended(execution)).toBe('Failed');
    const ended = await h.arm.jobExecution(h.rg, name, execution);
    expect(ended.reason).toBe('ImagePullFailure');
    expect(ended.message).toContain('Failed to pull image "private.example/app:1"');
    expect(ended.detailedStatus?.replicas?.[0]?.containers?.[0]).toMatchObject({ status: 'Failed', additionalInformation: 'ImagePullFailure' });
    expect(ended.detailedStatus?.replicas?.[0]?.containers?.[0]?.code).toBeUndefined();
  });

  it('with a registries entry and its password secret the execution runs', async () => {
    const name = jobName('pull');
    const configuration = { triggerType: 'Manual', replicaTimeout: 60, secrets: [{ name: 'reg', value: 'pw' }], registries: [{ server: 'private.example', username: 'alice', passwordSecretRef: 'reg' }] };
    const execution = await runJob(h, name, privateJob({ configuration }));
    expect(await h.recorder.ended(execution)).toBe('Succeeded');
    const job = await h.arm.jobs.get(h.rg, name);
    expect(job.configuration?.registries).toEqual([{ server: 'private.example', username: 'alice', passwordSecretRef: 'reg' }]);
  });

  it('ARM refuses a registry password secret the job lacks, and resources that are no allowed pair', async () => {
    const missing = { triggerType: 'Manual', replicaTimeout: 60, registries: [{ server: 'private.example', username: 'alice', passwordSecretRef: 'reg' }] };
    const refused = (await h.arm.jobs.createOrUpdate(h.rg, jobName('pull'), privateJob({ configuration: missing }), LRO).catch((e) => e)) as RestError;
    expect([refused.statusCode, refused.code]).toEqual([400, 'ContainerAppSecretRefNotFound']);
    const job = shellJob(h, 'true');
    job.template!.containers![0]!.resources = { cpu: 0.3, memory: '0.6Gi' };
    const odd = (await h.arm.jobs.createOrUpdate(h.rg, jobName('res'), job, LRO).catch((e) => e)) as RestError;
    expect([odd.statusCode, odd.code]).toEqual([400, 'ContainerAppInvalidResourceTotal']);
  });
});
