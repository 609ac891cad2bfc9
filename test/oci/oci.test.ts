// src/oci against a real docker-registry on loopback: pack a tree, push it, read it back over the wire.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, linkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, packDirectory, packEntries, pushImage } from '../../src/oci';
import { createRegistryFetch, RegistrySession } from '../../src/images/registry';
import { parseReference } from '../../src/images/reference';
import { startRegistry, type TestRegistry } from '../compat/registry';

const auth = { username: 'pusher', password: 'push-secret' };
let registry: TestRegistry;
let tree: string;

async function entries(tar: Buffer): Promise<Record<string, { type: string; mode: number; uid: number; linkname?: string | null; content: string }>> {
  const out: Record<string, { type: string; mode: number; uid: number; linkname?: string | null; content: string }> = {};
  const ex = extract();
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      const h = entry.header;
      out[h.name] = { type: h.type ?? 'file', mode: h.mode ?? 0, uid: h.uid ?? -1, linkname: h.linkname, content: Buffer.concat(chunks).toString() };
    }
  })();
  ex.end(tar);
  await done;
  return out;
}

beforeAll(async () => {
  registry = await startRegistry(auth.username, auth.password);
  tree = mkdtempSync(join(tmpdir(), 'oci-tree-'));
  mkdirSync(join(tree, 'bin'));
  writeFileSync(join(tree, 'bin/tool'), '#!/bin/sh\necho tool\n');
  chmodSync(join(tree, 'bin/tool'), 0o4755);
  symlinkSync('tool', join(tree, 'bin/alias'));
  linkSync(join(tree, 'bin/tool'), join(tree, 'bin/hard'));
  writeFileSync(join(tree, 'data.txt'), 'payload\n');
}, 30_000);

afterAll(async () => {
  await registry?.close();
  if (tree) rmSync(tree, { recursive: true, force: true });
});

describe('packDirectory', () => {
  it('keeps modes (setuid too), symlinks as links, hard links as tar links, and the owner it is given', async () => {
    const layer = await packDirectory(tree, { uid: 0, gid: 0 });
    const found = await entries(gunzipSync(layer.blob));
    // Entries are sorted (alias, hard, tool): the first path of the inode carries the content, the second links to it.
    expect(found['bin/hard']).toMatchObject({ type: 'file', mode: 0o4755, uid: 0, content: '#!/bin/sh\necho tool\n' });
    expect(found['bin/tool']).toMatchObject({ type: 'link', linkname: 'bin/hard', content: '' });
    expect(found['bin/alias']).toMatchObject({ type: 'symlink', linkname: 'tool' });
    expect(found.bin).toMatchObject({ type: 'directory', mode: 0o755 });
    expect(found['data.txt']!.content).toBe('payload\n');
  });

  it('gives equal digests for equal trees, and a diff id that is the digest of the uncompressed tar', async () => {
    const a = await packDirectory(tree, { uid: 0, gid: 0 });
    const b = await packDirectory(tree, { uid: 0, gid: 0 });
    expect(a.diffId).toBe(b.diffId);
    const { createHash } = await import('node:crypto');
    expect(a.diffId).toBe(`sha256:${createHash('sha256').update(gunzipSync(a.blob)).digest('hex')}`);
    expect(a.digest).toBe(`sha256:${createHash('sha256').update(a.blob).digest('hex')}`);
  });
});

describe('pushImage', () => {
  it.each(['oci', 'docker'] as const)('pushes a %s image that the daemon registry client reads back', async (format) => {
    const layer = await packDirectory(tree, { uid: 0, gid: 0 });
    const image = buildImage([layer], { entrypoint: ['/bin/tool'], cmd: ['x'], env: ['PATH=/bin', 'A=1'], workingDir: '/bin', user: '1000:1000' }, format);
    const { digest } = await pushImage({ registry: registry.host, repository: `oci/${format}`, tag: 'v1' }, image, auth);
    const fetched = await createRegistryFetch()(parseReference(`${registry.host}/oci/${format}:v1`), auth);
    expect(fetched.digest).toBe(digest);
    expect(fetched.configDigest).toBe(image.configDigest);
    expect((fetched.config as { config: object }).config).toEqual({ Entrypoint: ['/bin/tool'], Cmd: ['x'], Env: ['PATH=/bin', 'A=1'], WorkingDir: '/bin', User: '1000:1000' });
    const session = new RegistrySession({ domain: registry.host, path: `oci/${format}` }, {}, auth);
    const res = await session.request(`blobs/${layer.digest}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(layer.blob)).toBe(true);
  });

  it('pushes again without failing when the blobs are there already', async () => {
    const layer = await packEntries([{ name: 'a.txt', content: 'a' }]);
    const image = buildImage([layer]);
    await pushImage({ registry: registry.host, repository: 'oci/again', tag: 'one' }, image, auth);
    await expect(pushImage({ registry: registry.host, repository: 'oci/again', tag: 'two' }, image, auth)).resolves.toEqual({ digest: image.manifestDigest });
  });

  it('is refused without credentials, in Docker words', async () => {
    const image = buildImage([await packEntries([{ name: 'a.txt', content: 'a' }])]);
    await expect(pushImage({ registry: registry.host, repository: 'oci/anon' }, image)).rejects.toThrow(/access denied|unauthorized/i);
  });
});
