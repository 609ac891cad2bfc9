import type { AzureFileShares } from '../../volumes/azure-files';
import { isAnonymous } from '../../volumes/store';
import type { VolumeRecord } from '../../volumes/types';

/** Said in inspect of an anonymous volume: it lives only as long as each replica. */
export const ANONYMOUS_NOTE =
  'an anonymous volume is an EmptyDir volume of the job: each container mounting it gets its own empty directory, gone when the replica ends';

/** An item of `GET /volumes`; inspect adds `Status`. Named volumes show the Azure Files share behind them. */
export function renderVolume(v: VolumeRecord, inspect = false, shares?: AzureFileShares) {
  const backed = shares && !isAnonymous(v) ? shares.describe(v.Name) : undefined;
  return {
    CreatedAt: v.CreatedAt,
    Driver: v.Driver,
    Labels: v.Labels,
    Mountpoint: backed?.Mountpoint ?? '',
    Name: v.Name,
    Options: v.Options,
    Scope: 'local',
    ...(inspect ? { Status: backed?.Status ?? (isAnonymous(v) ? { Backing: 'EmptyDir', Note: ANONYMOUS_NOTE } : { Backing: 'none', Note: 'no storage account is configured (SOCKERLESS_ACA_STORAGE_ACCOUNT): containers cannot mount this volume' }) } : {}),
  };
}
