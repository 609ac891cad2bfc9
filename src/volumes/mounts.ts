import { z } from 'zod';
import { invalidParameter } from '../errdefs';
import type { MountRecord } from './types';

/** A mount a container asks for; `volume` with no name is an anonymous volume, made at create. */
export interface MountRequest {
  type: 'volume' | 'bind' | 'tmpfs';
  /** Volume name or host path; empty for an anonymous volume or tmpfs. */
  source: string;
  destination: string;
  readOnly: boolean;
  mode: string;
  labels?: Record<string, string>;
}

const mountSchema = z
  .object({
    Type: z.enum(['volume', 'bind', 'tmpfs', 'npipe', 'cluster', 'image']),
    Source: z.string().nullish(),
    Target: z.string().min(1, 'Target is required'),
    ReadOnly: z.boolean().nullish(),
    VolumeOptions: z.object({ Labels: z.record(z.string(), z.string()).nullish() }).loose().nullish(),
  })
  .loose();

/** The create body's mount fields: `HostConfig.Binds`, `HostConfig.Mounts`, `HostConfig.Tmpfs`, `Config.Volumes`. */
export const mountFields = z
  .object({
    Volumes: z.record(z.string(), z.unknown()).nullish(),
    HostConfig: z
      .object({
        Binds: z.array(z.string()).nullish(),
        Mounts: z.array(mountSchema).nullish(),
        Tmpfs: z.record(z.string(), z.string()).nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();

export type MountFields = z.infer<typeof mountFields>;

const clean = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);

/** `src:dst[:opts]` as the CLI and compose send it; `src` is a volume name unless it is an absolute path. */
function parseBind(spec: string): MountRequest {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) throw invalidParameter(`invalid volume specification: '${spec}'`);
  const [source, destination, opts = ''] = parts as [string, string, string?];
  if (!destination.startsWith('/')) throw invalidParameter(`invalid volume specification: '${spec}': invalid mount config: destination must be an absolute path`);
  const options = opts.split(',').filter(Boolean);
  return {
    type: source.startsWith('/') ? 'bind' : 'volume',
    source,
    destination: clean(destination),
    readOnly: options.includes('ro'),
    mode: opts,
  };
}

/**
 * Every mount a create body asks for, image VOLUMEs included: paths nothing else mounts become
 * anonymous volumes, as in dockerd. Two mounts on one destination are a 400.
 */
export function mountRequests(body: MountFields, imageVolumes: Record<string, unknown> | null): MountRequest[] {
  const out: MountRequest[] = [];
  const add = (m: MountRequest) => {
    if (out.some((o) => o.destination === m.destination)) throw invalidParameter(`Duplicate mount point: ${m.destination}`);
    out.push(m);
  };
  for (const b of body.HostConfig?.Binds ?? []) add(parseBind(b));
  for (const m of body.HostConfig?.Mounts ?? []) {
    if (m.Type !== 'volume' && m.Type !== 'bind' && m.Type !== 'tmpfs') {
      throw invalidParameter(`mount type "${m.Type}" is not supported by Sockerless ACA`);
    }
    if (m.Type === 'bind' && !m.Source?.startsWith('/')) throw invalidParameter(`invalid mount config for type "bind": source must be an absolute path`);
    add({
      type: m.Type,
      source: m.Source ?? '',
      destination: clean(m.Target),
      readOnly: m.ReadOnly ?? false,
      mode: '',
      ...(m.VolumeOptions?.Labels ? { labels: m.VolumeOptions.Labels } : {}),
    });
  }
  for (const destination of Object.keys(body.HostConfig?.Tmpfs ?? {})) {
    add({ type: 'tmpfs', source: '', destination: clean(destination), readOnly: false, mode: body.HostConfig!.Tmpfs![destination]! });
  }
  for (const path of [...Object.keys(body.Volumes ?? {}), ...Object.keys(imageVolumes ?? {})]) {
    if (!path.startsWith('/')) throw invalidParameter(`invalid volume specification: '${path}': destination must be an absolute path`);
    if (out.some((o) => o.destination === clean(path))) continue;
    out.push({ type: 'volume', source: '', destination: clean(path), readOnly: false, mode: '' });
  }
  return out;
}

/** The inspect form of a mount, once its volume (if any) has a name. */
export function mountRecord(m: MountRequest, volumeName?: string): MountRecord {
  if (m.type === 'volume') {
    return { Type: 'volume', Name: volumeName ?? m.source, Source: '', Destination: m.destination, Driver: 'local', Mode: m.mode || 'z', RW: !m.readOnly, Propagation: '' };
  }
  if (m.type === 'bind') return { Type: 'bind', Source: m.source, Destination: m.destination, Mode: m.mode, RW: !m.readOnly, Propagation: 'rprivate' };
  return { Type: 'tmpfs', Source: '', Destination: m.destination, Mode: m.mode, RW: true, Propagation: '' };
}
