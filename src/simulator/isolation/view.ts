import { existsSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { isWithin, mountPointOf } from './mountinfo';

/**
 * Paths a replica sees as fresh, empty filesystems of its own, whatever the host has there.
 * /root is the simulator user's home on the hosts this runs on: credentials (~/.azure, ~/.docker)
 * and the daemon's default data root live there.
 */
export const PRIVATE_PATHS: readonly string[] = ['/proc', '/sys', '/dev', '/tmp', '/root'];

/** One mount every replica gets besides the copy-on-write host root and the private paths. */
export interface ViewMount {
  /** hide: an empty tmpfs over a host path; bind: a host directory bound read-only at the same path. */
  kind: 'hide' | 'bind';
  path: string;
}

/** The directory holding package.json: the agent and tsx run from there. */
export function projectRoot(): string {
  return fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');
}

/** The prefix node is installed under (/usr for /usr/bin/node, the version dir for nvm's). */
export function nodePrefix(): string {
  return dirname(dirname(realpathSync(process.execPath)));
}

function canonical(paths: readonly string[]): string[] {
  const found = paths.map((p) => resolve(p)).filter((p) => existsSync(p)).map((p) => realpathSync(p));
  return [...new Set(found)].filter((p) => p !== '/');
}

const depth = (path: string): number => path.split('/').length;

/**
 * Decides which host paths need a mount in every replica, parents before children. The overlay's
 * lower layer is the root filesystem only: a directory on another mount, or under a private or
 * hidden path, shows up empty unless bound. A hidden path needs covering wherever the replica
 * would otherwise see it: on the root filesystem, or inside a bound directory.
 */
export function replicaMounts(opts: { hidden: readonly string[]; visible: readonly string[]; mountPoints: readonly string[] }): ViewMount[] {
  const onRootFs = (path: string) => mountPointOf(path, opts.mountPoints) === '/';
  const hidden = canonical(opts.hidden);
  const covered = [...PRIVATE_PATHS, ...hidden];
  const binds = canonical(opts.visible).filter((path) => !onRootFs(path) || covered.some((dir) => isWithin(path, dir)));
  // Inside another hidden path nothing shows anyway, unless a bind in between brings it back.
  const alreadyHidden = (path: string) =>
    hidden.some((dir) => dir !== path && isWithin(path, dir) && !binds.some((bind) => isWithin(path, bind) && isWithin(bind, dir)));
  const wouldShow = (path: string) =>
    (onRootFs(path) && !PRIVATE_PATHS.some((dir) => isWithin(path, dir))) || binds.some((dir) => isWithin(path, dir));
  const hides = hidden.filter((path) => wouldShow(path) && !alreadyHidden(path));
  const mounts: ViewMount[] = [
    ...binds.map((path): ViewMount => ({ kind: 'bind', path })),
    ...hides.map((path): ViewMount => ({ kind: 'hide', path })),
  ];
  // Stable: at equal depth a hide comes after a bind of the same path and wins.
  return mounts.sort((a, b) => depth(a.path) - depth(b.path));
}
