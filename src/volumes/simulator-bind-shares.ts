import { existsSync, lstatSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BindShare } from './bind-shares';

/**
 * On the embedded simulator a share is a directory on this machine, so the share that serves a
 * mapped host path (SOCKERLESS_BIND_VOLUMES) is made that host path itself: what the host writes
 * there (a CI runner's step scripts) is what the next container sees, and the other way round.
 * `shareDir` is where the simulator keeps the volume's share; a share already made is kept.
 */
export function linkBindSharesToHost(bindShares: readonly BindShare[], shareDir: (volume: string) => string): void {
  for (const { hostPath, volume } of bindShares) {
    const dir = shareDir(volume);
    if (existsSync(dir) || isLink(dir)) continue;
    mkdirSync(hostPath, { recursive: true });
    mkdirSync(dirname(dir), { recursive: true });
    symlinkSync(hostPath, dir, 'dir');
  }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The simulator's directory of a share (its ShareStore layout: `{dataDir}/shares/{account}/{share}`). */
export const simulatorShareDir = (simulatorDataDir: string, account: string, share: string) => join(simulatorDataDir, 'shares', account.toLowerCase(), share);
