import { familiarString } from './reference';
import { RegistryError } from './registry';
import type { ImageReference } from './reference';
import type { FetchedConfig } from './registry';
import type { ImageBody } from './synthetic';
import type { ImageConfig, ImageHistoryRecord } from './types';

type Json = Record<string, unknown>;

/** The record part of an image whose config was read from its registry. Its id is the config digest, as in Docker. */
export function fetchedImage(ref: ImageReference, fetched: FetchedConfig, now: Date): ImageBody {
  const blob = object(fetched.config);
  const os = blob.os ?? '';
  const architecture = blob.architecture ?? '';
  if (os !== 'linux' || architecture !== 'amd64') {
    throw new RegistryError(
      `image with reference ${familiarString(ref)} was found but does not match the specified platform: wanted linux/amd64, actual: ${String(os)}/${String(architecture)}`,
    );
  }
  const created = validTime(blob.created) ?? now.toISOString();
  const rootfs = object(blob.rootfs);
  return {
    Id: fetched.configDigest,
    Created: created,
    Size: 0,
    Author: typeof blob.author === 'string' ? blob.author : '',
    Comment: typeof blob.comment === 'string' ? blob.comment : '',
    Config: imageConfig(object(blob.config)),
    Architecture: 'amd64',
    Os: 'linux',
    Layers: strings(rootfs.diff_ids) ?? [],
    History: (Array.isArray(blob.history) ? blob.history : []).map((h) => historyRecord(object(h))),
    Origin: 'fetched',
  };
}

function imageConfig(c: Json): ImageConfig {
  const config: ImageConfig = {
    User: typeof c.User === 'string' ? c.User : '',
    Env: strings(c.Env) ?? [],
    Cmd: strings(c.Cmd) ?? null,
    Entrypoint: strings(c.Entrypoint) ?? null,
    WorkingDir: typeof c.WorkingDir === 'string' ? c.WorkingDir : '',
    Labels: stringMap(c.Labels),
    ExposedPorts: emptyObjectMap(c.ExposedPorts),
    Volumes: emptyObjectMap(c.Volumes),
  };
  if (typeof c.StopSignal === 'string' && c.StopSignal !== '') config.StopSignal = c.StopSignal;
  return config;
}

function historyRecord(h: Json): ImageHistoryRecord {
  const record: ImageHistoryRecord = {
    CreatedBy: typeof h.created_by === 'string' ? h.created_by : '',
    Comment: typeof h.comment === 'string' ? h.comment : '',
    EmptyLayer: h.empty_layer === true,
  };
  const created = validTime(h.created);
  if (created !== undefined) record.Created = created;
  return record;
}

function object(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
}

function stringMap(value: unknown): Record<string, string> | null {
  const entries = Object.entries(object(value)).filter((e): e is [string, string] => typeof e[1] === 'string');
  return entries.length ? Object.fromEntries(entries) : null;
}

function emptyObjectMap(value: unknown): Record<string, Record<string, never>> | null {
  const keys = Object.keys(object(value));
  return keys.length ? Object.fromEntries(keys.map((k) => [k, {}])) : null;
}

function validTime(value: unknown): string | undefined {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) return undefined;
  return value;
}
