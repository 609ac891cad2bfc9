import { parsePortKey } from './bindings';
import type { OpenBinding } from './published';

export type PortMap = Record<string, { HostIp: string; HostPort: string }[] | null>;

export interface PortListItem {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

const exposedKeys = (exposed: Record<string, unknown> | null, open: readonly OpenBinding[]) =>
  [...new Set([...Object.keys(exposed ?? {}).map((k) => { const p = parsePortKey(k); return p ? `${p.port}/${p.proto}` : k; }), ...open.map((b) => b.key)])];

/** NetworkSettings.Ports as dockerd shows it: while running, every exposed port, with its bindings or null. */
export function portMap(running: boolean, exposed: Record<string, unknown> | null, open: readonly OpenBinding[]): PortMap {
  if (!running) return {};
  const out: PortMap = {};
  for (const key of exposedKeys(exposed, open)) {
    const mine = open.filter((b) => b.key === key);
    out[key] = mine.length ? mine.map((b) => ({ HostIp: b.hostIp, HostPort: String(b.port) })) : null;
  }
  return out;
}

/** `GET /containers/json`'s Ports: published ones with their host side, exposed ones without. */
export function portList(running: boolean, exposed: Record<string, unknown> | null, open: readonly OpenBinding[]): PortListItem[] {
  if (!running) return [];
  const out: PortListItem[] = [];
  for (const key of exposedKeys(exposed, open)) {
    const spec = parsePortKey(key);
    if (!spec) continue;
    const mine = open.filter((b) => b.key === key);
    if (!mine.length) out.push({ PrivatePort: spec.port, Type: spec.proto });
    for (const b of mine) out.push({ IP: b.hostIp, PrivatePort: spec.port, PublicPort: b.port, Type: spec.proto });
  }
  return out;
}
