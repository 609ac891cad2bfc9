import type { ContainerResourcesApi } from '../../container-resources';
import type { Daemon } from '../../daemon/daemon';
import { imageSummary, type ImageStore } from '../../images';
import type { VolumeStore } from '../../volumes/store';
import { listItem } from './container';
import { renderVolume } from './volume';

export interface DiskUsageSources {
  daemon: Daemon;
  images: ImageStore;
  volumes: VolumeStore;
  resources: ContainerResourcesApi;
}

export const DISK_USAGE_TYPES = ['container', 'image', 'volume', 'build-cache'] as const;

/**
 * `GET /system/df`. Nothing here occupies local disk: images are metadata, containers run on ACA,
 * volumes are records. Sizes are 0 and volume sizes -1 ("not computed"), as dockerd reports unknowns.
 */
export function diskUsage(src: DiskUsageSources, types: readonly string[]) {
  const want = (t: string) => types.length === 0 || types.includes(t);
  const snaps = src.daemon.containers().map((r) => r.getSnapshot());
  const usersOf = (imageId: string) => snaps.filter((s) => s.context.imageId === imageId).length;
  return {
    LayersSize: 0,
    Images: want('image') ? src.images.list().map((r) => ({ ...imageSummary(r), Containers: usersOf(r.Id) })) : [],
    Containers: want('container') ? snaps.map((s) => ({ ...listItem(s, src.resources.view(s.context.id)), SizeRw: 0, SizeRootFs: 0 })) : [],
    Volumes: want('volume')
      ? src.volumes.list().map((v) => ({ ...renderVolume(v), UsageData: { Size: -1, RefCount: src.volumes.usedBy(v.Name).length } }))
      : [],
    BuildCache: [],
  };
}
