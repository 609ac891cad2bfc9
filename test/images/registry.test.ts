import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageStore } from '../../src/images';
import { createRegistryFetch, RegistryError } from '../../src/images/registry';
import { parseReference } from '../../src/images/reference';
import type { PullMessage } from '../../src/images';
import { startFakeRegistry } from './fake-registry';
import type { FakeRegistry } from './fake-registry';

let registry: FakeRegistry;
beforeAll(async () => {
  registry = await startFakeRegistry();
});
afterAll(() => registry.close());

const fetchFrom = () => createRegistryFetch({ endpoints: { 'docker.io': registry.url } });

describe('createRegistryFetch against a loopback registry', () => {
  it('does the anonymous token dance, picks linux/amd64 from the index and reads the config blob', async () => {
    registry.requests.length = 0;
    const fetched = await fetchFrom()(parseReference('alpine:latest'));
    expect(fetched.digest).toBe(registry.indexDigest);
    expect(fetched.configDigest).toBe(registry.configDigest);
    expect(fetched.config).toEqual(registry.config);
    expect(registry.requests).toEqual([
      'GET /v2/library/alpine/manifests/latest',
      'GET /token?service=fake-registry&scope=repository%3Alibrary%2Falpine%3Apull',
      'GET /v2/library/alpine/manifests/latest [bearer]',
      `GET /v2/library/alpine/manifests/${registry.manifestDigest} [bearer]`,
      `GET /v2/library/alpine/blobs/${registry.configDigest} [bearer]`,
      `GET /cdn/${registry.configDigest} [bearer]`, // same-origin redirect; fetch drops the header cross-origin
    ]);
  });

  it('pulls by digest and checks the digest of what it got', async () => {
    const fetched = await fetchFrom()(parseReference(`alpine@${registry.indexDigest}`));
    expect(fetched.digest).toBe(registry.indexDigest);
    const wrong = 'sha256:' + '1'.repeat(64);
    await expect(fetchFrom()(parseReference(`alpine@${wrong}`))).rejects.toThrow('manifest for alpine@' + wrong + ' not found: manifest unknown: manifest unknown');
  });

  it('reports registry errors in Docker wording', async () => {
    const fetch = fetchFrom();
    await expect(fetch(parseReference('alpine:nope'))).rejects.toThrow(new RegistryError('manifest for alpine:nope not found: manifest unknown: manifest unknown'));
    await expect(fetch(parseReference('private'))).rejects.toThrow(
      "pull access denied for private, repository does not exist or may require 'docker login': unauthorized: authentication required",
    );
    // A single-arch manifest is read as is; the store refuses its platform (below).
    expect((await fetch(parseReference('armonly'))).config).toMatchObject({ architecture: 'arm64' });
    await expect(fetch(parseReference('tampered'))).rejects.toThrow(/blobs\/sha256:[0-9a-f]{64}: digest mismatch: expected sha256:/);
    await expect(fetch(parseReference('broken'))).rejects.toThrow('manifests/latest: received unexpected HTTP status: 500 Internal Server Error');
  });

  it('reports an unreachable registry', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const fetch = createRegistryFetch({ endpoints: { 'docker.io': `http://127.0.0.1:${port}` } });
    await expect(fetch(parseReference('alpine'))).rejects.toThrow(
      new RegExp(`^Get "http://127\\.0\\.0\\.1:${port}/v2/library/alpine/manifests/latest": .*ECONNREFUSED`),
    );
  });
});

describe('ImageStore with fetchConfig', () => {
  const store = () => new ImageStore({ fetchConfig: true, registryFetch: fetchFrom(), now: () => new Date('2026-01-02T03:04:05Z') });

  it('stores the real config under the config digest and says so in the stream', async () => {
    const images = store();
    const lines: PullMessage[] = [];
    const record = await images.pull('docker.io/library/alpine:latest', (m) => lines.push(m));
    expect(lines).toEqual([
      { status: 'Pulling from library/alpine', id: 'latest' },
      { status: 'Image config fetched from the registry; no layers downloaded (Azure Container Apps pulls them when the job runs)', id: 'latest' },
      { status: `Digest: ${registry.indexDigest}` },
      { status: 'Status: Downloaded newer image for alpine:latest' },
    ]);
    expect(record).toMatchObject({
      Id: registry.configDigest,
      RepoTags: ['docker.io/library/alpine:latest'],
      RepoDigests: [`docker.io/library/alpine@${registry.indexDigest}`],
      Created: '2024-07-22T22:26:43.778747613Z',
      Origin: 'fetched',
      Layers: ['sha256:' + 'a'.repeat(64)],
      Config: {
        User: '',
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'APP=fetched'],
        Cmd: ['/bin/sh'],
        Entrypoint: null,
        WorkingDir: '/srv',
        Labels: { 'org.example.source': 'fake-registry' },
        ExposedPorts: { '8080/tcp': {} },
        Volumes: null,
        StopSignal: 'SIGTERM',
      },
    });
    expect(images.resolve(`alpine@${registry.indexDigest}`).Id).toBe(registry.configDigest);
    expect(images.history('alpine').map((h) => [h.Id, h.CreatedBy, h.Tags])).toEqual([
      [registry.configDigest, '/bin/sh -c #(nop)  CMD ["/bin/sh"]', ['alpine:latest']],
      ['<missing>', '/bin/sh -c #(nop) ADD file:abc in / ', null],
    ]);
    const again: PullMessage[] = [];
    await images.pull('alpine', (m) => again.push(m));
    expect(again.at(-1)).toEqual({ status: 'Status: Image is up to date for alpine:latest' });
  });

  it('fails the pull with the registry error and stores nothing (no synthetic fallback)', async () => {
    const images = store();
    await expect(images.pull('alpine:nope')).rejects.toThrow('manifest for alpine:nope not found: manifest unknown: manifest unknown');
    await expect(images.pull('armonly')).rejects.toThrow(
      'image with reference armonly:latest was found but does not match the specified platform: wanted linux/amd64, actual: linux/arm64',
    );
    expect(images.list()).toEqual([]);
  });
});
