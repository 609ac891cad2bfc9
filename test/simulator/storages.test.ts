// Environment storages and file shares on the simulator, through the real SDK clients
// (@azure/arm-appcontainers' managedEnvironmentsStorages, @azure/arm-storage's fileShares).
import { readFile } from 'node:fs/promises';
import { StorageManagementClient } from '@azure/arm-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobName, rawRequest, runJob, shellJob, startHarness, type SimHarness } from './helpers';
import { IS_ROOT, finishRun } from './isolation-support';

let h: SimHarness;
let storage: StorageManagementClient;
const account = 'teststorage';

beforeAll(async () => {
  h = await startHarness();
  storage = new StorageManagementClient(h.credential, h.sim.subscriptionId, { endpoint: h.sim.url, tlsOptions: { ca: h.sim.ca } });
});
afterAll(async () => {
  await h?.close();
});

const key = async () => (await storage.storageAccounts.listKeys(h.rg, account)).keys![0]!.value!;
const azureFile = async (shareName: string, accessMode: 'ReadOnly' | 'ReadWrite') => ({ properties: { azureFile: { accountName: account, accountKey: await key(), shareName, accessMode } } });

describe('file shares and environment storages', () => {
  it('a share is created, read with its usage, and deleted; a bad share name is a 400', async () => {
    const created = await storage.fileShares.create(h.rg, account, 'share-one', {});
    expect(created).toMatchObject({ name: 'share-one', type: 'Microsoft.Storage/storageAccounts/fileServices/shares' });
    expect((await storage.fileShares.get(h.rg, account, 'share-one', { expand: 'stats' })).shareUsageBytes).toBe(0);
    await storage.fileShares.delete(h.rg, account, 'share-one');
    await expect(storage.fileShares.get(h.rg, account, 'share-one')).rejects.toMatchObject({ statusCode: 404, code: 'ShareNotFound' });
    await expect(storage.fileShares.create(h.rg, account, 'Bad--Name', {})).rejects.toMatchObject({ statusCode: 400 });
  });

  it('a storage registration is created (201 in the example shape, no key served back), replaced (200), listed and deleted', async () => {
    const example = JSON.parse(await readFile(new URL('./fixtures/azure-rest-examples/containerapps/ManagedEnvironmentsStorages_CreateOrUpdate.json', import.meta.url), 'utf8'));
    const env = h.sim.environment;
    const made = await h.arm.managedEnvironmentsStorages.createOrUpdate(h.rg, env, 'store-a', await azureFile('share-a', 'ReadWrite'));
    expect(made).toMatchObject({ name: 'store-a', type: example.responses['201'].body.type, id: `${h.environmentId}/storages/store-a` });
    expect(made.properties?.azureFile).toEqual({ accessMode: 'ReadWrite', accountName: account, shareName: 'share-a' });
    const replaced = await h.arm.managedEnvironmentsStorages.createOrUpdate(h.rg, env, 'store-a', await azureFile('share-a', 'ReadOnly'));
    expect(replaced.properties?.azureFile?.accessMode).toBe('ReadOnly');
    expect((await h.arm.managedEnvironmentsStorages.list(h.rg, env)).value?.map((s) => s.name)).toContain('store-a');
    await h.arm.managedEnvironmentsStorages.delete(h.rg, env, 'store-a');
    await expect(h.arm.managedEnvironmentsStorages.get(h.rg, env, 'store-a')).rejects.toMatchObject({ statusCode: 404 });
    // Deleting what is gone is fine (204), as ARM deletes are idempotent.
    await h.arm.managedEnvironmentsStorages.delete(h.rg, env, 'store-a');
  });

  it('a wrong account key, an NFS storage and another environment are refused', async () => {
    const env = h.sim.environment;
    const wrongKey = { properties: { azureFile: { accountName: account, accountKey: 'bm90IHRoZSBrZXk=', shareName: 's', accessMode: 'ReadWrite' as const } } };
    await expect(h.arm.managedEnvironmentsStorages.createOrUpdate(h.rg, env, 'store-b', wrongKey)).rejects.toMatchObject({ statusCode: 400 });
    const nfs = { properties: { nfsAzureFile: { server: 'x.file.core.windows.net', shareName: '/x/s', accessMode: 'ReadWrite' as const } } };
    await expect(h.arm.managedEnvironmentsStorages.createOrUpdate(h.rg, env, 'store-b', nfs)).rejects.toMatchObject({ statusCode: 400 });
    await expect(h.arm.managedEnvironmentsStorages.get(h.rg, 'other-env', 'store-b')).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe.skipIf(!IS_ROOT)('AzureFile volumes in replicas (needs root for isolation)', () => {
  it('a job naming an unregistered storage fails with VolumeMountFailure; a registered one mounts the share', async () => {
    const volumes = [{ name: 'files', storageType: 'AzureFile' as const, storageName: 'store-c' }];
    const mounts = [{ volumeName: 'files', mountPath: '/files' }];
    const job = (script: string) => {
      const j = shellJob(h, script);
      return { ...j, template: { containers: [{ ...j.template!.containers![0]!, volumeMounts: mounts }], volumes } };
    };
    const failing = jobName('nostore');
    const failed = await finishRun(h, failing, await runJob(h, failing, job('true')));
    expect(failed.status).toBe('Failed');
    // The SDK model leaves reason and message out: read them as ARM serves them.
    const token = await h.credential.getToken('https://management.azure.com/.default');
    const path = `/subscriptions/${h.sim.subscriptionId}/resourceGroups/${h.rg}/providers/Microsoft.App/jobs/${failing}/executions/${failed.execution}?api-version=2026-07-01`;
    const raw = JSON.parse((await rawRequest(h.sim, 'GET', path, { Authorization: `Bearer ${token!.token}` })).body);
    expect(raw.properties.reason).toBe('VolumeMountFailure');
    expect(raw.properties.message).toContain("storage 'store-c' is not registered");

    await storage.fileShares.create(h.rg, account, 'share-c', {});
    await h.arm.managedEnvironmentsStorages.createOrUpdate(h.rg, h.sim.environment, 'store-c', await azureFile('share-c', 'ReadWrite'));
    const writer = jobName('writer');
    expect((await finishRun(h, writer, await runJob(h, writer, job('echo hello > /files/greeting')))).status).toBe('Succeeded');
    const reader = jobName('reader');
    const read = await finishRun(h, reader, await runJob(h, reader, job('cat /files/greeting')));
    expect(read.stdout).toEqual(['hello']);
    expect((await storage.fileShares.get(h.rg, account, 'share-c', { expand: 'stats' })).shareUsageBytes).toBe(6);
  });
});
