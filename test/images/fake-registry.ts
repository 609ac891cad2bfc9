import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A tiny Registry v2 on 127.0.0.1: bearer-token auth, one index, one amd64 manifest, one config blob. */
export interface FakeRegistry {
  url: string;
  /** Every request as `METHOD path?query` (authorization shown as `[bearer]` when present). */
  requests: string[];
  indexDigest: string;
  manifestDigest: string;
  configDigest: string;
  config: Record<string, unknown>;
  close(): Promise<void>;
}

const TOKEN = 'fake-token-123';
const digestOf = (body: string) => `sha256:${createHash('sha256').update(body).digest('hex')}`;

export const FAKE_CONFIG = {
  architecture: 'amd64',
  os: 'linux',
  created: '2024-07-22T22:26:43.778747613Z',
  config: {
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'APP=fetched'],
    Cmd: ['/bin/sh'],
    WorkingDir: '/srv',
    Labels: { 'org.example.source': 'fake-registry' },
    ExposedPorts: { '8080/tcp': {} },
    StopSignal: 'SIGTERM',
  },
  rootfs: { type: 'layers', diff_ids: ['sha256:' + 'a'.repeat(64)] },
  history: [
    { created: '2024-07-22T22:26:43.445Z', created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
    { created: '2024-07-22T22:26:43.778Z', created_by: '/bin/sh -c #(nop)  CMD ["/bin/sh"]', empty_layer: true },
  ],
};

export async function startFakeRegistry(): Promise<FakeRegistry> {
  const configBody = JSON.stringify(FAKE_CONFIG);
  const configDigest = digestOf(configBody);
  const manifestBody = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: configBody.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: 'sha256:' + 'b'.repeat(64), size: 3_000_000 }],
  });
  const manifestDigest = digestOf(manifestBody);
  const armManifest = JSON.stringify({ schemaVersion: 2, config: { digest: 'sha256:' + 'c'.repeat(64) }, layers: [] });
  const indexBody = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { digest: digestOf(armManifest), platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { digest: manifestDigest, platform: { os: 'linux', architecture: 'amd64' } },
      { digest: 'sha256:' + 'd'.repeat(64), platform: { os: 'unknown', architecture: 'unknown' } },
    ],
  });
  const indexDigest = digestOf(indexBody);
  const armOnlyConfig = JSON.stringify({ architecture: 'arm64', os: 'linux', config: {} });
  const armOnlyManifest = JSON.stringify({ schemaVersion: 2, config: { digest: digestOf(armOnlyConfig) }, layers: [] });

  const requests: string[] = [];
  let url = '';
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '';
    requests.push(`${req.method} ${path}${req.headers.authorization === `Bearer ${TOKEN}` ? ' [bearer]' : ''}`);
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(body);
    };
    const registryError = (status: number, code: string, message: string) => send(status, JSON.stringify({ errors: [{ code, message }] }));
    if (path.startsWith('/token?')) return send(200, JSON.stringify({ token: TOKEN }));
    if (path.startsWith('/cdn/')) return path === `/cdn/${configDigest}` ? send(200, configBody) : send(404, '');
    if (!path.startsWith('/v2/')) return send(404, '');
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      const repo = path.split('/').slice(2, -2).join('/');
      return send(401, JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }), {
        'WWW-Authenticate': `Bearer realm="${url}/token",service="fake-registry",scope="repository:${repo}:pull"`,
      });
    }
    const routes: Record<string, () => void> = {
      '/v2/library/alpine/manifests/latest': () => send(200, indexBody, { 'Content-Type': 'application/vnd.oci.image.index.v1+json' }),
      [`/v2/library/alpine/manifests/${indexDigest}`]: () => send(200, indexBody),
      [`/v2/library/alpine/manifests/${manifestDigest}`]: () => send(200, manifestBody),
      // Docker Hub redirects blobs to a CDN; the client must follow.
      [`/v2/library/alpine/blobs/${configDigest}`]: () => send(307, '', { Location: `${url}/cdn/${configDigest}` }),
      '/v2/library/private/manifests/latest': () => registryError(401, 'UNAUTHORIZED', 'authentication required'),
      '/v2/library/armonly/manifests/latest': () => send(200, armOnlyManifest),
      [`/v2/library/armonly/blobs/${digestOf(armOnlyConfig)}`]: () => send(200, armOnlyConfig),
      '/v2/library/tampered/manifests/latest': () => send(200, manifestBody),
      [`/v2/library/tampered/blobs/${configDigest}`]: () => send(200, configBody.replace('fetched', 'tampered')),
      '/v2/library/broken/manifests/latest': () => send(500, 'oops'),
    };
    const route = routes[path];
    if (route) return route();
    return registryError(404, 'MANIFEST_UNKNOWN', 'manifest unknown');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    indexDigest,
    manifestDigest,
    configDigest,
    config: FAKE_CONFIG,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
