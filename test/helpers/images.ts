// Test images made without a Docker engine: root filesystems assembled from Debian packages'
// files on this host, packed by src/oci and pushed to a loopback docker-registry.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildImage, packDirectory, pushImage } from '../../src/oci';
import type { ImageSettings, ManifestFormat } from '../../src/oci';
import type { RegistryAuth } from '../../src/images/registry';

export type RootfsKind = 'busybox' | 'musl' | 'glibc';

/** What each kind needs on the host (Debian packages busybox-static, musl-tools, libc6). */
export function missingForKind(kind: RootfsKind): string | undefined {
  if (!isStaticBusybox()) return 'busybox-static (a static /bin/busybox)';
  if (kind === 'musl' && !existsSync('/lib/ld-musl-x86_64.so.1')) return 'musl';
  if (kind === 'musl' && !which('musl-gcc')) return 'musl-tools (musl-gcc)';
  return undefined;
}

function which(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function isStaticBusybox(): boolean {
  try {
    return /statically linked/.test(execFileSync('file', ['-L', '/bin/busybox'], { encoding: 'utf8' }));
  } catch {
    return existsSync('/bin/busybox');
  }
}

const APPLETS = ['sh', 'cat', 'ls', 'echo', 'id', 'pwd', 'env', 'head', 'sleep', 'touch', 'mkdir', 'test', 'true', 'false', 'whoami', 'readlink', 'stat', 'wc'];

function put(root: string, path: string, content: string, mode = 0o644): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
  chmodSync(join(root, path), mode);
}

function copy(root: string, from: string, to = from, mode?: number): void {
  mkdirSync(dirname(join(root, to)), { recursive: true });
  copyFileSync(from, join(root, to));
  if (mode !== undefined) chmodSync(join(root, to), mode);
}

/**
 * A root filesystem in a new temp dir:
 * - busybox: static busybox and its applets as symlinks (no libc at all);
 * - musl: that, plus musl's loader and a program built with musl-gcc (`/usr/bin/musl-hello`);
 * - glibc: the host's dash, cat, ls and id with their shared libraries (no busybox).
 * Each has its own /etc/os-release (ID=sockerless-<kind>), passwd (root, app 1000) and group,
 * and a hard link (`/etc/os-release.link`) so layers carry one.
 */
export function makeRootfs(kind: RootfsKind): string {
  const root = mkdtempSync(join(tmpdir(), `sockerless-rootfs-${kind}-`));
  for (const d of ['bin', 'etc', 'tmp', 'root', 'home/app', 'usr/bin']) mkdirSync(join(root, d), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
  put(root, 'etc/os-release', `NAME="Sockerless ${kind} test image"\nID=sockerless-${kind}\n`);
  linkSync(join(root, 'etc/os-release'), join(root, 'etc/os-release.link'));
  put(root, 'etc/passwd', 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n');
  put(root, 'etc/group', 'root:x:0:\napp:x:1000:\n');
  if (kind === 'busybox' || kind === 'musl') {
    copy(root, '/bin/busybox', 'bin/busybox', 0o755);
    for (const applet of APPLETS) symlinkSync('busybox', join(root, 'bin', applet));
  }
  if (kind === 'musl') {
    copy(root, '/lib/ld-musl-x86_64.so.1', 'lib/ld-musl-x86_64.so.1', 0o755);
    const src = join(root, 'hello.c');
    writeFileSync(src, '#include <stdio.h>\nint main(void) { printf("hello from musl\\n"); return 0; }\n');
    execFileSync('musl-gcc', ['-o', join(root, 'usr/bin/musl-hello'), src]);
    rmSync(src);
  }
  if (kind === 'glibc') {
    copy(root, '/bin/dash', 'bin/sh', 0o755);
    for (const tool of ['/bin/cat', '/bin/ls', '/usr/bin/id', '/bin/echo']) copy(root, tool, tool.replace(/^\//, ''), 0o755);
    for (const lib of sharedLibraries(['/bin/dash', '/bin/cat', '/bin/ls', '/usr/bin/id'])) copy(root, lib, lib.replace(/^\//, ''));
  }
  return root;
}

/** The shared objects (with the loader) the binaries load, as ldd lists them. */
function sharedLibraries(binaries: string[]): string[] {
  const out = execFileSync('ldd', binaries, { encoding: 'utf8' });
  return [...new Set([...out.matchAll(/(\/[^\s:]+\.so[^\s:]*)/g)].map((m) => m[1]!))];
}

export interface TestImage {
  /** `host:port/repository:tag` */
  reference: string;
  digest: string;
  /** Bytes of all layers, compressed. */
  size: number;
}

/** Packs `rootfs` (owned by root in the image) and pushes it as `<registry>/<repository>:<tag>`. */
export async function pushRootfs(
  registry: string,
  repository: string,
  tag: string,
  rootfs: string,
  settings: ImageSettings = {},
  auth?: RegistryAuth,
  format: ManifestFormat = 'oci',
): Promise<TestImage> {
  const layer = await packDirectory(rootfs, { uid: 0, gid: 0 });
  const image = buildImage([layer], settings, format);
  const { digest } = await pushImage({ registry, repository, tag }, image, auth);
  return { reference: `${registry}/${repository}:${tag}`, digest, size: layer.blob.length };
}
