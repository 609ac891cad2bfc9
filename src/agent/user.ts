import { readFileSync } from 'node:fs';

/** Who a process runs as: Docker's `User` resolved against the container's own files. */
export interface ProcessUser {
  uid: number;
  gid: number;
  /** The passwd entry's home directory, for HOME when the process's env has none. */
  home?: string;
}

export class UserError extends Error {}

function entries(path: string): string[][] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'));
}

const numeric = (s: string) => /^\d+$/.test(s);

/**
 * Docker's `-u user[:group]` (names or ids) as runc resolves it: names through the container's
 * /etc/passwd and /etc/group, a numeric uid that is not listed runs with gid 0, a listed user
 * gets the primary group of its entry unless a group is given. `root` needs no files.
 */
export function resolveUser(spec: string, root = '/'): ProcessUser {
  const [user = '', group] = spec.split(':', 2) as [string, string | undefined];
  const passwd = entries(`${root}etc/passwd`);
  const entry = passwd.find((e) => (numeric(user) ? e[2] === user : e[0] === user));
  let uid: number;
  let gid = 0;
  let home: string | undefined;
  if (entry) {
    uid = Number(entry[2]);
    gid = Number(entry[3]);
    home = entry[5] || undefined;
  } else if (numeric(user)) {
    uid = Number(user);
  } else if (user === 'root' || user === '') {
    uid = 0;
    home = '/root';
  } else {
    throw new UserError(`unable to find user ${user}: no matching entries in passwd file`);
  }
  if (group !== undefined && group !== '') {
    if (numeric(group)) gid = Number(group);
    else {
      const g = entries(`${root}etc/group`).find((e) => e[0] === group);
      if (!g) throw new UserError(`unable to find group ${group}: no matching entries in group file`);
      gid = Number(g[2]);
    }
  }
  return { uid, gid, ...(home !== undefined && { home }) };
}

/**
 * The uid/gid to hand to spawn for `spec`: undefined when nothing is asked or the agent already
 * runs as that user. An agent that is not root cannot switch (the image's USER is not root, as
 * on ACA with such an image): the user then gets runc's own refusal.
 */
export function userFor(spec: string | undefined): ProcessUser | undefined {
  if (!spec) return undefined;
  const user = resolveUser(spec);
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  if (uid === undefined) return undefined;
  if (user.uid === uid && user.gid === gid) return undefined;
  if (uid !== 0) throw new UserError(`setresuid to ${user.uid}:${user.gid}: operation not permitted (the container's own user is uid ${uid}, which cannot switch users)`);
  return user;
}
