import type { Context } from 'hono';
import { z } from 'zod';
import { badRequest, notFound } from '../errors';
import { environmentId, resourceGroupId, sameName } from '../ids';
import type { SimulatorSettings } from '../options';
import { parseBody, readJsonBody, type RouteSpec } from '../routing';
import type { ShareStore, StorageRecord } from './shares';

const ENV = '/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.App/managedEnvironments/:environmentName';
const ACCOUNT = '/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.Storage/storageAccounts/:accountName';

const storageBody = z.looseObject({
  properties: z.looseObject({
    azureFile: z
      .looseObject({
        accountName: z.string().min(1),
        accountKey: z.string().min(1),
        shareName: z.string().min(1),
        accessMode: z.enum(['ReadOnly', 'ReadWrite']),
      })
      .optional(),
    nfsAzureFile: z.unknown().optional(),
  }),
});

/** ManagedEnvironmentsStorages_CreateOrUpdate.json's 201 body; the account key is a secret and never served back. */
function storageResource(settings: SimulatorSettings, s: StorageRecord): object {
  return {
    id: `${environmentId(settings)}/storages/${s.name}`,
    name: s.name,
    type: 'Microsoft.App/managedEnvironments/storages',
    properties: { azureFile: { accessMode: s.accessMode, accountName: s.accountName, shareName: s.shareName } },
  };
}

function checkEnvironment(settings: SimulatorSettings, c: Context): void {
  const name = c.req.param('environmentName')!;
  if (!sameName(name, settings.environment)) {
    throw notFound('ResourceNotFound', `The Resource 'Microsoft.App/managedEnvironments/${name}' under resource group '${settings.resourceGroup}' was not found.`);
  }
}

/** The environment's storage registrations (ManagedEnvironmentsStorages_*): plain ARM, no LRO. */
export function environmentStorageRoutes(settings: SimulatorSettings, shares: ShareStore): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: `${ENV}/storages`,
      operation: 'ManagedEnvironmentsStorages_List',
      kind: 'read',
      audience: 'arm',
      handle(c) {
        checkEnvironment(settings, c);
        return c.json({ value: shares.listStorages().map((s) => storageResource(settings, s)) });
      },
    },
    {
      method: 'GET',
      path: `${ENV}/storages/:storageName`,
      operation: 'ManagedEnvironmentsStorages_Get',
      kind: 'read',
      audience: 'arm',
      handle(c) {
        checkEnvironment(settings, c);
        const name = c.req.param('storageName')!;
        const s = shares.getStorage(name);
        if (!s) throw notFound('ResourceNotFound', `The Resource 'Microsoft.App/managedEnvironments/${settings.environment}/storages/${name}' under resource group '${settings.resourceGroup}' was not found.`);
        return c.json(storageResource(settings, s));
      },
    },
    {
      method: 'PUT',
      path: `${ENV}/storages/:storageName`,
      operation: 'ManagedEnvironmentsStorages_CreateOrUpdate',
      kind: 'write',
      audience: 'arm',
      async handle(c) {
        checkEnvironment(settings, c);
        const name = c.req.param('storageName')!;
        const body = parseBody(storageBody, await readJsonBody(c), 'storageEnvelope');
        const file = body.properties.azureFile;
        // The simulator has no NFS server: only SMB shares (directories on its disk) can back a storage.
        if (!file) throw badRequest('InvalidParameter', 'The simulator serves azureFile storages only; nfsAzureFile needs a premium NFS share, which it does not emulate.');
        if (file.accountKey !== shares.accountKey(file.accountName)) {
          throw badRequest('InvalidParameter', `Failed to validate the storage account key of '${file.accountName}': the key does not match the account.`);
        }
        const record: StorageRecord = { name, accountName: file.accountName, shareName: file.shareName, accessMode: file.accessMode };
        const created = shares.putStorage(record);
        return c.json(storageResource(settings, record), created ? 201 : 200);
      },
    },
    {
      method: 'DELETE',
      path: `${ENV}/storages/:storageName`,
      operation: 'ManagedEnvironmentsStorages_Delete',
      kind: 'write',
      audience: 'arm',
      handle(c) {
        checkEnvironment(settings, c);
        return c.body(null, shares.deleteStorage(c.req.param('storageName')!) ? 200 : 204);
      },
    },
  ];
}

function shareResource(settings: SimulatorSettings, shares: ShareStore, account: string, share: string, stats: boolean): object {
  return {
    id: `${resourceGroupId(settings)}/providers/Microsoft.Storage/storageAccounts/${account}/fileServices/default/shares/${share}`,
    name: share,
    type: 'Microsoft.Storage/storageAccounts/fileServices/shares',
    properties: {
      enabledProtocols: 'SMB',
      accessTier: 'TransactionOptimized',
      shareQuota: 102400,
      ...(stats && { shareUsageBytes: shares.usageBytes(account, share) }),
    },
  };
}

/** The Microsoft.Storage calls the daemon makes for a volume: the account's keys and its file shares. */
export function fileShareRoutes(settings: SimulatorSettings, shares: ShareStore): RouteSpec[] {
  const share = (c: Context) => {
    const account = c.req.param('accountName')!;
    const name = c.req.param('shareName')!;
    const invalid = shares.invalidShareName(name);
    if (invalid) throw badRequest('InvalidResourceName', invalid);
    return { account, name };
  };
  return [
    {
      method: 'POST',
      path: `${ACCOUNT}/listKeys`,
      operation: 'StorageAccounts_ListKeys',
      kind: 'write',
      audience: 'arm',
      handle(c) {
        const value = shares.accountKey(c.req.param('accountName')!);
        return c.json({ keys: [{ keyName: 'key1', value, permissions: 'FULL' }] });
      },
    },
    {
      method: 'PUT',
      path: `${ACCOUNT}/fileServices/default/shares/:shareName`,
      operation: 'FileShares_Create',
      kind: 'write',
      audience: 'arm',
      async handle(c) {
        const { account, name } = share(c);
        await readJsonBody(c);
        const created = shares.createShare(account, name);
        return c.json(shareResource(settings, shares, account, name, false), created ? 201 : 200);
      },
    },
    {
      method: 'GET',
      path: `${ACCOUNT}/fileServices/default/shares/:shareName`,
      operation: 'FileShares_Get',
      kind: 'read',
      audience: 'arm',
      handle(c) {
        const { account, name } = share(c);
        if (!shares.shareExists(account, name)) throw notFound('ShareNotFound', 'The specified share does not exist.');
        const stats = (c.req.query('$expand') ?? '').split(',').includes('stats');
        return c.json(shareResource(settings, shares, account, name, stats));
      },
    },
    {
      method: 'DELETE',
      path: `${ACCOUNT}/fileServices/default/shares/:shareName`,
      operation: 'FileShares_Delete',
      kind: 'write',
      audience: 'arm',
      handle(c) {
        const { account, name } = share(c);
        return c.body(null, shares.deleteShare(account, name) ? 200 : 204);
      },
    },
  ];
}
