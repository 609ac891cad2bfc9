import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { pack } from 'tar-stream';
import type { Header } from 'tar-stream';

type Headers = Partial<Header> & Pick<Header, 'name'>;

/** One gzip-compressed tar layer, with the two digests an image needs. */
export interface Layer {
  /** The gzip bytes: what the registry stores. */
  blob: Buffer;
  /** `sha256:` of `blob`: the manifest's layer digest. */
  digest: string;
  /** `sha256:` of the uncompressed tar: the config's rootfs.diff_ids entry. */
  diffId: string;
}

/**
 * One entry of a layer written by hand (packEntries): for trees that cannot exist on disk here,
 * such as whiteouts, or links pointing out of the root (tests of the unpacker).
 */
export interface LayerEntry {
  /** Path inside the image, without a leading `/` (`etc/os-release`). */
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  /** Permission bits (default 0644 for files, 0755 for directories, 0777 for symlinks). */
  mode?: number;
  uid?: number;
  gid?: number;
  /** Target of a symlink, or the earlier entry a hard link names. */
  linkname?: string;
  content?: string | Buffer;
}

export interface PackOptions {
  /** Owner written for every entry instead of the file's own (e.g. 0 to pack a tree as root's). */
  uid?: number;
  gid?: number;
  /** mtime written for every entry (default: the epoch, so equal trees give equal digests). */
  mtime?: Date;
}

const sha256 = () => createHash('sha256');

/** Collects the gzip of a tar stream and both digests, in one pass. */
async function compress(tar: AsyncIterable<Buffer> & NodeJS.ReadableStream): Promise<Layer> {
  const diff = sha256();
  const blobHash = sha256();
  const chunks: Buffer[] = [];
  const gzip = createGzip();
  gzip.on('data', (c: Buffer) => {
    blobHash.update(c);
    chunks.push(c);
  });
  const ended = new Promise<void>((resolve, reject) => gzip.on('end', resolve).on('error', reject));
  await pipeline(
    tar,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        diff.update(chunk);
        yield chunk;
      }
    },
    gzip,
  );
  await ended;
  return { blob: Buffer.concat(chunks), digest: `sha256:${blobHash.digest('hex')}`, diffId: `sha256:${diff.digest('hex')}` };
}

function writeEntry(p: ReturnType<typeof pack>, header: Headers, content?: Buffer | NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    if (content === undefined || Buffer.isBuffer(content)) {
      p.entry(header, content ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
      return;
    }
    const sink = p.entry(header, (err) => (err ? reject(err) : resolve()));
    content.on('error', reject);
    content.pipe(sink as unknown as Writable);
  });
}

/** Packs entries given by hand into a layer, in the order given. */
export async function packEntries(entries: readonly LayerEntry[]): Promise<Layer> {
  const p = pack();
  const done = compress(p as never);
  for (const e of entries) {
    const type = e.type ?? 'file';
    const mode = e.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644);
    const content = type === 'file' ? Buffer.from(e.content ?? '') : undefined;
    const header: Headers = { name: e.name, type, mode, uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: new Date(0), linkname: e.linkname };
    if (content) header.size = content.length;
    await writeEntry(p, header, content);
  }
  p.finalize();
  return done;
}

/**
 * Packs the tree under `dir` into a layer whose paths are relative to `dir` (`dir/bin/sh` becomes
 * `bin/sh`): regular files, directories, symlinks (as they are, never followed), and hard links
 * (a second path to an inode already packed becomes a tar hard link). Modes, including setuid
 * bits, are kept; owners too unless `options` overrides them. Sockets, fifos and devices are left out.
 */
export async function packDirectory(dir: string, options: PackOptions = {}): Promise<Layer> {
  const p = pack();
  const done = compress(p as never);
  const seen = new Map<string, string>();
  const mtime = options.mtime ?? new Date(0);
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(dir, rel))).sort();
    for (const name of names) {
      const path = rel ? posix.join(rel, name) : name;
      const full = join(dir, path);
      const st = await lstat(full);
      const base = { name: path, mode: st.mode & 0o7777, uid: options.uid ?? st.uid, gid: options.gid ?? st.gid, mtime };
      if (st.isDirectory()) {
        await writeEntry(p, { ...base, type: 'directory' });
        await walk(path);
      } else if (st.isSymbolicLink()) {
        await writeEntry(p, { ...base, type: 'symlink', linkname: await readlink(full) });
      } else if (st.isFile()) {
        const inode = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? seen.get(inode) : undefined;
        if (first !== undefined) {
          await writeEntry(p, { ...base, type: 'link', linkname: first });
        } else {
          if (st.nlink > 1) seen.set(inode, path);
          await writeEntry(p, { ...base, type: 'file', size: st.size }, createReadStream(full));
        }
      }
    }
  };
  await walk('');
  p.finalize();
  return done;
}
