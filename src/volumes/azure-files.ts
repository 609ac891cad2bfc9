import { createHash } from 'node:crypto';
import type { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import type { StorageManagementClient } from '@azure/arm-storage';

/** Where named volumes live: one Azure Files share each, in this storage account. */
export interface ShareSettings {
  /** SOCKERLESS_ACA_STORAGE_ACCOUNT */
  account: string;
  /** SOCKERLESS_ACA_STORAGE_RESOURCE_GROUP; the environment's resource group by default. */
  resourceGroup: string;
  /** SOCKERLESS_ACA_STORAGE_KEY; read with StorageAccounts_ListKeys when unset. Never logged. */
  key?: string;
}

export interface ShareClients {
  storage: StorageManagementClient;
  apps: ContainerAppsAPIClient;
  /** The managed environment's resource group and name (where storages are registered). */
  resourceGroup: string;
  environment: string;
}

/** What a named volume is on Azure: the share, and the storage names a job's AzureFile volume uses. */
export interface ShareNames {
  share: string;
  storage: { readWrite: string; readOnly: string };
}

const isNotFound = (err: unknown) => (err as { statusCode?: number }).statusCode === 404;

/**
 * Named volumes as Azure Files shares, made by this daemon through ARM (FileShares_Create) the
 * first time a volume is created or mounted, and registered on the environment as storages
 * (ManagedEnvironmentsStorages): one ReadWrite registration, and a ReadOnly one the first time a
 * container mounts the volume `:ro` (ACA's access mode lives on the registration, not the mount).
 * Names carry a hash of this daemon's instance id, so daemons sharing an account never share or
 * remove each other's shares. Each share and registration is checked or made once per daemon
 * life, not per run.
 */
export class AzureFileShares {
  readonly #ensured = new Map<string, Promise<void>>();
  #key: Promise<string> | undefined;

  constructor(
    private readonly clients: ShareClients,
    readonly settings: ShareSettings,
    private readonly instanceId: string,
  ) {}

  names(volume: string): ShareNames {
    const hash = createHash('sha256').update(`${this.instanceId}\0${volume}`).digest('hex');
    // Share names: 3-63 lowercase letters, digits and single hyphens.
    const readable = volume.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 36);
    const share = `sockerless-${hash.slice(0, 12)}${readable ? `-${readable}` : ''}`;
    const base = `sl-${hash.slice(0, 16)}`;
    return { share, storage: { readWrite: `${base}-rw`, readOnly: `${base}-ro` } };
  }

  /** Inspect's Mountpoint and Status for a volume: the share behind it. */
  describe(volume: string): { Mountpoint: string; Status: Record<string, string> } {
    const { share, storage } = this.names(volume);
    return {
      Mountpoint: `//${this.settings.account}.file.core.windows.net/${share}`,
      Status: { Backing: 'Azure Files', StorageAccount: this.settings.account, Share: share, EnvironmentStorage: storage.readWrite },
    };
  }

  /** Makes the volume's share if it does not exist yet. */
  ensureShare(volume: string): Promise<void> {
    return this.#once(`share:${volume}`, async () => {
      const { storage } = this.clients;
      const { share } = this.names(volume);
      const { resourceGroup, account } = this.settings;
      try {
        await storage.fileShares.get(resourceGroup, account, share);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        await storage.fileShares.create(resourceGroup, account, share, { enabledProtocols: 'SMB', metadata: { 'sockerless-volume': volume } });
      }
    });
  }

  /** The environment storage a job names to mount the volume (made with its share on first use). */
  async storageFor(volume: string, readOnly: boolean): Promise<string> {
    const names = this.names(volume);
    const storageName = readOnly ? names.storage.readOnly : names.storage.readWrite;
    await this.ensureShare(volume);
    await this.#once(`storage:${storageName}`, async () => {
      const { apps, resourceGroup, environment } = this.clients;
      const accessMode = readOnly ? 'ReadOnly' : 'ReadWrite';
      try {
        const existing = await apps.managedEnvironmentsStorages.get(resourceGroup, environment, storageName);
        const file = existing.properties?.azureFile;
        if (file?.shareName === names.share && file.accountName === this.settings.account && file.accessMode === accessMode) return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      await apps.managedEnvironmentsStorages.createOrUpdate(resourceGroup, environment, storageName, {
        properties: { azureFile: { accountName: this.settings.account, accountKey: await this.#accountKey(), shareName: names.share, accessMode } },
      });
    });
    return storageName;
  }

  /** Removes the registrations and the share this daemon made for the volume (missing ones are fine). */
  async remove(volume: string): Promise<void> {
    const { apps, storage, resourceGroup, environment } = this.clients;
    const names = this.names(volume);
    for (const name of [names.storage.readWrite, names.storage.readOnly]) {
      this.#ensured.delete(`storage:${name}`);
      await apps.managedEnvironmentsStorages.delete(resourceGroup, environment, name);
    }
    this.#ensured.delete(`share:${volume}`);
    try {
      await storage.fileShares.delete(this.settings.resourceGroup, this.settings.account, names.share);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Bytes the share holds (FileShares_Get with `$expand=stats`); undefined when Azure does not say. */
  async usage(volume: string): Promise<number | undefined> {
    try {
      const share = await this.clients.storage.fileShares.get(this.settings.resourceGroup, this.settings.account, this.names(volume).share, { expand: 'stats' });
      return share.shareUsageBytes;
    } catch (err) {
      if (isNotFound(err)) return 0;
      throw err;
    }
  }

  #accountKey(): Promise<string> {
    if (this.settings.key !== undefined) return Promise.resolve(this.settings.key);
    this.#key ??= this.clients.storage.storageAccounts.listKeys(this.settings.resourceGroup, this.settings.account).then((r) => {
      const key = r.keys?.find((k) => k.value)?.value;
      if (!key) throw new Error(`storage account ${this.settings.account} listed no keys; set SOCKERLESS_ACA_STORAGE_KEY`);
      return key;
    });
    this.#key.catch(() => (this.#key = undefined));
    return this.#key;
  }

  /** Runs `make` once for `key`; a failure is forgotten so the next use tries again. */
  #once(key: string, make: () => Promise<void>): Promise<void> {
    let p = this.#ensured.get(key);
    if (!p) {
      p = make();
      this.#ensured.set(key, p);
      p.catch(() => this.#ensured.delete(key));
    }
    return p;
  }
}
