// The simulator's image cache against a real docker-registry on loopback: layer rules when
// unpacking, one download per digest, a cached image offline, the size bound.
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, packEntries, pushImage } from '../../src/oci';
import type { LayerEntry } from '../../src/oci';
import { ImageStore } from '../../src/simulator/images/image-store';
import type { ImageStoreOptions } from '../../src/simulator/images/image-store';
import { startRegistry, type TestRegistry } from '../compat/registry';

const IS_ROOT = process.platform === 'linux' && process.getuid?.() === 0;
let registry: TestRegistry;
let scratch: string;
const warnings: string[] = [];
const options = (extra: Partial<ImageStoreOptions> = {}): ImageStoreOptions => ({
  logger: { info() {}, warn: (_o, m) => warnings.push(m ?? '') },
  fallback: 'host',
  maxBytes: 1024 ** 3,
  timeoutMs: 5000,
  ...extra,
});

async function push(repository: string, layers: LayerEntry[][]): Promise<string> {
  const packed = await Promise.all(layers.map((entries) => packEntries(entries)));
  await pushImage({ registry: registry.host, repository, tag: 'v1' }, buildImage(packed, { cmd: ['/bin/true'] }));
  return `${registry.host}/${repository}:v1`;
}

beforeAll(async () => {
  registry = await startRegistry('', '');
  scratch = mkdtempSync(join(tmpdir(), 'sockerless-image-store-'));
});

afterAll(async () => {
  await registry?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe.skipIf(!IS_ROOT)('ImageStore (needs root: layers keep their owners)', () => {
  it('applies layers in order: whiteouts delete, opaque directories empty, links and modes are kept', async () => {
    const image = await push('store/layers', [
      [
        { name: 'a', type: 'directory' },
        { name: 'a/gone', content: 'lower' },
        { name: 'a/kept', content: 'kept', mode: 0o4755, uid: 1000, gid: 1000 },
        { name: 'b', type: 'directory' },
        { name: 'b/old', content: 'old' },
        { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
        { name: 'usr/lib/x', content: 'through' },
      ],
      [
        { name: 'b/new', content: 'new' },
        // After an entry of this layer in the same directory: it empties only what lower layers put there.
        { name: 'b/.wh..wh..opq', content: '' },
        { name: 'a/.wh.gone', content: '' },
        { name: 'a/hard', type: 'link', linkname: 'a/kept' },
        { name: 'lib/y', content: 'via the symlink' },
      ],
    ]);
    const store = new ImageStore(join(scratch, 'layers'), options());
    const outcome = await store.prepare(image);
    expect(outcome.kind).toBe('image');
    if (outcome.kind !== 'image') return;
    const root = outcome.root;
    expect(readdirSync(join(root, 'a')).sort()).toEqual(['hard', 'kept']);
    expect(readdirSync(join(root, 'b'))).toEqual(['new']);
    const kept = statSync(join(root, 'a/kept'));
    expect(kept.mode & 0o7777).toBe(0o4755);
    expect([kept.uid, kept.gid]).toEqual([1000, 1000]);
    expect(statSync(join(root, 'a/hard')).ino).toBe(kept.ino);
    expect(readlinkSync(join(root, 'lib'))).toBe('usr/lib');
    // Written through the layer's own symlink, inside the root.
    expect(readFileSync(join(root, 'usr/lib/y'), 'utf8')).toBe('via the symlink');
    expect(outcome.config.Cmd).toEqual(['/bin/true']);
    outcome.release();
  });

  it('refuses an entry named outside the root, and writes nothing outside it', async () => {
    const image = await push('store/dotdot', [[{ name: 'a', type: 'directory' }, { name: 'a/../../escaped-by-name', content: 'x' }]]);
    const dataDir = join(scratch, 'dotdot');
    const store = new ImageStore(dataDir, options());
    const outcome = await store.prepare(image);
    expect(outcome).toEqual({ kind: 'failed', message: expect.stringMatching(/lies outside the root/) });
    expect(existsSync(join(dataDir, 'images', 'escaped-by-name'))).toBe(false);
    expect(existsSync(join(dataDir, 'images', 'tmp', 'escaped-by-name'))).toBe(false);
    expect(readdirSync(join(dataDir, 'images', 'roots'))).toEqual([]);
  });

  it('downloads each layer once, however many executions ask at the same time, and counts it', async () => {
    const image = await push('store/once', [[{ name: 'f', content: 'x'.repeat(10_000) }]]);
    const store = new ImageStore(join(scratch, 'once'), options());
    const outcomes = await Promise.all([store.prepare(image), store.prepare(image), store.prepare(image)]);
    expect(outcomes.map((o) => o.kind)).toEqual(['image', 'image', 'image']);
    expect(store.stats()).toMatchObject({ layerDownloads: 1 });
    await store.prepare(image);
    expect(store.stats().layerDownloads).toBe(1);
    expect(store.stats().layerCacheHits).toBeGreaterThanOrEqual(1);
  });

  it('a cached image runs when its registry is gone; an uncached one falls back, said once', async () => {
    const dataDir = join(scratch, 'offline');
    const other = await startRegistry('', '');
    try {
      const layer = await packEntries([{ name: 'etc', type: 'directory' }, { name: 'etc/os-release', content: 'ID=cached\n' }]);
      await pushImage({ registry: other.host, repository: 'store/offline', tag: 'v1' }, buildImage([layer]));
      const online = new ImageStore(dataDir, options());
      expect((await online.prepare(`${other.host}/store/offline:v1`)).kind).toBe('image');
    } finally {
      await other.close();
    }
    // A new store on the same data dir, as after a restart, with the registry gone.
    const offline = new ImageStore(dataDir, options());
    const cached = await offline.prepare(`${other.host}/store/offline:v1`);
    expect(cached.kind).toBe('image');
    if (cached.kind === 'image') expect(readFileSync(join(cached.root, 'etc/os-release'), 'utf8')).toBe('ID=cached\n');
    const missing = `${other.host}/store/never-pulled:v1`;
    expect((await offline.prepare(missing)).kind).toBe('fallback');
    expect((await offline.prepare(missing)).kind).toBe('fallback');
    expect(warnings.filter((w) => w.includes('never-pulled'))).toHaveLength(1);
    expect(offline.stats().fallbacks).toBe(2);
    const strict = new ImageStore(dataDir, options({ fallback: 'error' }));
    const refused = await strict.prepare(missing);
    expect(refused.kind).toBe('failed');
  });

  it('reads an uncompressed tar layer as it is, and refuses a zstd one with a reason', async () => {
    const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
    const tar = gunzipSync((await packEntries([{ name: 'plain.txt', content: 'plain tar' }])).blob);
    await pushImage({ registry: registry.host, repository: 'store/plain', tag: 'v1' }, buildImage([{ blob: tar, digest: sha(tar), diffId: sha(tar) }]));
    const zstd = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), randomBytes(64)]);
    await pushImage({ registry: registry.host, repository: 'store/zstd', tag: 'v1' }, buildImage([{ blob: zstd, digest: sha(zstd), diffId: sha(zstd) }]));
    const store = new ImageStore(join(scratch, 'formats'), options());
    const plain = await store.prepare(`${registry.host}/store/plain:v1`);
    expect(plain.kind === 'image' && readFileSync(join(plain.root, 'plain.txt'), 'utf8')).toBe('plain tar');
    const refused = await store.prepare(`${registry.host}/store/zstd:v1`);
    expect(refused).toEqual({ kind: 'failed', message: expect.stringMatching(/zstd-compressed layers are not supported/) });
  });

  it('keeps under its bound by dropping what no replica uses, least recently used first', async () => {
    // Random bytes: the gzip blob is as big as the unpacked file.
    const big = () => [{ name: 'blob', content: randomBytes(200_000) }];
    const first = await push('store/bound-a', [big()]);
    const second = await push('store/bound-b', [big()]);
    const store = new ImageStore(join(scratch, 'bound'), options({ maxBytes: 500_000 }));
    const a = await store.prepare(first);
    expect(a.kind).toBe('image');
    if (a.kind === 'image') a.release();
    const b = await store.prepare(second);
    expect(b.kind).toBe('image');
    expect(store.stats().cachedBytes).toBeLessThanOrEqual(500_000);
    if (a.kind === 'image') expect(existsSync(a.root)).toBe(false);
    if (b.kind === 'image') expect(lstatSync(b.root).isDirectory()).toBe(true);
  });
});
