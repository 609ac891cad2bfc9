import { createHash } from 'node:crypto';

import type { Layer } from './layer';

/** The runtime part of an image config (`config` in the image JSON), as Dockerfile instructions set it. */
export interface ImageSettings {
  entrypoint?: string[];
  cmd?: string[];
  /** `NAME=value` entries. */
  env?: string[];
  workingDir?: string;
  /** `user`, `uid`, `user:group` or `uid:gid`. */
  user?: string;
  labels?: Record<string, string>;
}

export type ManifestFormat = 'oci' | 'docker';

/** An image ready to push: its config blob, its layers and the manifest naming them. */
export interface BuiltImage {
  config: Buffer;
  configDigest: string;
  layers: Layer[];
  manifest: Buffer;
  manifestDigest: string;
  manifestMediaType: string;
}

export const MEDIA_TYPES = {
  oci: {
    manifest: 'application/vnd.oci.image.manifest.v1+json',
    config: 'application/vnd.oci.image.config.v1+json',
    layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  },
  docker: {
    manifest: 'application/vnd.docker.distribution.manifest.v2+json',
    config: 'application/vnd.docker.container.image.v1+json',
    layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  },
} as const;

const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The config and manifest of a linux/amd64 image made of `layers` (bottom first). */
export function buildImage(layers: Layer[], settings: ImageSettings = {}, format: ManifestFormat = 'oci'): BuiltImage {
  const runtime: Record<string, unknown> = {};
  if (settings.entrypoint) runtime.Entrypoint = settings.entrypoint;
  if (settings.cmd) runtime.Cmd = settings.cmd;
  runtime.Env = settings.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
  if (settings.workingDir) runtime.WorkingDir = settings.workingDir;
  if (settings.user) runtime.User = settings.user;
  if (settings.labels) runtime.Labels = settings.labels;
  const config = Buffer.from(
    JSON.stringify({
      created: new Date(0).toISOString(),
      architecture: 'amd64',
      os: 'linux',
      config: runtime,
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map(() => ({ created: new Date(0).toISOString(), created_by: 'sockerless oci packer' })),
    }),
  );
  const types = MEDIA_TYPES[format];
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: types.manifest,
      config: { mediaType: types.config, size: config.length, digest: digestOf(config) },
      layers: layers.map((l) => ({ mediaType: types.layer, size: l.blob.length, digest: l.digest })),
    }),
  );
  return { config, configDigest: digestOf(config), layers, manifest, manifestDigest: digestOf(manifest), manifestMediaType: types.manifest };
}
