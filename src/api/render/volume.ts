import type { VolumeRecord } from '../../volumes/types';

/** Said in every volume's inspect and in `docker info` (seed: no persistent storage yet). */
export const VOLUME_NOTE =
  'not yet backed by Azure Files: Sockerless ACA keeps this volume as an in-memory record only; ' +
  'the Azure Container Apps jobs of containers that mount it see only what their image has at that path, and nothing written there is shared or kept';

/** An item of `GET /volumes`; inspect adds `Status`. */
export function renderVolume(v: VolumeRecord, inspect = false) {
  return {
    CreatedAt: v.CreatedAt,
    Driver: v.Driver,
    Labels: v.Labels,
    // No host directory exists for it; an empty path says so rather than inventing one.
    Mountpoint: '',
    Name: v.Name,
    Options: v.Options,
    Scope: 'local',
    ...(inspect ? { Status: { Backing: 'none', Note: VOLUME_NOTE } } : {}),
  };
}
