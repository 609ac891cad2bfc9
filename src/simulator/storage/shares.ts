import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, lstatSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** An environment storage registration (ManagedEnvironmentStorage's `azureFile`). */
export interface StorageRecord {
  name: string;
  accountName: string;
  shareName: string;
  accessMode: 'ReadOnly' | 'ReadWrite';
}

const validShare = /^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/;

/**
 * Azure Files as the simulator keeps it: every storage account exists, each share is a directory
 * on the simulator's disk (`{dataDir}/shares/{account}/{share}`), and the environment's storage
 * registrations are kept in `storages.json` so a restarted simulator still has them.
 */
export class ShareStore {
  readonly root: string;
  readonly #storagesFile: string;
  readonly #storages = new Map<string, StorageRecord>();

  constructor(dataDir: string) {
    this.root = join(dataDir, 'shares');
    this.#storagesFile = join(dataDir, 'storages.json');
    mkdirSync(this.root, { recursive: true });
    try {
      for (const r of JSON.parse(readFileSync(this.#storagesFile, 'utf8')) as StorageRecord[]) this.#storages.set(r.name.toLowerCase(), r);
    } catch {
      // none kept yet
    }
  }

  /** The account's key: the same for an account name every time, so a daemon's registration stays valid. */
  accountKey(account: string): string {
    return createHmac('sha256', 'sockerless-simulator-storage').update(account.toLowerCase()).digest('base64');
  }

  /** Why `share` is not a valid share name (Azure's rule), or undefined. */
  invalidShareName(share: string): string | undefined {
    return validShare.test(share) ? undefined : `The specified share name '${share}' is invalid: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.`;
  }

  dir(account: string, share: string): string {
    return join(this.root, account.toLowerCase(), share);
  }

  shareExists(account: string, share: string): boolean {
    return existsSync(this.dir(account, share));
  }

  /** Creates the share; false when it already existed. */
  createShare(account: string, share: string): boolean {
    const dir = this.dir(account, share);
    if (existsSync(dir)) return false;
    mkdirSync(dir, { recursive: true, mode: 0o777 });
    return true;
  }

  deleteShare(account: string, share: string): boolean {
    const dir = this.dir(account, share);
    if (!existsSync(dir)) return false;
    rmSync(dir, { recursive: true, force: true });
    return true;
  }

  /** Bytes the share's files take (what `$expand=stats` reports as shareUsageBytes). */
  usageBytes(account: string, share: string): number {
    return treeBytes(this.dir(account, share));
  }

  getStorage(name: string): StorageRecord | undefined {
    return this.#storages.get(name.toLowerCase());
  }

  listStorages(): StorageRecord[] {
    return [...this.#storages.values()];
  }

  /** Creates or replaces a registration; true when it is new. */
  putStorage(record: StorageRecord): boolean {
    const created = !this.#storages.has(record.name.toLowerCase());
    this.#storages.set(record.name.toLowerCase(), record);
    this.#save();
    return created;
  }

  deleteStorage(name: string): boolean {
    const gone = this.#storages.delete(name.toLowerCase());
    if (gone) this.#save();
    return gone;
  }

  /** Where a replica mounts an `AzureFile` volume naming `storageName`, or why it cannot. */
  mountSource(storageName: string): { source: string; readOnly: boolean } | { error: string } {
    const s = this.getStorage(storageName);
    if (!s) return { error: `storage '${storageName}' is not registered in the managed environment` };
    const source = this.dir(s.accountName, s.shareName);
    if (!existsSync(source)) return { error: `mount error(2): No such file or directory: share '${s.shareName}' of account '${s.accountName}' does not exist` };
    return { source, readOnly: s.accessMode === 'ReadOnly' };
  }

  #save(): void {
    writeFileSync(this.#storagesFile, JSON.stringify(this.listStorages()));
  }
}

function treeBytes(path: string): number {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.isFile() ? st.size : 0;
  let total = 0;
  for (const name of readdirSync(path)) total += treeBytes(join(path, name));
  return total;
}
