import { createReadStream } from 'node:fs';
import { chmod, chown, lchown, link, lstat, mkdir, open, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';

/** A layer whose content would reach outside the root it is unpacked into. */
export class UnsafeLayerError extends Error {}

/** A layer the simulator cannot read. */
export class UnsupportedLayerError extends Error {}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

async function readMagic(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buffer, 0, 4, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';
const MAX_SYMLINK_HOPS = 40;

/** `name` as a clean relative path inside the root, or an error for one that climbs out. */
function cleanName(name: string): string {
  const normal = posix.normalize(`/${name}`).slice(1).replace(/\/$/, '');
  if (name.split('/').includes('..') && posix.normalize(name).startsWith('..')) throw new UnsafeLayerError(`layer entry ${name} lies outside the root`);
  return normal;
}

/** True when a relative symlink target, read from the link's directory, climbs above the root. */
function climbsOut(linkDir: string, target: string): boolean {
  if (target.startsWith('/')) return false;
  let depth = linkDir === '' ? 0 : linkDir.split('/').length;
  for (const part of target.split('/')) {
    if (part === '..') depth--;
    else if (part !== '' && part !== '.') depth++;
    if (depth < 0) return true;
  }
  return false;
}

/**
 * The host path of `rel` inside `root`, following symlinks of earlier entries as the container
 * would see them (absolute targets are the root's); refuses a path that would resolve outside.
 */
async function resolveInside(root: string, rel: string, followLast: boolean): Promise<string> {
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  const resolved: string[] = [];
  let hops = 0;
  while (parts.length) {
    const part = parts.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = join(root, ...resolved, part);
    const last = parts.length === 0;
    const st = await lstat(candidate).catch(() => undefined);
    if (st?.isSymbolicLink() && (!last || followLast)) {
      if (++hops > MAX_SYMLINK_HOPS) throw new UnsafeLayerError(`too many symlinks resolving ${rel}`);
      const target = await readlink(candidate);
      if (target.startsWith('/')) resolved.length = 0;
      parts.unshift(...target.split('/'));
      continue;
    }
    resolved.push(part);
  }
  return join(root, ...resolved);
}

/**
 * Applies one layer (a gzip tar file) onto `root` with the layer rules of the OCI image spec:
 * whiteouts (`.wh.name`) delete what lower layers put there, opaque markers empty a directory,
 * hard links and symlinks are made as such; owners, modes (setuid included) are kept. An entry
 * naming a path outside the root, a symlink whose relative target climbs above the root, or a
 * hard link to outside is refused with UnsafeLayerError, and the unpack stops.
 * Device nodes and fifos are skipped (replicas get the host's /dev).
 */
export async function applyLayer(root: string, blobPath: string): Promise<void> {
  const magic = await readMagic(blobPath);
  if (magic.equals(ZSTD_MAGIC)) throw new UnsupportedLayerError('zstd-compressed layers are not supported by the simulator');
  const ex = extract();
  // Whiteouts apply to lower layers only: what this layer made stays.
  const made = new Set<string>();
  const done = (async () => {
    for await (const entry of ex) {
      await applyEntry(root, entry.header, entry as unknown as NodeJS.ReadableStream, made);
      entry.resume();
    }
  })();
  // Layers are gzip tars as a rule; a plain tar (`…layer.v1.tar`) is read as it is.
  const read = magic.subarray(0, 2).equals(GZIP_MAGIC) ? pipeline(createReadStream(blobPath), createGunzip(), ex) : pipeline(createReadStream(blobPath), ex);
  try {
    await done;
  } catch (err) {
    ex.destroy();
    await read.catch(() => undefined);
    throw err;
  }
  await read;
}

type Header = { name: string; type?: string | null; mode?: number; uid?: number; gid?: number; linkname?: string | null };

async function applyEntry(root: string, header: Header, body: NodeJS.ReadableStream, made: Set<string>): Promise<void> {
  const name = cleanName(header.name);
  if (name === '') return;
  const base = posix.basename(name);
  const parentRel = posix.dirname(name) === '.' ? '' : posix.dirname(name);
  const parent = await resolveInside(root, parentRel, true);
  if (base === OPAQUE) {
    for (const child of await readdir(parent).catch(() => [] as string[])) {
      if (!made.has(join(parent, child))) await rm(join(parent, child), { recursive: true, force: true });
    }
    return;
  }
  if (base.startsWith(WHITEOUT)) {
    const target = join(parent, base.slice(WHITEOUT.length));
    if (!made.has(target)) await rm(target, { recursive: true, force: true });
    return;
  }
  await mkdir(parent, { recursive: true });
  const path = join(parent, base);
  made.add(path);
  const type = header.type ?? 'file';
  const mode = (header.mode ?? 0o644) & 0o7777;
  const existing = await lstat(path).catch(() => undefined);
  if (existing && !(existing.isDirectory() && type === 'directory')) await rm(path, { recursive: true, force: true });
  switch (type) {
    case 'directory':
      await mkdir(path, { recursive: true });
      break;
    case 'file':
    case 'contiguous-file':
      await pipeline(body, createWriteStream(path, { mode: 0o600 }));
      break;
    case 'symlink': {
      const target = header.linkname ?? '';
      if (climbsOut(parentRel, target)) throw new UnsafeLayerError(`symlink ${name} -> ${target} points outside the root`);
      await symlink(target, path);
      await lchown(path, header.uid ?? 0, header.gid ?? 0);
      return;
    }
    case 'link': {
      const targetRel = cleanName(header.linkname ?? '');
      const target = await resolveInside(root, targetRel, false);
      if (!target.startsWith(`${root}/`)) throw new UnsafeLayerError(`hard link ${name} -> ${header.linkname} points outside the root`);
      await link(target, path);
      return;
    }
    default:
      return;
  }
  await chown(path, header.uid ?? 0, header.gid ?? 0);
  await chmod(path, mode);
}

