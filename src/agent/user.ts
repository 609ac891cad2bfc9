import { readFileSync } from 'node:fs';
import { join } from 'node:path';

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
 * An image's USER (`name`, `uid`, `name:group`, `uid:gid`) resolved against the container's
 * /etc/passwd and /etc/group under `root`, as runc does; an unknown name is an error, an unknown number runs
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
