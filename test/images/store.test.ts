import { describe, expect, it } from 'vitest';
import { httpStatus } from '../../src/api/errors';
import { DockerError } from '../../src/errdefs';
import { ImageStore } from '../../src/images';
import { DEFAULT_PATH } from '../../src/images/known-configs';
import type { ImageRecord, PullMessage } from '../../src/images';

const DIGEST = 'sha256:' + 'fedcba9876543210'.repeat(4);

function clock(start = Date.parse('2026-03-01T10:00:00Z')): () => Date {
  let t = start;
  return () => new Date((t += 1000));
}

async function storeWith(...refs: string[]): Promise<ImageStore> {
  const images = new ImageStore({ now: clock() });
  for (const r of refs) await images.pull(r);
  return images;
}

function dockerError(fn: () => unknown): { status: number; message: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DockerError);
    return { status: httpStatus(err), message: (err as DockerError).message };
  }
  throw new Error('did not throw');
}

describe('pull (synthetic)', () => {
  it('makes a metadata-only image with the known defaults and says so', async () => {
    const images = new ImageStore({ now: () => new Date('2026-03-01T10:00:00Z') });
    const lines: PullMessage[] = [];
    const record = await images.pull('docker.io/library/alpine:latest', (m) => lines.push(m));
    expect(lines).toEqual([
      { status: 'Pulling from library/alpine', id: 'latest' },
      { status: 'Synthetic image: metadata only, no layers downloaded (Azure Container Apps pulls the image when the job runs)', id: 'latest' },
      { status: 'Status: Downloaded newer image for alpine:latest' },
    ]);
    expect(record.Id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(record).toEqual<ImageRecord>({
      Id: record.Id,
      RepoTags: ['docker.io/library/alpine:latest'],
      RepoDigests: [],
      Created: '2026-03-01T10:00:00.000Z',
      Size: 0,
      Author: '',
      Comment: 'synthetic: built-in defaults for the official alpine image; metadata only, no registry contact, no layers downloaded',
      Config: { User: '', Env: [DEFAULT_PATH], Cmd: ['/bin/sh'], Entrypoint: null, WorkingDir: '', Labels: null, ExposedPorts: null, Volumes: null },
      Architecture: 'amd64',
      Os: 'linux',
      Layers: [],
      History: [{
        Created: '2026-03-01T10:00:00.000Z',
        CreatedBy: 'sockerless: synthetic image for docker.io/library/alpine:latest',
        Comment: record.Comment,
        EmptyLayer: true,
      }],
      LastTagTime: '2026-03-01T10:00:00.000Z',
      Origin: 'synthetic',
    });
    const again: PullMessage[] = [];
    await images.pull('alpine', (m) => again.push(m));
    expect(again.at(-1)).toEqual({ status: 'Status: Image is up to date for alpine:latest' });
    expect(images.list()).toHaveLength(1);
  });

  it('gives the same id across restarts and different ids per reference', async () => {
    const a = await new ImageStore({ now: () => new Date(0) }).pull('alpine');
    const b = await new ImageStore({ now: () => new Date(1e12) }).pull('docker.io/library/alpine:latest');
    const c = await new ImageStore().pull('alpine:3.20');
    const d = await new ImageStore().pull('ghcr.io/acme/one');
    const e = await new ImageStore().pull('ghcr.io/acme/two');
    expect(a.Id).toBe(b.Id);
    expect(new Set([a.Id, c.Id, d.Id, e.Id]).size).toBe(4);
  });

  it('uses the built-in defaults of known images and a bare PATH otherwise', async () => {
    const images = await storeWith('nginx:1.27', 'redis', 'golang:1.23-alpine', 'node:20', 'ghcr.io/acme/tool:1');
    expect(images.resolve('nginx:1.27').Config).toEqual({
      User: '',
      Env: [DEFAULT_PATH],
      Cmd: ['nginx', '-g', 'daemon off;'],
      Entrypoint: ['/docker-entrypoint.sh'],
      WorkingDir: '',
      Labels: { maintainer: 'NGINX Docker Maintainers <docker-maint@nginx.com>' },
      ExposedPorts: { '80/tcp': {} },
      Volumes: null,
      StopSignal: 'SIGQUIT',
    });
    expect(images.resolve('redis').Config).toMatchObject({ WorkingDir: '/data', Volumes: { '/data': {} }, Cmd: ['redis-server'] });
    expect(images.resolve('golang:1.23-alpine').Config).toMatchObject({ Cmd: ['/bin/sh'], WorkingDir: '/go' });
    expect(images.resolve('node:20').Config).toMatchObject({ Entrypoint: ['docker-entrypoint.sh'], Cmd: ['node'] });
    const unknown = images.resolve('ghcr.io/acme/tool:1');
    expect(unknown.Config).toEqual({
      User: '', Env: [DEFAULT_PATH], Cmd: null, Entrypoint: null, WorkingDir: '', Labels: null, ExposedPorts: null, Volumes: null,
    });
    expect(unknown.Comment).toBe('synthetic: image defaults unknown (no Cmd or Entrypoint); metadata only, no registry contact, no layers downloaded');
  });

  it('records a digest pull as a digest reference, not a tag', async () => {
    const images = new ImageStore();
    const lines: PullMessage[] = [];
    const record = await images.pull(`alpine:3.20@${DIGEST}`, (m) => lines.push(m));
    expect(lines[0]).toEqual({ status: 'Pulling from library/alpine', id: DIGEST });
    expect(lines.at(-1)).toEqual({ status: `Status: Downloaded newer image for alpine@${DIGEST}` });
    expect([record.RepoTags, record.RepoDigests]).toEqual([[], [`docker.io/library/alpine@${DIGEST}`]]);
    expect(images.resolve(`alpine@${DIGEST}`).Id).toBe(record.Id);
    expect(dockerError(() => images.resolve('alpine'))).toEqual({ status: 404, message: 'No such image: alpine:latest' });
  });

  it('rejects malformed references with a 400', async () => {
    await expect(new ImageStore().pull('Alpine')).rejects.toMatchObject({ kind: 'invalidParameter', message: 'invalid reference format: repository name (library/Alpine) must be lowercase' });
  });
});

describe('resolve', () => {
  it('finds an image by every name and id form Docker accepts', async () => {
    const images = await storeWith('alpine', 'ghcr.io/org/x:tag');
    const id = images.resolve('alpine').Id;
    const hex = id.slice('sha256:'.length);
    const otherHex = images.resolve('ghcr.io/org/x:tag').Id.slice(7);
    let unique = 1;
    while (hex.slice(0, unique) === otherHex.slice(0, unique)) unique++;
    for (const name of [
      'alpine', 'alpine:latest', 'library/alpine', 'library/alpine:latest', 'docker.io/library/alpine',
      'docker.io/library/alpine:latest', 'index.docker.io/library/alpine', id, hex, hex.slice(0, 12),
      hex.slice(0, unique), `sha256:${hex.slice(0, unique)}`,
    ]) {
      expect(images.resolve(name).Id, name).toBe(id);
    }
    expect(images.find('ghcr.io/org/x:tag')?.RepoTags).toEqual(['ghcr.io/org/x:tag']);
  });

  it('answers 404 in Docker wording, including for an ambiguous id prefix', async () => {
    const images = await storeWith(...Array.from({ length: 17 }, (_, i) => `ghcr.io/acme/i${i}`));
    expect(dockerError(() => images.resolve('busybox:1.36'))).toEqual({ status: 404, message: 'No such image: busybox:1.36' });
    expect(dockerError(() => images.resolve('nosuch'))).toEqual({ status: 404, message: 'No such image: nosuch:latest' });
    expect(dockerError(() => images.resolve('ghcr.io/a/b'))).toEqual({ status: 404, message: 'No such image: ghcr.io/a/b:latest' });
    expect(dockerError(() => images.resolve(DIGEST))).toEqual({ status: 404, message: `No such image: ${DIGEST}` });
    expect(dockerError(() => images.resolve(DIGEST.slice(7)))).toEqual({ status: 404, message: `No such image: ${DIGEST}` });
    const firstChars = images.list().map((r) => r.Id[7]);
    const shared = firstChars.find((ch, i) => firstChars.indexOf(ch) !== i)!; // 17 ids over 16 hex digits: some first digit repeats
    expect(shared).toMatch(/^[0-9a-f]$/);
    expect(dockerError(() => images.resolve(shared))).toEqual({ status: 404, message: `No such image: ${shared}:latest` });
    expect(images.find('nosuch')).toBeUndefined();
    expect(dockerError(() => images.resolve('UPPER'))).toMatchObject({ status: 400 });
  });
});

describe('tag', () => {
  it('adds a tag (repo arrives qualified), moves an existing one, and updates LastTagTime', async () => {
    const images = await storeWith('alpine', 'busybox');
    const alpine = images.resolve('alpine');
    const tagged = images.tag('alpine', 'docker.io/library/myalpine', '1');
    expect(tagged.RepoTags).toEqual(['docker.io/library/alpine:latest', 'docker.io/library/myalpine:1']);
    expect(Date.parse(tagged.LastTagTime)).toBeGreaterThan(Date.parse(alpine.LastTagTime));
    images.tag('busybox', 'myalpine:1');
    expect(images.resolve('myalpine:1').RepoTags).toEqual(['docker.io/library/busybox:latest', 'docker.io/library/myalpine:1']);
    expect(images.resolve('alpine').RepoTags).toEqual(['docker.io/library/alpine:latest']);
    images.tag(alpine.Id.slice(7, 15), 'ghcr.io/me/alp');
    expect(images.resolve('ghcr.io/me/alp:latest').Id).toBe(alpine.Id);
  });

  it('validates the new name before looking for the source', async () => {
    const images = await storeWith('alpine');
    expect(dockerError(() => images.tag('nosuch', 'BAD'))).toMatchObject({ status: 400 });
    expect(dockerError(() => images.tag('alpine', ''))).toEqual({ status: 400, message: 'repository name must have at least one component' });
    expect(dockerError(() => images.tag('alpine', 'x', 'bad tag'))).toEqual({ status: 400, message: 'invalid tag format: bad tag' });
    expect(dockerError(() => images.tag('alpine', `x@${DIGEST}`))).toEqual({ status: 400, message: 'refusing to create a tag with a digest reference' });
    expect(dockerError(() => images.tag('nosuch', 'x'))).toEqual({ status: 404, message: 'No such image: nosuch:latest' });
  });
});

describe('remove', () => {
  it('untags while other tags remain and deletes with the last one', async () => {
    const images = await storeWith('alpine');
    const id = images.resolve('alpine').Id;
    images.tag('alpine', 'docker.io/library/myalpine', '1');
    expect(images.remove('myalpine:1')).toEqual([{ Untagged: 'myalpine:1' }]);
    expect(images.remove('docker.io/library/alpine')).toEqual([{ Untagged: 'alpine:latest' }, { Deleted: id }]);
    expect(images.list()).toEqual([]);
    expect(dockerError(() => images.remove('alpine'))).toEqual({ status: 404, message: 'No such image: alpine:latest' });
  });

  it('refuses a used image without force, with dockerd messages', async () => {
    const images = await storeWith('alpine');
    const id = images.resolve('alpine').Id;
    images.tag('alpine', 'other');
    const container = 'c0ffee'.repeat(10) + 'abcd';
    const inUse = (imageId: string) => (imageId === id ? container : undefined);
    expect(dockerError(() => images.remove('other', {}, inUse))).toEqual({
      status: 409,
      message: `conflict: unable to remove repository reference "other" (must force) - container c0ffeec0ffee is using its referenced image ${id.slice(7, 19)}`,
    });
    expect(dockerError(() => images.remove(id.slice(7, 19), {}, inUse))).toEqual({
      status: 409,
      message: `conflict: unable to delete ${id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`,
    });
    expect(images.remove('other', { force: true }, inUse)).toEqual([{ Untagged: 'other:latest' }]);
    expect(dockerError(() => images.remove(id, {}, inUse))).toEqual({
      status: 409,
      message: `conflict: unable to delete ${id.slice(7, 19)} (must be forced) - image is being used by container c0ffeec0ffee`,
    });
    expect(images.resolve('alpine').RepoTags).toEqual(['docker.io/library/alpine:latest']);
    expect(images.remove(id, { force: true }, inUse)).toEqual([{ Untagged: 'alpine:latest' }, { Deleted: id }]);
  });

  it('by id: one tag goes without force; several need force and are all untagged', async () => {
    const images = await storeWith('alpine', 'busybox');
    const alpine = images.resolve('alpine').Id;
    expect(images.remove(alpine)).toEqual([{ Untagged: 'alpine:latest' }, { Deleted: alpine }]);
    const busybox = images.resolve('busybox').Id;
    images.tag('busybox', 'docker.io/me/bb', 'v1');
    expect(dockerError(() => images.remove(busybox))).toMatchObject({ status: 409 });
    expect(images.remove(busybox, { force: true })).toEqual([{ Untagged: 'busybox:latest' }, { Untagged: 'me/bb:v1' }, { Deleted: busybox }]);
  });

  it('takes the repository digests along with its last tag', async () => {
    const images = await storeWith(`alpine@${DIGEST}`);
    const id = images.resolve(`alpine@${DIGEST}`).Id;
    images.tag(id, 'alpine', 'pinned');
    images.tag(id, 'mine');
    expect(images.remove('alpine:pinned')).toEqual([{ Untagged: 'alpine:pinned' }, { Untagged: `alpine@${DIGEST}` }]);
    expect(images.resolve(id).RepoDigests).toEqual([]);
    expect(images.remove('mine')).toEqual([{ Untagged: 'mine:latest' }, { Deleted: id }]);
  });
});

describe('prune', () => {
  it('removes dangling images by default and every unused one with danglingOnly=false', async () => {
    const images = await storeWith('alpine', 'busybox', 'nginx');
    const old = images.resolve('alpine').Id;
    images.tag('busybox', 'alpine'); // alpine's old image is now dangling
    const nginx = images.resolve('nginx').Id;
    const inUse = (id: string) => (id === nginx ? 'f'.repeat(64) : undefined);
    expect(images.prune({ danglingOnly: true }, inUse)).toEqual({ ImagesDeleted: [{ Deleted: old }], SpaceReclaimed: 0 });
    const busybox = images.resolve('busybox').Id;
    expect(images.prune({ danglingOnly: false }, inUse)).toEqual({
      ImagesDeleted: [{ Untagged: 'busybox:latest' }, { Untagged: 'alpine:latest' }, { Deleted: busybox }],
      SpaceReclaimed: 0,
    });
    expect(images.list().map((r) => r.Id)).toEqual([nginx]);
  });

  it('honours label, label! and until', async () => {
    const images = await storeWith('nginx', 'alpine');
    const nginx = images.resolve('nginx');
    expect(images.prune({ danglingOnly: false, labels: ['maintainer'], notLabels: ['maintainer'] }).ImagesDeleted).toEqual([]);
    expect(images.prune({ danglingOnly: false, until: new Date(Date.parse(nginx.Created) - 1) }).ImagesDeleted).toEqual([]);
    expect(images.prune({ danglingOnly: false, labels: ['maintainer=NGINX Docker Maintainers <docker-maint@nginx.com>'] }).ImagesDeleted)
      .toEqual([{ Untagged: 'nginx:latest' }, { Deleted: nginx.Id }]);
    expect(images.list().map((r) => r.RepoTags)).toEqual([['docker.io/library/alpine:latest']]);
  });
});

describe('persistence', () => {
  it('snapshots plain JSON records that a new store restores, and reports changes', async () => {
    const changes: number[] = [];
    const images = new ImageStore({ onChange: (records) => changes.push(records.length) });
    await images.pull('alpine');
    images.tag('alpine', 'x');
    const json = JSON.parse(JSON.stringify(images.snapshot())) as ImageRecord[];
    const restored = new ImageStore({ records: json });
    expect(restored.resolve('x').Id).toBe(images.resolve('alpine').Id);
    expect(restored.snapshot()).toEqual(images.snapshot());
    expect(changes).toEqual([1, 1]);
  });
});
