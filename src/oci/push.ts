import { RegistryError, RegistrySession } from '../images/registry';
import type { RegistryAuth, RegistryOptions } from '../images/registry';
import type { BuiltImage } from './image';

export interface PushTarget {
  /** Registry host with port, as in image references: `127.0.0.1:5000`, `myacr.azurecr.io`. */
  registry: string;
  /** Repository path: `tests/busybox`. */
  repository: string;
  /** Tag to put the manifest under (default `latest`). */
  tag?: string;
}

/**
 * Pushes `image` (blobs, then the manifest under the tag) over the Docker Registry HTTP API v2.
 * Auth as the registry asks: a bearer token for `pull,push` (anonymous or with `auth`'s
 * credentials), or basic credentials. Blobs the registry already has are not sent again.
 * Loopback registries are spoken to over plain HTTP; `options.endpoints` maps others.
 */
export async function pushImage(target: PushTarget, image: BuiltImage, auth?: RegistryAuth, options: RegistryOptions = {}): Promise<{ digest: string }> {
  const session = new RegistrySession({ domain: target.registry, path: target.repository }, options, auth, 'pull,push');
  for (const { blob, digest } of [{ blob: image.config, digest: image.configDigest }, ...image.layers]) {
    await uploadBlob(session, blob, digest);
  }
  const path = `manifests/${target.tag ?? 'latest'}`;
  const res = await session.request(path, { method: 'PUT', body: image.manifest, contentType: image.manifestMediaType });
  if (res.status !== 201) throw await session.failure(res, path);
  await res.body?.cancel();
  return { digest: image.manifestDigest };
}

async function uploadBlob(session: RegistrySession, blob: Buffer, digest: string): Promise<void> {
  const head = await session.request(`blobs/${digest}`, { method: 'HEAD' });
  await head.body?.cancel();
  if (head.ok) return;
  const start = await session.request('blobs/uploads/', { method: 'POST' });
  if (start.status !== 202) throw await session.failure(start, 'blobs/uploads/');
  await start.body?.cancel();
  const location = start.headers.get('location');
  if (!location) throw new RegistryError('blob upload: the registry gave no Location');
  const url = new URL(location, session.url(''));
  url.searchParams.set('digest', digest);
  // A large layer over a slow link needs longer than the per-request timeout.
  const put = await session.request(url.toString(), { method: 'PUT', body: blob, contentType: 'application/octet-stream', timeoutMs: 30 * 60_000 });
  if (put.status !== 201) throw await session.failure(put, `blobs/${digest}`);
  await put.body?.cancel();
}
