import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { RuntimeConfig } from './image-store';

/** containerd's PATH for an image that sets none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The argv ACA (Kubernetes) runs: `command` replaces the image's ENTRYPOINT (and drops its
 * CMD), `args` replaces CMD; with neither, ENTRYPOINT + CMD.
 */
export function containerArgv(command: string[] | undefined, args: string[] | undefined, config: RuntimeConfig): string[] {
  const entrypoint = command?.length ? command : (config.Entrypoint ?? []);
  const cmd = args?.length ? args : command?.length ? [] : (config.Cmd ?? []);
  return [...entrypoint, ...cmd];
}

/** `NAME=value` entries of an image config as a record (later entries win). */
export function imageEnv(config: RuntimeConfig): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of config.Env ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

function readTable(root: string, file: string): string[][] {
  try {
    return readFileSync(join(root, 'etc', file), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch {
    return [];
  }
}

export interface ResolvedUser {
  uid: number;
  gid: number;
  home: string;
}

/**
 * An image's USER (`name`, `uid`, `name:group`, `uid:gid`) resolved against the image's own
 * /etc/passwd and /etc/group, as runc does; an unknown name is an error, an unknown number runs
 * with gid = that user's or 0 and HOME `/`.
 */
export function resolveUser(root: string, user: string | undefined): ResolvedUser | string {
  if (!user) return { uid: 0, gid: 0, home: '/root' };
  const [name = '', group] = user.split(':');
  const passwd = readTable(root, 'passwd');
  const entry = /^\d+$/.test(name) ? passwd.find((p) => p[2] === name) : passwd.find((p) => p[0] === name);
  if (!entry && !/^\d+$/.test(name)) return `unable to find user ${name}: no matching entries in passwd file`;
  const uid = entry ? Number(entry[2]) : Number(name);
  let gid = entry ? Number(entry[3]) : 0;
  if (group !== undefined) {
    if (/^\d+$/.test(group)) gid = Number(group);
    else {
      const g = readTable(root, 'group').find((row) => row[0] === group);
      if (!g) return `unable to find group ${group}: no matching entries in group file`;
      gid = Number(g[2]);
    }
  }
  return { uid, gid, home: entry?.[5] || '/' };
}
