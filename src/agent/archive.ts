import { createReadStream, createWriteStream } from 'node:fs';
import { link, lstat, stat, mkdir, readdir, readlink, realpath, rm, symlink, chmod, utimes } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, posix, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';

type Entry = tar.Extract extends AsyncIterable<infer E> ? E : never;
import type { ArchiveErrorKind, PathStat } from './protocol';

// Go's os.FileMode type bits, which X-Docker-Container-Path-Stat carries.
const MODE_DIR = 2 ** 31;
const MODE_SYMLINK = 2 ** 27;
const MODE_DEVICE = 2 ** 26;
const MODE_NAMED_PIPE = 2 ** 25;
const MODE_SOCKET = 2 ** 24;
const MODE_SETUID = 2 ** 23;
const MODE_SETGID = 2 ** 22;
const MODE_CHAR_DEVICE = 2 ** 21;
const MODE_STICKY = 2 ** 20;

export class ArchiveError extends Error {
  constructor(readonly kind: ArchiveErrorKind, message: string) {
    super(message);
  }
}

/** Go's FileMode for a file's lstat. */
export function goFileMode(st: Stats): number {
  let mode = st.mode & 0o777;
  if (st.isDirectory()) mode += MODE_DIR;
  else if (st.isSymbolicLink()) mode += MODE_SYMLINK;
  else if (st.isFIFO()) mode += MODE_NAMED_PIPE;
  else if (st.isSocket()) mode += MODE_SOCKET;
  else if (st.isCharacterDevice()) mode += MODE_DEVICE + MODE_CHAR_DEVICE;
  else if (st.isBlockDevice()) mode += MODE_DEVICE;
  if (st.mode & 0o4000) mode += MODE_SETUID;
  if (st.mode & 0o2000) mode += MODE_SETGID;
  if (st.mode & 0o1000) mode += MODE_STICKY;
  return mode;
}

async function lstatOrMissing(path: string): Promise<Stats> {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new ArchiveError('notFound', `Could not find the file ${path} in container`);
    }
    throw new ArchiveError('failed', (err as Error).message);
  }
}

/** The stat `docker cp` shows for a path (the link itself for a symlink, as Docker's lstat). */
export async function statPath(path: string, cwd: string): Promise<PathStat> {
  const abs = resolve(cwd, path);
  const st = await lstatOrMissing(abs);
  return {
    name: basename(abs) || '/',
    size: st.size,
    mode: goFileMode(st),
    mtime: st.mtime.toISOString(),
    linkTarget: st.isSymbolicLink() ? await readlink(abs) : '',
  };
}

/**
 * A tar of `path` whose entries are named from its base name (`/etc/hostname` → `hostname`,
 * `/tmp/d` → `d/`, `d/file`), as Docker's GET archive does. Read lazily: the caller's pace
 * (the flow-control window) is the pace of the file reads.
 */
export async function packPath(path: string, cwd: string): Promise<Readable> {
  const abs = resolve(cwd, path);
  await lstatOrMissing(abs);
  const pack = tar.pack();
  const add = async (file: string, name: string): Promise<void> => {
    const st = await lstat(file);
    const header = { name, mode: st.mode & 0o7777, mtime: st.mtime, uid: st.uid, gid: st.gid };
    if (st.isDirectory()) {
      await new Promise<void>((ok, fail) => pack.entry({ ...header, type: 'directory' }, (e) => (e ? fail(e) : ok())));
      for (const child of (await readdir(file)).sort()) await add(join(file, child), posix.join(name, child));
    } else if (st.isSymbolicLink()) {
      const linkname = await readlink(file);
      await new Promise<void>((ok, fail) => pack.entry({ ...header, type: 'symlink', linkname }, (e) => (e ? fail(e) : ok())));
    } else if (st.isFile()) {
      const entry = pack.entry({ ...header, type: 'file', size: st.size });
      await pipeline(createReadStream(file), entry);
    }
    // Devices, sockets and fifos are left out: their content is not a file's.
  };
  void add(abs, basename(abs) || '.').then(
    () => pack.finalize(),
    (err: Error) => pack.destroy(err),
  );
  return pack as unknown as Readable;
}

const within = (root: string, target: string) => {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

function escape(name: string, why: string): ArchiveError {
  return new ArchiveError('invalid', `refusing archive entry ${JSON.stringify(name)}: ${why}`);
}

export interface ExtractOptions {
  noOverwriteDirNonDir: boolean;
}

/**
 * Extracts a tar stream into directory `path`. Every entry must stay inside it: a name with
 * `..` that leaves it, an absolute name, a symlink whose target is absolute or leaves it, a hard
 * link to a file outside it, or a write through an existing link that leaves it, ends the
 * extraction with an `invalid` error. Entries before the bad one stay extracted.
 */
export async function extractInto(path: string, cwd: string, source: Readable, opts: ExtractOptions): Promise<void> {
  const given = resolve(cwd, path);
  const st = await stat(given).catch(() => lstatOrMissing(given));
  if (!st.isDirectory()) throw new ArchiveError('invalid', `extraction point is not a directory: ${path}`);
  const root = await realpath(given);
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) {
      await placeEntry(root, entry, opts);
    }
  })();
  try {
    await Promise.all([pipeline(source, extract), done]);
  } catch (err) {
    source.destroy();
    extract.destroy();
    if (err instanceof ArchiveError) throw err;
    throw new ArchiveError('failed', (err as Error).message);
  }
}

async function placeEntry(root: string, entry: Entry, opts: ExtractOptions): Promise<void> {
  const { header } = entry;
  const name = header.name;
  if (isAbsolute(name)) throw escape(name, 'absolute path');
  const dest = resolve(root, name);
  if (!within(root, dest) || (dest === root && header.type !== 'directory')) throw escape(name, 'it leaves the target directory');
  await mkdir(dirname(dest), { recursive: true });
  // An existing symlink among the parents could lead the write elsewhere.
  if (!within(root, await realpath(dirname(dest)))) throw escape(name, 'a parent directory is a link that leaves the target directory');
  const existing = await lstat(dest).catch(() => undefined);
  const isDir = header.type === 'directory';
  if (existing && opts.noOverwriteDirNonDir && existing.isDirectory() !== isDir) {
    throw new ArchiveError('invalid', `cannot overwrite ${existing.isDirectory() ? 'directory' : 'non-directory'} ${JSON.stringify(name)} with ${isDir ? 'a directory' : 'a non-directory'}`);
  }
  const mode = (header.mode ?? (isDir ? 0o755 : 0o644)) & 0o7777;
  switch (header.type) {
    case 'directory':
      if (existing && !existing.isDirectory()) await rm(dest, { force: true });
      await mkdir(dest, { recursive: true });
      await chmod(dest, mode);
      entry.resume();
      break;
    case 'symlink': {
      const target = header.linkname ?? '';
      if (isAbsolute(target)) throw escape(name, `symlink to an absolute path (${target})`);
      if (!within(root, resolve(dirname(dest), target))) throw escape(name, `symlink target ${target} leaves the target directory`);
      if (existing) await rm(dest, { recursive: true, force: true });
      await symlink(target, dest);
      entry.resume();
      break;
    }
    case 'link': {
      const target = header.linkname ?? '';
      if (isAbsolute(target)) throw escape(name, `hard link to an absolute path (${target})`);
      const source = resolve(root, target);
      if (!within(root, source) || !within(root, await realpath(source).catch(() => source))) {
        throw escape(name, `hard link target ${target} leaves the target directory`);
      }
      if (existing) await rm(dest, { recursive: true, force: true });
      await link(source, dest);
      entry.resume();
      break;
    }
    case 'file':
    case 'contiguous-file':
    case null:
    case undefined:
      if (existing && (existing.isSymbolicLink() || existing.isDirectory())) await rm(dest, { recursive: true, force: true });
      await pipeline(entry, createWriteStream(dest, { mode }));
      await chmod(dest, mode);
      break;
    default:
      // Devices and fifos need privileges a job does not have; skip their (empty) content.
      entry.resume();
      return;
  }
  if (header.mtime && header.type !== 'symlink') await utimes(dest, header.mtime, header.mtime).catch(() => {});
}
