import type { JobVolume } from '../aca/cloud';
import type { AzureFileShares } from './azure-files';
import { shareOfBind, type BindShare } from './bind-shares';
import type { MountRecord } from './types';

/** How a named volume reaches a job, and whether a name is an anonymous volume (EmptyDir). */
export interface JobVolumeSources {
  isAnonymous(volume: string): boolean;
  shares: AzureFileShares | undefined;
  /** Host paths whose bind mounts a volume's share serves (SOCKERLESS_BIND_VOLUMES). */
  bindShares?: readonly BindShare[];
}

/**
 * A container's mounts as job volumes: named volumes are their Azure Files share (a ReadOnly
 * registration for `:ro`), anonymous volumes and tmpfs mounts are EmptyDir (gone with the replica).
 * Bind mounts reach here only for host paths a volume's share serves (SOCKERLESS_BIND_VOLUMES); the
 * others are refused at create.
 */
export async function jobVolumes(mounts: readonly MountRecord[], sources: JobVolumeSources): Promise<JobVolume[]> {
  const out: JobVolume[] = [];
  for (const m of mounts) {
    const name = `vol-${out.length}`;
    if (m.Type === 'tmpfs' || (m.Type === 'volume' && m.Name !== undefined && sources.isAnonymous(m.Name))) {
      out.push({ name, storageType: 'EmptyDir', mountPath: m.Destination });
    } else if (m.Type === 'volume' && m.Name !== undefined) {
      if (!sources.shares) throw new Error(`volume ${m.Name}: named volumes need an Azure Files storage account (set SOCKERLESS_ACA_STORAGE_ACCOUNT)`);
      out.push({ name, storageType: 'AzureFile', storageName: await sources.shares.storageFor(m.Name, !m.RW), mountPath: m.Destination });
    } else if (m.Type === 'bind') {
      const mapped = shareOfBind(m.Source, sources.bindShares ?? []);
      if (!mapped || !sources.shares) throw new Error(`bind mount ${m.Source}: no share serves this host path (SOCKERLESS_BIND_VOLUMES)`);
      const storageName = await sources.shares.storageFor(mapped.volume, !m.RW);
      out.push({ name, storageType: 'AzureFile', storageName, mountPath: m.Destination, ...(mapped.subPath && { subPath: mapped.subPath }) });
    }
  }
  return out;
}
