// Named volumes hold data: Azure Files shares on the embedded simulator (directories on its disk),
// through the docker CLI, and checked with the real Azure SDK clients (the job spec, the
// environment storage registration, the share).
import { readFile } from 'node:fs/promises';
import { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import { StorageManagementClient } from '@azure/arm-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acaConfigForSimulator } from '../../src/aca/connect';
import { runningWithAgent } from '../e2e/agent-helpers';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
let apps: ContainerAppsAPIClient;
let storage: StorageManagementClient;
let rg: string;
let env: string;

const example = async (name: string) =>
  JSON.parse(await readFile(new URL(`../simulator/fixtures/azure-rest-examples/containerapps/${name}`, import.meta.url), 'utf8'));
/** The fields present (the SDK's deserializers add every known field, undefined when absent). */
const sortedKeys = (o: object) => Object.entries(o).filter(([, v]) => v !== undefined).map(([k]) => k).sort();

beforeAll(async () => {
  d = await startTestDaemon();
  const config = acaConfigForSimulator(d.running.simulator!);
  const options = { endpoint: config.armEndpoint, tlsOptions: { ca: config.ca } };
  apps = new ContainerAppsAPIClient(config.credential, config.subscriptionId, options);
  storage = new StorageManagementClient(config.credential, config.subscriptionId, options);
  rg = config.resourceGroup;
  env = config.environment;
});
afterAll(async () => {
  await d?.close();
});

const inspectVolume = async (name: string) => JSON.parse((await d.cli(['volume', 'inspect', name])).stdout)[0];

describe('named volumes on the simulator', { timeout: 120_000 }, () => {
  // The issue says `v`; dockerd refuses one-character volume names (names.RestrictedNamePattern), and so does this daemon.
  it('data written by one container is read by the next; :ro refuses the write; volume rm removes the data', async () => {
    expect((await d.cli(['volume', 'create', 'vv'])).code).toBe(0);
    const write = await d.cli(['run', '--rm', '-v', 'vv:/data', 'alpine', 'sh', '-c', 'echo x > /data/f']);
    expect(write.code).toBe(0);
    expect(await d.cli(['run', '--rm', '-v', 'vv:/data', 'alpine', 'cat', '/data/f'])).toMatchObject({ code: 0, stdout: 'x\n' });

    const ro = await d.cli(['run', '--rm', '-v', 'vv:/data:ro', 'alpine', 'sh', '-c', 'echo y > /data/f']);
    expect(ro.code).not.toBe(0);
    expect(ro.stderr).toContain('Read-only file system');
    // Reading through the read-only mount still works, and the write left nothing.
    expect(await d.cli(['run', '--rm', '-v', 'vv:/data:ro', 'alpine', 'cat', '/data/f'])).toMatchObject({ code: 0, stdout: 'x\n' });

    const { Status } = await inspectVolume('vv');
    expect(Status.Share).toMatch(/^sockerless-[0-9a-f]{12}-vv$/);
    expect(await storage.fileShares.get(rg, Status.StorageAccount, Status.Share)).toMatchObject({ name: Status.Share });

    expect((await d.cli(['volume', 'rm', 'vv'])).code).toBe(0);
    await expect(storage.fileShares.get(rg, Status.StorageAccount, Status.Share)).rejects.toMatchObject({ statusCode: 404 });
    await expect(apps.managedEnvironmentsStorages.get(rg, env, Status.EnvironmentStorage)).rejects.toMatchObject({ statusCode: 404 });
    // A new volume of the same name starts empty.
    expect((await d.cli(['volume', 'create', 'vv'])).code).toBe(0);
    const again = await d.cli(['run', '--rm', '-v', 'vv:/data', 'alpine', 'ls', '-A', '/data']);
    expect(again).toMatchObject({ code: 0, stdout: '' });
    expect((await d.cli(['volume', 'rm', 'vv'])).code).toBe(0);
  });

  it('the job carries the volume and its mount in the official example shapes; the storage is registered once per volume, not per run', async () => {
    expect((await d.cli(['volume', 'create', 'shaped'])).code).toBe(0);
    const before = d.running.simulator!.stats().byOperation.ManagedEnvironmentsStorages_CreateOrUpdate ?? 0;
    for (const text of ['one', 'two']) {
      expect((await d.cli(['run', '--rm', '-v', 'shaped:/data', 'alpine', 'sh', '-c', `echo ${text} >> /data/log`])).code).toBe(0);
    }
    const run = await d.cli(['run', '-d', '-v', 'shaped:/data', '-v', '/scratch', 'alpine', 'sleep', '30']);
    expect(run.code).toBe(0);
    const id = run.stdout.trim();
    const after = d.running.simulator!.stats().byOperation.ManagedEnvironmentsStorages_CreateOrUpdate ?? 0;
    expect(after - before).toBe(1);

    const { Status } = await inspectVolume('shaped');
    const job = await apps.jobs.get(rg, `sockerless-${id.slice(0, 12)}`);
    const jobExample = (await example('Job_CreateorUpdate.json')).responses['200'].body.properties.template;
    const exampleFile = jobExample.volumes.find((v: { storageType: string }) => v.storageType === 'AzureFile');
    const volumes = job.template!.volumes!;
    const file = volumes.find((v) => v.storageType === 'AzureFile')!;
    expect(sortedKeys(file)).toEqual(sortedKeys(exampleFile));
    expect(file.storageName).toBe(Status.EnvironmentStorage);
    const scratch = volumes.find((v) => v.storageType === 'EmptyDir')!;
    const mounts = job.template!.containers![0]!.volumeMounts!;
    expect(mounts).toEqual(expect.arrayContaining([{ volumeName: file.name, mountPath: '/data' }, { volumeName: scratch.name, mountPath: '/scratch' }]));
    const exampleMount = jobExample.containers[0].volumeMounts[0];
    for (const m of mounts) for (const key of sortedKeys(m)) expect(Object.keys(exampleMount)).toContain(key);

    const registration = await apps.managedEnvironmentsStorages.get(rg, env, Status.EnvironmentStorage);
    const storageExample = (await example('ManagedEnvironmentsStorages_CreateOrUpdate.json')).responses['201'].body;
    expect(registration).toMatchObject({ name: Status.EnvironmentStorage, type: storageExample.type });
    expect(registration.properties!.azureFile).toEqual({ accessMode: 'ReadWrite', accountName: Status.StorageAccount, shareName: Status.Share });
    // The account key is a secret: ACA never serves it back.
    expect(JSON.stringify(registration)).not.toContain('accountKey');

    expect((await d.cli(['rm', '-fv', id])).code).toBe(0);
    expect(await d.cli(['run', '--rm', '-v', 'shaped:/data', 'alpine', 'cat', '/data/log'])).toMatchObject({ code: 0, stdout: 'one\ntwo\n' });
  });

  it('docker cp into and out of a volume path; system df counts the share; prune removes the share', async () => {
    expect((await d.cli(['volume', 'create', 'copied'])).code).toBe(0);
    // docker cp goes through the agent: wait until it is connected.
    await runningWithAgent(d, ['sleep', '60'], ['--name', 'cp-target', '-v', 'copied:/data']);
    const cpIn = await d.cli(['cp', '-', 'cp-target:/data'], { input: tarOf('in.txt', 'twelve bytes') });
    expect(cpIn.code, cpIn.stderr).toBe(0);
    const cpOut = await d.cli(['cp', 'cp-target:/data/in.txt', '-']);
    expect(cpOut.code, cpOut.stderr).toBe(0);
    expect(cpOut.stdout).toContain('twelve bytes');
    expect((await d.cli(['rm', '-f', 'cp-target'])).code).toBe(0);
    // A later container sees what docker cp put there.
    expect(await d.cli(['run', '--rm', '-v', 'copied:/data', 'alpine', 'cat', '/data/in.txt'])).toMatchObject({ code: 0, stdout: 'twelve bytes' });

    const df = await d.cli(['system', 'df', '-v', '--format', '{{json .Volumes}}']);
    expect(df.code, df.stderr).toBe(0);
    const usage = (JSON.parse(df.stdout) as { Name: string; Size: string }[]).find((v) => v.Name === 'copied');
    expect(usage?.Size).toBe('12B');

    const { Status } = await inspectVolume('copied');
    const pruned = await d.cli(['volume', 'prune', '-af']);
    expect(pruned.stdout).toContain('copied');
    await expect(storage.fileShares.get(rg, Status.StorageAccount, Status.Share)).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('bind mounts of a host path mapped to a share (SOCKERLESS_BIND_VOLUMES)', { timeout: 120_000 }, () => {
  let mapped: TestDaemon;
  beforeAll(async () => {
    mapped = await startTestDaemon({ env: { SOCKERLESS_BIND_VOLUMES: '/tmp/ci-work=ci-workspace' } });
  });
  afterAll(async () => {
    await mapped?.close();
  });

  it('a bind under the mapped path mounts the share at the subPath; other host paths are still refused', async () => {
    const write = await mapped.cli(['run', '--rm', '-v', '/tmp/ci-work/repo:/src', 'alpine', 'sh', '-c', 'echo built > /src/out']);
    expect(write.code, write.stderr).toBe(0);
    expect(await mapped.cli(['run', '--rm', '-v', 'ci-workspace:/all', 'alpine', 'cat', '/all/repo/out'])).toMatchObject({ code: 0, stdout: 'built\n' });
    expect(await mapped.cli(['run', '--rm', '-v', '/tmp/ci-work:/w:ro', 'alpine', 'cat', '/w/repo/out'])).toMatchObject({ code: 0, stdout: 'built\n' });
    const other = await mapped.cli(['run', '--rm', '-v', '/tmp/elsewhere:/x', 'alpine', 'true']);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain('SOCKERLESS_BIND_VOLUMES');
  });
});

/** A one-file tar archive (ustar), what `docker cp - ctr:path` reads from stdin. */
function tarOf(name: string, content: string): string {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const body = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  body.write(content);
  return Buffer.concat([header, body, Buffer.alloc(1024)]).toString('latin1');
}
