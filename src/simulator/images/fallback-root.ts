import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { isWithin } from '../isolation/mountinfo';
import type { ViewMount } from '../isolation/view';

/**
 * The host's directories a program needs to run: the only host paths a replica without its
 * image sees (read-only). Everything else of the host (home directories, /root, /srv, /opt,
 * /var, /mnt, /media, the daemon's and simulator's data, the project's checkout) is absent.
 */
export const SYSTEM_DIRS: readonly string[] = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/** Public files of the host's /etc that programs read; copied, never bound. */
const COPIED_ETC = ['hosts', 'resolv.conf', 'os-release', 'nsswitch.conf', 'ld.so.cache', 'localtime', 'host.conf', 'mime.types', 'protocols', 'services'];
/** Public directories of the host's /etc, bound read-only (CA certificates, Debian's alternatives). */
const BOUND_ETC = ['/etc/ssl/certs', '/etc/ca-certificates', '/etc/alternatives'];

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';

/**
 * Writes the lower layer of replicas that run without their image: empty top-level directories
 * (mount points for the system binds), the host's top-level symlinks (`/bin -> usr/bin`), and an
 * /etc of its own with nothing secret in it (no shadow, no host users). Returns the directory:
 * `<parent>/fallback-root-<hash of its content>`, made once. A root in use as a replica's lower
 * layer is never changed under it: when the host's files change, a new one is made beside it.
 */
export function prepareFallbackRoot(parent: string): string {
  const temporary = join(parent, `fallback-root.${process.pid}.${Date.now()}.tmp`);
  rmSync(temporary, { recursive: true, force: true });
  for (const d of ['proc', 'sys', 'dev', 'tmp', 'root', 'home', 'run', 'var/tmp', 'etc']) mkdirSync(join(temporary, d), { recursive: true });
  for (const path of SYSTEM_DIRS) {
    const st = lstatOrUndefined(path);
    if (st?.isSymbolicLink()) symlinkSync(readlinkSync(path), join(temporary, path));
    else if (st?.isDirectory()) mkdirSync(join(temporary, path));
  }
  for (const name of COPIED_ETC) {
    // copyFileSync follows symlinks (os-release -> ../usr/lib/os-release): the copy is a file.
    const from = join('/etc', name);
    if (existsSync(from)) copyFileSync(from, join(temporary, 'etc', name));
  }
  if (!existsSync(join(temporary, 'etc/hosts'))) writeFileSync(join(temporary, 'etc/hosts'), '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n');
  writeFileSync(join(temporary, 'etc/passwd'), PASSWD);
  writeFileSync(join(temporary, 'etc/group'), GROUP);
  for (const path of BOUND_ETC) if (isDirectory(path)) mkdirSync(join(temporary, path), { recursive: true });
  const dir = join(parent, `fallback-root-${treeHash(temporary)}`);
  try {
    if (!existsSync(dir)) renameSync(temporary, dir);
  } catch (err) {
    // Another simulator on this data dir made the same one first.
    if (!existsSync(dir)) throw err;
  }
  rmSync(temporary, { recursive: true, force: true });
  return dir;
}

/** A digest of a small tree: names, types, link targets and file contents. */
function treeHash(root: string): string {
  const hash = createHash('sha256');
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = join(rel, name);
      const st = lstatSync(join(root, path));
      hash.update(`${path}\0${st.mode}\0`);
      if (st.isSymbolicLink()) hash.update(readlinkSync(join(root, path)));
      else if (st.isFile()) hash.update(readFileSync(join(root, path)));
      else if (st.isDirectory()) walk(path);
      hash.update('\0');
    }
  };
  walk('');
  return hash.digest('hex').slice(0, 16);
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function isDirectory(path: string): boolean {
  const st = lstatOrUndefined(path);
  return st?.isDirectory() === true;
}

/**
 * Binds of `visible` host paths (read-only, at the same path), then empty tmpfs over the
 * `hidden` paths those binds would show (a hidden path inside another hidden one needs none).
 * `system` paths are bound first and visible paths inside them need no bind of their own.
 * Parents come before children.
 */
export function visibleMounts(opts: { visible: readonly string[]; hidden: readonly string[]; system?: readonly string[] }): ViewMount[] {
  const system = opts.system ?? [];
  const visible = opts.visible.filter((p) => existsSync(p) && !system.some((dir) => isWithin(p, dir)));
  const binds = [...system, ...new Set(visible)];
  const shown = opts.hidden.filter((p) => binds.some((dir) => isWithin(p, dir) && p !== dir));
  const hides = [...new Set(shown)].filter((p) => !shown.some((other) => other !== p && isWithin(p, other)));
  const mounts: ViewMount[] = [...binds.map((path): ViewMount => ({ kind: 'bind', path })), ...hides.map((path): ViewMount => ({ kind: 'hide', path }))];
  const depth = (p: string) => p.split('/').length;
  return mounts.sort((a, b) => depth(a.path) - depth(b.path));
}

/** The binds of a fallback root: the system directories and public /etc ones, then visibleMounts'. */
export function fallbackMounts(opts: { visible: readonly string[]; hidden: readonly string[] }): ViewMount[] {
  return visibleMounts({ ...opts, system: [...SYSTEM_DIRS, ...BOUND_ETC].filter(isDirectory) });
}

/** The fallback part of a namespace setup: the lower layer written under `dataDir`, and its binds. */
export function fallbackSetup(dataDir: string, visible: readonly string[], hidden: readonly string[]): { lower: string; mounts: ViewMount[] } {
  mkdirSync(dataDir, { recursive: true });
  return { lower: prepareFallbackRoot(dataDir), mounts: fallbackMounts({ visible, hidden }) };
}
