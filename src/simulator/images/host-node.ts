import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';

import { isWithin } from '../isolation/mountinfo';

/** Where an image root sees the host's system directories, so the daemon's local agent can run there. */
export const HOST_DIR = '/.sockerless-host';

const HOST_SYSTEM = ['/usr', '/lib', '/lib64'];

/** Host directories bound read-only under HOST_DIR in every image root (real directories only). */
export function hostNodeBinds(): { source: string; target: string; readOnly: true }[] {
  return HOST_SYSTEM.filter((p) => lstatSync(p, { throwIfNoEntry: false })?.isDirectory()).map((p) => ({ source: p, target: `${HOST_DIR}${p}`, readOnly: true }));
}

interface HostNode {
  node: string;
  loader: string;
  libraryPath: string;
}

let cached: HostNode | null | undefined;

/** How to run this host's node inside an image: its ELF loader and libraries, under HOST_DIR. */
function hostNode(): HostNode | null {
  if (cached !== undefined) return cached;
  cached = null;
  try {
    const node = realpathSync(process.execPath);
    const ldd = execFileSync('ldd', [node], { encoding: 'utf8' });
    const libs = [...ldd.matchAll(/=>\s*(\/\S+)/g)].map((m) => realpathSync(m[1]!));
    const loaderLine = /^\s*(\/\S*ld-linux\S*)/m.exec(ldd)?.[1];
    if (!loaderLine) return cached;
    const loader = realpathSync(loaderLine);
    const bound = (p: string) => HOST_SYSTEM.some((dir) => isWithin(p, dir) && existsSync(dir) && lstatSync(dir).isDirectory());
    if (![node, loader, ...libs].every(bound)) return cached;
    cached = { node: HOST_DIR + node, loader: HOST_DIR + loader, libraryPath: [...new Set(libs.map((l) => HOST_DIR + dirname(l)))].join(':') };
  } catch {
    // no ldd, or node is static: leave argv alone
  }
  return cached;
}

/**
 * The daemon's local agent is `<this node> <bundle> -- <command>`: inside an image that node
 * is not there, so it is started through the host's loader and libraries under HOST_DIR.
 * Any other argv is returned as it is (the same array).
 */
export function hostNodeArgv(argv: string[]): string[] {
  const first = argv[0];
  if (first === undefined || (first !== process.execPath && first !== safeRealpath(process.execPath))) return argv;
  const host = hostNode();
  if (!host) return argv;
  return [host.loader, '--library-path', host.libraryPath, host.node, ...argv.slice(1)];
}

function safeRealpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
