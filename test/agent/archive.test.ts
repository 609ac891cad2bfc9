import { lstat, mkdir, mkdtemp, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ArchiveError, extractInto, goFileMode, packPath, statPath } from '../../src/agent/archive';

type Entry = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link'; body?: string; linkname?: string };

function tarStream(entries: Entry[]): Readable {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: 0o644 }, e.body ?? '');
  pack.finalize();
  return pack as unknown as Readable;
}

let root: string;
let target: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sockerless-archive-'));
  target = join(root, 'target');
  await mkdir(target);
});

const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: ArchiveError) => ({ kind: e.kind, message: e.message }));

describe('archive put refuses entries that leave the target directory', () => {
  it('../x is refused and nothing is written outside', async () => {
    expect(await refusal(extractInto(target, '/', tarStream([{ name: '../x', body: 'out' }]), { noOverwriteDirNonDir: false }))).toMatchObject({
      kind: 'invalid', message: expect.stringContaining('../x'),
    });
    await expect(lstat(join(root, 'x'))).rejects.toThrow();
  });

  it('a/../../x and absolute names are refused', async () => {
    expect(await refusal(extractInto(target, '/', tarStream([{ name: 'a/../../x' }]), { noOverwriteDirNonDir: false }))).toMatchObject({ kind: 'invalid' });
    expect(await refusal(extractInto(target, '/', tarStream([{ name: '/etc/x' }]), { noOverwriteDirNonDir: false }))).toMatchObject({ kind: 'invalid' });
  });

  it('absolute symlinks, escaping symlinks and escaping hard links are refused', async () => {
    const put = (entries: Entry[]) => refusal(extractInto(target, '/', tarStream(entries), { noOverwriteDirNonDir: false }));
    expect(await put([{ name: 'l', type: 'symlink', linkname: '/etc' }])).toMatchObject({ kind: 'invalid', message: expect.stringContaining('absolute') });
    expect(await put([{ name: 'l', type: 'symlink', linkname: '../..' }])).toMatchObject({ kind: 'invalid' });
    expect(await put([{ name: 'h', type: 'link', linkname: '../secret' }])).toMatchObject({ kind: 'invalid' });
  });

  it('a write through an existing link that leaves the directory is refused', async () => {
    await symlink(root, join(target, 'up'));
    expect(await refusal(extractInto(target, '/', tarStream([{ name: 'up/x', body: 'no' }]), { noOverwriteDirNonDir: false }))).toMatchObject({ kind: 'invalid' });
    await expect(lstat(join(root, 'x'))).rejects.toThrow();
  });

  it('ordinary files, directories and inner links are extracted', async () => {
    await extractInto(target, '/', tarStream([
      { name: 'd', type: 'directory' },
      { name: 'd/f.txt', body: 'hello' },
      { name: 'd/rel', type: 'symlink', linkname: 'f.txt' },
      { name: 'd/hard', type: 'link', linkname: 'd/f.txt' },
    ]), { noOverwriteDirNonDir: false });
    expect(await readFile(join(target, 'd/f.txt'), 'utf8')).toBe('hello');
    expect(await readlink(join(target, 'd/rel'))).toBe('f.txt');
    expect(await readFile(join(target, 'd/hard'), 'utf8')).toBe('hello');
  });

  it('a missing target is notFound', async () => {
    expect(await refusal(extractInto(join(root, 'nope'), '/', tarStream([]), { noOverwriteDirNonDir: false }))).toMatchObject({ kind: 'notFound' });
  });
});

describe('archive stat and get', () => {
  it("stat reports Go's FileMode bits: a directory has 1<<31, a symlink 1<<27", async () => {
    await writeFile(join(target, 'f'), 'abc');
    await symlink('f', join(target, 'l'));
    expect(await statPath(target, '/')).toMatchObject({ name: 'target', mode: 2 ** 31 + 0o755 });
    expect(await statPath('f', target)).toMatchObject({ name: 'f', size: 3, linkTarget: '' });
    expect((await statPath('l', target)).mode & 2 ** 27).not.toBe(0);
    expect(await statPath('l', target)).toMatchObject({ linkTarget: 'f' });
    expect(goFileMode(await lstat(target)) >= 2 ** 31).toBe(true);
    expect(await refusal(statPath('missing', target))).toMatchObject({ kind: 'notFound' });
  });

  it('get names entries from the base name, as Docker does', async () => {
    await mkdir(join(target, 'sub'));
    await writeFile(join(target, 'sub', 'x'), 'xx');
    const names: string[] = [];
    const extract = tar.extract();
    const done = (async () => {
      for await (const entry of extract) {
        names.push(entry.header.name);
        entry.resume();
      }
    })();
    (await packPath(target, '/')).pipe(extract as unknown as NodeJS.WritableStream);
    await done;
    expect(names).toEqual(['target', 'target/sub', 'target/sub/x']);
  });
});
