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

const numeric = (s: string) => /^\d+$/.test(s);

/** Who a process runs as: Docker's `User` resolved against the container's own files. */
export interface ResolvedUser {
  uid: number;
  gid: number;
  /** The passwd entry's home directory (`/` when the user has no entry), for HOME. */
  home: string;
}

export class UserError extends Error {}

/**
 * Docker's `User` (`name`, `uid`, `name:group`, `uid:gid`) resolved against the container's
 * /etc/passwd and /etc/group under `root`, as runc does: an unknown name is an error (in runc's
 * words), an unknown number runs with gid 0 and HOME `/`, a listed user gets the primary group of
 * its entry unless a group is given. `root` needs no files (an image without /etc/passwd).
 */
export function resolveUser(root: string, user: string | undefined): ResolvedUser | string {
  if (!user) return { uid: 0, gid: 0, home: '/root' };
  const [name = '', group] = user.split(':', 2) as [string, string | undefined];
  const entry = readTable(root, 'passwd').find((p) => (numeric(name) ? p[2] === name : p[0] === name));
  let resolved: ResolvedUser;
  if (entry) resolved = { uid: Number(entry[2]), gid: Number(entry[3]), home: entry[5] || '/' };
  else if (numeric(name)) resolved = { uid: Number(name), gid: 0, home: '/' };
  else if (name === 'root' || name === '') resolved = { uid: 0, gid: 0, home: '/root' };
  else return `unable to find user ${name}: no matching entries in passwd file`;
  if (group !== undefined && group !== '') {
    if (numeric(group)) resolved.gid = Number(group);
    else {
      const g = readTable(root, 'group').find((row) => row[0] === group);
      if (!g) return `unable to find group ${group}: no matching entries in group file`;
      resolved.gid = Number(g[2]);
    }
  }
  return resolved;
}

/**
 * The ids and HOME a session's process gets for Docker's `User` (`spec`), resolved in the
 * container's own files (the agent's `/`): `user` is undefined when nothing is asked or the agent
 * already runs as that user. An agent that is not root cannot switch (the image's USER is not
 * root, as on ACA with such an image): the user then gets runc's own refusal. Throws UserError
 * with runc's text for a user or group that cannot be resolved.
 */
export function userFor(spec: string | undefined, env: NodeJS.ProcessEnv): { user?: { uid: number; gid: number }; env: NodeJS.ProcessEnv } {
  if (!spec) return { env };
  const resolved = resolveUser('/', spec);
  if (typeof resolved === 'string') throw new UserError(resolved);
  // The runtime gave the agent (root) root's HOME; the user's own replaces it, an image's or -e's stays.
  const home = env.HOME === undefined || (env.HOME === '/root' && resolved.uid !== 0) ? { ...env, HOME: resolved.home } : env;
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  if (uid === undefined || (resolved.uid === uid && resolved.gid === gid)) return { env: home };
  if (uid !== 0) throw new UserError(`setresuid to ${resolved.uid}:${resolved.gid}: operation not permitted (the container's own user is uid ${uid}, which cannot switch users)`);
  return { user: { uid: resolved.uid, gid: resolved.gid }, env: home };
}
