import { posix } from 'node:path';

/** A host directory whose bind mounts are served by a named volume's share (a CI runner's workspace). */
export interface BindShare {
  hostPath: string;
  volume: string;
}

/**
 * SOCKERLESS_BIND_VOLUMES: `hostPath=volume` pairs, comma-separated. A bind mount of `hostPath`,
 * or of a path under it, mounts that volume's share (at the matching subPath) instead of being
 * refused; whoever fills the host directory must put the files in the share too (e.g. by running
 * the CI steps themselves in containers that mount it).
 */
export function parseBindShares(value: string | undefined): BindShare[] {
  if (value === undefined || value.trim() === '') return [];
  return value.split(',').map((pair) => {
    const eq = pair.indexOf('=');
    const hostPath = pair.slice(0, eq).trim();
    const volume = pair.slice(eq + 1).trim();
    if (eq < 0 || !hostPath.startsWith('/') || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(volume)) {
      throw new Error(`SOCKERLESS_BIND_VOLUMES: '${pair}' is not hostPath=volume (an absolute path and a volume name)`);
    }
    return { hostPath: posix.normalize(hostPath).replace(/(.)\/+$/, '$1'), volume };
  });
}

/** The volume and subPath that serve a bind of `source`, or undefined when no mapping covers it. */
export function shareOfBind(source: string, shares: readonly BindShare[]): { volume: string; subPath: string } | undefined {
  const path = posix.normalize(source).replace(/(.)\/+$/, '$1');
  for (const s of shares) {
    if (path === s.hostPath) return { volume: s.volume, subPath: '' };
    const base = s.hostPath === '/' ? '/' : `${s.hostPath}/`;
    if (path.startsWith(base)) return { volume: s.volume, subPath: path.slice(base.length) };
  }
  return undefined;
}
