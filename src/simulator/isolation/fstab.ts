import { join } from 'node:path';

import type { LayerBacking } from './launcher-script';
import { escapeOctal } from './mountinfo';
import type { ViewMount } from './view';

/** A replica-scoped directory (an EmptyDir volume) bound read-write at `target`. */
export interface VolumeMount {
  source: string;
  target: string;
  readOnly?: boolean;
}

/** Where a replica's overlay keeps its writes. */
export function layerDirs(replicaDir: string, layer: LayerBacking): { upper: string; work: string } {
  const base = layer === 'tmpfs' ? join(replicaDir, 'layer') : replicaDir;
  return { upper: join(base, 'upper'), work: join(base, 'work') };
}

/**
 * Overlay options are comma- and colon-separated with no escaping `mount` passes through, so
 * the replica dirs must live at a path without those (and without whitespace or backslashes).
 */
export const OVERLAY_SAFE_PATH = /^\/[A-Za-z0-9._/+@=-]*$/;

/**
 * The replica's mounts, for one `mount -a`, in order: the copy-on-write root over `lowerDirs`
 * (an image's unpacked layers, top first, or the fallback root), then fresh /proc, the host's
 * /dev (with a private /dev/shm), a read-only /sys, then the binds and hides of `mounts`, then
 * the replica's volumes. Every target lies under the replica's root directory.
 * Binds are not recursive: a recursive one would copy in the mounts below its source, the
 * replica's own among them when the source holds the data dir.
 */
export function replicaFstab(replicaDir: string, layer: LayerBacking, lowerDirs: readonly string[], mounts: readonly ViewMount[], volumes: readonly VolumeMount[] = []): string {
  const root = join(replicaDir, 'root');
  const { upper, work } = layerDirs(replicaDir, layer);
  const at = (path: string) => escapeOctal(path === '/' ? root : join(root, path));
  // The image's own /tmp and /root stay as the image has them; the host's never show.
  const lines = [
    `sockerless-root ${at('/')} overlay lowerdir=${lowerDirs.join(':')},upperdir=${upper},workdir=${work} 0 0`,
    `proc ${at('/proc')} proc nosuid,nodev,noexec,X-mount.mkdir 0 0`,
    `/dev ${at('/dev')} none rbind,X-mount.mkdir 0 0`,
    `shm ${at('/dev/shm')} tmpfs nosuid,nodev,noexec,mode=1777 0 0`,
    `sysfs ${at('/sys')} sysfs ro,nosuid,nodev,noexec,X-mount.mkdir 0 0`,
    ...mounts.map((m) =>
      m.kind === 'hide'
        ? `sockerless-hidden ${at(m.path)} tmpfs mode=0755,X-mount.mkdir 0 0`
        : `${escapeOctal(m.path)} ${at(m.path)} none bind,ro,X-mount.mkdir 0 0`,
    ),
    ...volumes.map((v) => `${escapeOctal(v.source)} ${at(v.target)} none bind${v.readOnly ? ',ro' : ''},X-mount.mkdir 0 0`),
  ];
  return `${lines.join('\n')}\n`;
}
