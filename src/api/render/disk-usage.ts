import type { ContainerResourcesApi } from '../../container-resources';
import type { ContainerRef } from '../../daemon/daemon';
import { imageSummary, type ImageStore } from '../../images';
import type { VolumeRecord } from '../../volumes/types';
import type { VolumeStore } from '../../volumes/store';
import { isAnonymous } from '../../volumes/store';
import type { AzureFileShares } from '../../volumes/azure-files';
import { listItem } from './container';
import { renderVolume } from './volume';

export interface DiskUsageSources {
  daemon: { containers(): ContainerRef[] };
  images: ImageStore;
  volumes: VolumeStore;
  resources: ContainerResourcesApi;
  /** Named volumes' shares, whose usage ARM reports. */
  shares?: AzureFileShares;
}

export const DISK_USAGE_TYPES = ['container', 'image', 'volume', 'build-cache'] as const;

/**
 * `GET /system/df`. Images are metadata and containers run on ACA, so their sizes are 0. A named
 * volume's size is its share's usage as ARM reports it (FileShares_Get with stats); anonymous
 * volumes are EmptyDir, gone with each replica, so they have no size to report (-1, dockerd's
 * "not computed").
 */
export async function diskUsage(src: DiskUsageSources, types: readonly string[]) {
  const want = (t: string) => types.length === 0 || types.includes(t);
  const snaps = src.daemon.containers().map((r) => r.getSnapshot());
  const usersOf = (imageId: string) => snaps.filter((s) => s.context.imageId === imageId).length;
  const size = async (v: VolumeRecord): Promise<number> => {
    if (!src.shares || isAnonymous(v)) return -1;
    return (await src.shares.usage(v.Name)) ?? -1;
  };
  return {
    LayersSize: 0,
    Images: want('image') ? src.images.list().map((r) => ({ ...imageSummary(r), Containers: usersOf(r.Id) })) : [],
    Containers: want('container') ? snaps.map((s) => ({ ...listItem(s, src.resources.view(s.context.id)), SizeRw: 0, SizeRootFs: 0 })) : [],
    Volumes: want('volume')
      ? await Promise.all(src.volumes.list().map(async (v) => ({ ...renderVolume(v, false, src.shares), UsageData: { Size: await size(v), RefCount: src.volumes.usedBy(v.Name).length } })))
      : [],
    BuildCache: [],
  };
}
