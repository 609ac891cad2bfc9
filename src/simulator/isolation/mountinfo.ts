import { readFileSync } from 'node:fs';

/** mountinfo and fstab escape space, tab, newline and backslash as three-digit octal. */
export function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function escapeOctal(field: string): string {
  return field.replace(/[\s\\#]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/** The mount points of a mountinfo text (field 5), in the order the kernel lists them. */
export function mountPoints(mountinfo: string): string[] {
  return mountinfo
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => unescapeOctal(line.split(' ')[4] ?? ''));
}

export function readMountPoints(): string[] {
  return mountPoints(readFileSync('/proc/self/mountinfo', 'utf8'));
}

/** True when `path` is `dir` or lies inside it (both absolute and normalized). */
export function isWithin(path: string, dir: string): boolean {
  return dir === '/' || path === dir || path.startsWith(`${dir}/`);
}

/** The mount point whose filesystem holds `path`: the longest mount point that contains it. */
export function mountPointOf(path: string, points: readonly string[]): string {
  let best = '/';
  for (const point of points) if (isWithin(path, point) && point.length > best.length) best = point;
  return best;
}
