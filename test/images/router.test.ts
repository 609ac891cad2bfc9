import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { renderError } from '../../src/api/errors';
import { imagesRouter } from '../../src/api/routers/images';
import { ImageStore, RegistryError } from '../../src/images';
import { DEFAULT_PATH } from '../../src/images/known-configs';
import type { AppEnv } from '../../src/api/env';

const DIGEST = 'sha256:' + '0123456789abcdef'.repeat(4);

function setup(store = new ImageStore({ now: clock() }), used: Record<string, string> = {}) {
  const app = new Hono<AppEnv>().route('/', imagesRouter({ images: store, inUseBy: (id) => used[id] })).onError(renderError);
  return { app, store, used };
}

function clock(): () => Date {
  let t = Date.parse('2026-03-01T10:00:00Z');
  return () => new Date((t += 1000));
}

async function pull(app: Hono<AppEnv>, query: string): Promise<{ status: number; type: string | null; lines: unknown[] }> {
  const res = await app.request(`/images/create?${query}`, { method: 'POST', headers: { 'X-Registry-Auth': 'e30=' } });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), lines: text.split('\r\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

async function json(res: Response | Promise<Response>): Promise<[number, unknown]> {
  const r = await res;
  return [r.status, await r.json()];
}

describe('POST /images/create', () => {
  it('streams dockerd-shaped progress for a synthetic pull, as the CLI asks for it', async () => {
    const { app, store } = setup();
    const res = await pull(app, 'fromImage=docker.io%2Flibrary%2Falpine&tag=latest');
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json');
    expect(res.lines).toEqual([
      { status: 'Pulling from library/alpine', id: 'latest' },
      { status: 'Synthetic image: metadata only, no layers downloaded (Azure Container Apps pulls the image when the job runs)', id: 'latest' },
      { status: 'Status: Downloaded newer image for alpine:latest' },
    ]);
    expect((await pull(app, 'fromImage=alpine&tag=latest')).lines.at(-1)).toEqual({ status: 'Status: Image is up to date for alpine:latest' });
    expect(store.resolve('alpine').RepoTags).toEqual(['docker.io/library/alpine:latest']);
  });

  it('takes the tag from fromImage, from tag (which wins), or a digest in tag', async () => {
    const { app, store } = setup();
    expect((await pull(app, 'fromImage=alpine:3.20')).lines.at(-1)).toEqual({ status: 'Status: Downloaded newer image for alpine:3.20' });
    await pull(app, 'fromImage=ghcr.io%2Forg%2Fx:old&tag=new');
    await pull(app, `fromImage=busybox&tag=${encodeURIComponent(DIGEST)}`);
    expect(store.list().map((r) => [...r.RepoTags, ...r.RepoDigests]).sort()).toEqual([
      ['docker.io/library/alpine:3.20'],
      [`docker.io/library/busybox@${DIGEST}`],
      ['ghcr.io/org/x:new'],
    ]);
  });

  it('reports a registry failure as an error line inside the 200 stream', async () => {
    const store = new ImageStore({
      fetchConfig: true,
      registryFetch: async () => {
        throw new RegistryError('manifest for alpine:nope not found: manifest unknown: manifest unknown');
      },
    });
    const res = await pull(setup(store).app, 'fromImage=alpine&tag=nope');
    expect(res.status).toBe(200);
    expect(res.lines).toEqual([
      { status: 'Pulling from library/alpine', id: 'nope' },
      {
        errorDetail: { message: 'manifest for alpine:nope not found: manifest unknown: manifest unknown' },
        error: 'manifest for alpine:nope not found: manifest unknown: manifest unknown',
      },
    ]);
    expect(store.list()).toEqual([]);
  });

  it('refuses import, a missing or malformed name and other platforms before streaming', async () => {
    const { app } = setup();
    const post = (q: string) => json(app.request(`/images/create?${q}`, { method: 'POST' }));
    expect(await post('fromSrc=-&repo=x')).toEqual([501, {
      message: 'image import (fromSrc) is not supported: Azure Container Apps runs images from a container registry; push the image to a registry and pull it',
    }]);
    expect(await post('')).toEqual([400, { message: 'fromImage is required (image import with fromSrc is not supported)' }]);
    expect(await post('fromImage=Alpine')).toEqual([400, { message: 'invalid reference format: repository name (library/Alpine) must be lowercase' }]);
    expect(await post('fromImage=alpine&tag=a%2Fb')).toEqual([400, { message: 'invalid tag format: a/b' }]);
    expect(await post('fromImage=alpine&platform=linux%2Farm64')).toEqual([400, {
      message: 'platform "linux/arm64" is not supported: Azure Container Apps runs linux/amd64 images',
    }]);
    expect((await pull(app, 'fromImage=alpine&platform=linux%2Famd64')).status).toBe(200);
  });
});

describe('GET /images/json', () => {
  it('lists summaries newest first in the API 1.44+ shape', async () => {
    const { app, store } = setup();
    await pull(app, 'fromImage=alpine&tag=latest');
    await pull(app, 'fromImage=nginx&tag=latest');
    const alpine = store.resolve('alpine');
    const nginx = store.resolve('nginx');
    const [status, body] = await json(app.request('/images/json'));
    expect(status).toBe(200);
    expect(body).toEqual([
      {
        Id: nginx.Id, ParentId: '', RepoTags: ['nginx:latest'], RepoDigests: [], Created: Math.floor(Date.parse(nginx.Created) / 1000),
        Size: 0, SharedSize: -1, Labels: { maintainer: 'NGINX Docker Maintainers <docker-maint@nginx.com>' }, Containers: -1,
      },
      {
        Id: alpine.Id, ParentId: '', RepoTags: ['alpine:latest'], RepoDigests: [], Created: Math.floor(Date.parse(alpine.Created) / 1000),
        Size: 0, SharedSize: -1, Labels: null, Containers: -1,
      },
    ]);
  });

  it('filters by reference, dangling, label, before and since', async () => {
    const { app, store } = setup();
    for (const name of ['alpine', 'alpine:3.20', 'nginx', 'ghcr.io/org/tool']) await store.pull(name);
    store.tag('nginx', 'alpine', '3.20'); // alpine:3.20's first image is now dangling
    const ids = async (filters: unknown) => {
      const [status, body] = await json(app.request(`/images/json?filters=${encodeURIComponent(JSON.stringify(filters))}`));
      expect(status).toBe(200);
      return (body as { RepoTags: string[] }[]).map((i) => i.RepoTags);
    };
    expect(await ids({ reference: { alpine: true } })).toEqual([['alpine:3.20'], ['alpine:latest']]);
    expect(await ids({ reference: ['alp*:3.*'] })).toEqual([['alpine:3.20']]);
    expect(await ids({ reference: ['ghcr.io/*/tool'] })).toEqual([['ghcr.io/org/tool:latest']]);
    expect(await ids({ dangling: ['true'] })).toEqual([[]]);
    expect((await ids({ dangling: ['false'] })).length).toBe(3);
    expect(await ids({ label: ['maintainer'] })).toEqual([['nginx:latest', 'alpine:3.20']]);
    expect(await ids({ before: ['nginx'], reference: ['alpine'] })).toEqual([['alpine:latest']]);
    expect(await ids({ since: ['alpine:latest'], dangling: ['false'] })).toEqual([['ghcr.io/org/tool:latest'], ['nginx:latest', 'alpine:3.20']]);
  });

  it('answers 400 on bad filters or flags and 404 on an unknown before/since image', async () => {
    const { app } = setup();
    expect(await json(app.request('/images/json?filters=%7B%22color%22%3A%5B%22red%22%5D%7D'))).toEqual([400, { message: "invalid filter 'color'" }]);
    expect(await json(app.request('/images/json?filters=%7B%22dangling%22%3A%5B%22maybe%22%5D%7D'))).toEqual([400, { message: "invalid filter 'dangling=maybe'" }]);
    expect(await json(app.request('/images/json?all=yes'))).toEqual([400, { message: 'invalid boolean value: "yes"' }]);
    expect(await json(app.request('/images/json?filters=%7B%22before%22%3A%5B%22nosuch%22%5D%7D'))).toEqual([404, { message: 'No such image: nosuch:latest' }]);
  });
});

describe('GET /images/{name}/json', () => {
  it('inspects by any name form, including names with slashes', async () => {
    const { app, store } = setup();
    await store.pull('alpine');
    await store.pull('ghcr.io/a/b:1');
    const alpine = store.resolve('alpine');
    const [status, body] = await json(app.request('/images/docker.io/library/alpine/json'));
    expect(status).toBe(200);
    expect(body).toEqual({
      Id: alpine.Id,
      RepoTags: ['alpine:latest'],
      RepoDigests: [],
      Parent: '',
      Comment: 'synthetic: built-in defaults for the official alpine image; metadata only, no registry contact, no layers downloaded',
      Created: alpine.Created,
      Author: '',
      Config: { User: '', Env: [DEFAULT_PATH], Cmd: ['/bin/sh'], Entrypoint: null, WorkingDir: '', Labels: null, ExposedPorts: null, Volumes: null },
      Architecture: 'amd64',
      Os: 'linux',
      Size: 0,
      GraphDriver: { Name: 'none', Data: null },
      RootFS: { Type: 'layers', Layers: [] },
      Metadata: { LastTagTime: alpine.LastTagTime },
    });
    expect(((await json(app.request('/images/ghcr.io/a/b:1/json')))[1] as { RepoTags: string[] }).RepoTags).toEqual(['ghcr.io/a/b:1']);
    for (const name of ['alpine', 'alpine%3Alatest', alpine.Id, alpine.Id.slice(7, 19)]) {
      expect(((await json(app.request(`/images/${name}/json`)))[1] as { Id: string }).Id, name).toBe(alpine.Id);
    }
    expect(await json(app.request('/images/busybox/json'))).toEqual([404, { message: 'No such image: busybox:latest' }]);
    expect(await json(app.request('/images/alpine/nonsense'))).toEqual([404, { message: 'page not found' }]);
  });

  it('serves history with one entry that says what a synthetic image is', async () => {
    const { app, store } = setup();
    const alpine = await store.pull('alpine');
    expect(await json(app.request('/images/alpine/history'))).toEqual([200, [{
      Id: alpine.Id,
      Created: Math.floor(Date.parse(alpine.Created) / 1000),
      CreatedBy: 'sockerless: synthetic image for docker.io/library/alpine:latest',
      Tags: ['alpine:latest'],
      Size: 0,
      Comment: alpine.Comment,
    }]]);
  });
});

describe('POST /images/{name}/tag and DELETE /images/{name}', () => {
  it('tags (201, no body) and removes like the CLI expects', async () => {
    const { app, store, used } = setup();
    const alpine = await store.pull('alpine');
    const tag = await app.request('/images/alpine/tag?repo=docker.io%2Flibrary%2Fmyalpine&tag=1', { method: 'POST' });
    expect([tag.status, await tag.text()]).toEqual([201, '']);
    expect(store.resolve('myalpine:1').Id).toBe(alpine.Id);
    expect(await json(app.request('/images/nosuch/tag?repo=x', { method: 'POST' }))).toEqual([404, { message: 'No such image: nosuch:latest' }]);
    expect(await json(app.request('/images/alpine/tag?repo=bad%20name', { method: 'POST' }))).toEqual([400, { message: 'invalid reference format' }]);

    expect(await json(app.request('/images/myalpine:1', { method: 'DELETE' }))).toEqual([200, [{ Untagged: 'myalpine:1' }]]);
    used[alpine.Id] = 'abcdef0123456789'.repeat(4);
    expect(await json(app.request('/images/alpine', { method: 'DELETE' }))).toEqual([409, {
      message: `conflict: unable to remove repository reference "alpine" (must force) - container abcdef012345 is using its referenced image ${alpine.Id.slice(7, 19)}`,
    }]);
    expect(await json(app.request('/images/alpine?force=1&noprune=False', { method: 'DELETE' }))).toEqual([200, [
      { Untagged: 'alpine:latest' },
      { Deleted: alpine.Id },
    ]]);
    expect(await json(app.request('/images/alpine', { method: 'DELETE' }))).toEqual([404, { message: 'No such image: alpine:latest' }]);
    expect(await json(app.request('/images/alpine?force=maybe', { method: 'DELETE' }))).toEqual([400, { message: 'invalid boolean value: "maybe"' }]);
  });

  it('removes names with slashes', async () => {
    const { app, store } = setup();
    const x = await store.pull('ghcr.io/org/x:1');
    expect(await json(app.request('/images/ghcr.io/org/x:1', { method: 'DELETE' }))).toEqual([200, [{ Untagged: 'ghcr.io/org/x:1' }, { Deleted: x.Id }]]);
  });
});

describe('POST /images/prune', () => {
  it('prunes unused images and reports them', async () => {
    const { app, store, used } = setup();
    const alpine = await store.pull('alpine');
    const nginx = await store.pull('nginx');
    used[nginx.Id] = 'c'.repeat(64);
    expect(await json(app.request('/images/prune', { method: 'POST' }))).toEqual([200, { ImagesDeleted: [], SpaceReclaimed: 0 }]);
    const all = encodeURIComponent(JSON.stringify({ dangling: { false: true } }));
    expect(await json(app.request(`/images/prune?filters=${all}`, { method: 'POST' }))).toEqual([200, {
      ImagesDeleted: [{ Untagged: 'alpine:latest' }, { Deleted: alpine.Id }],
      SpaceReclaimed: 0,
    }]);
    expect(store.list().map((r) => r.Id)).toEqual([nginx.Id]);
    const bad = encodeURIComponent(JSON.stringify({ until: ['soon'] }));
    expect(await json(app.request(`/images/prune?filters=${bad}`, { method: 'POST' }))).toEqual([400, { message: 'failed to parse value as time or duration: "soon"' }]);
  });
});

describe('unsupported image operations', () => {
  it('answers 501 with the reason', async () => {
    const { app, store } = setup();
    await store.pull('alpine');
    const saveLoad = {
      message: 'image save and load (NotImplemented): Azure Container Apps runs images from a container registry; push the image to a registry and pull it',
    };
    expect(await json(app.request('/images/alpine/push?tag=latest', { method: 'POST' }))).toEqual([501, {
      message: 'push is not supported: ACA runs images from your registry; push with a registry client',
    }]);
    expect(await json(app.request('/images/search?term=alpine'))).toEqual([501, {
      message: 'image search is not supported: Azure Container Apps runs images from a container registry; search your registry instead',
    }]);
    expect(await json(app.request('/images/get?names=alpine'))).toEqual([501, saveLoad]);
    expect(await json(app.request('/images/docker.io/library/alpine/get'))).toEqual([501, saveLoad]);
    expect(await json(app.request('/images/load', { method: 'POST' }))).toEqual([501, saveLoad]);
  });
});

describe('mounted under an app that strips /vX.Y', () => {
  it('routes versioned paths with slash names', async () => {
    const store = new ImageStore();
    const alpine = await store.pull('alpine');
    const app = new Hono<AppEnv>({ getPath: (req) => new URL(req.url).pathname.replace(/^\/v\d+\.\d+(?=\/)/, '') })
      .route('/', imagesRouter({ images: store, inUseBy: () => undefined }))
      .onError(renderError);
    const [status, body] = await json(app.request('/v1.47/images/docker.io/library/alpine/json'));
    expect([status, (body as { Id: string }).Id]).toEqual([200, alpine.Id]);
    expect((await app.request('/v1.47/images/alpine/tag?repo=docker.io%2Flibrary%2Fa&tag=2', { method: 'POST' })).status).toBe(201);
    expect(store.resolve('a:2').Id).toBe(alpine.Id);
  });
});
