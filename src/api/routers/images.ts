import type { Hono } from 'hono';
import { stream } from 'hono/streaming';
import type { Context } from 'hono';
import { invalidParameter, notFound, notImplemented } from '../../errdefs';
import { bool, filters } from '../query';
import type { AppEnv } from '../env';
import {
  LIST_FILTERS, boolFilter, familiarName, familiarString, formatReference, imageInspect, isDigest, listImages, parseReference,
  parseUntil, withDefaultTag, withDigest, withTag,
} from '../../images';
import type { DeleteItem, ImageStore, PullMessage } from '../../images';
import { decodeRegistryAuth, type CredentialStore } from '../../images/credentials';
import type { RegistryAuth } from '../../images/registry';
import { routeTable, type Route } from './route-table';

export interface ImagesRouterDeps {
  images: ImageStore;
  /** The id of a container that uses the image, if any. */
  inUseBy(imageId: string): string | undefined;
  /** `POST /auth` credentials, for pulls whose `X-Registry-Auth` brings none. */
  credentials?: CredentialStore;
  /** Keeps the credentials a pull brought, for the jobs that run the image. */
  registries?: { rememberPull(reference: string, auth: RegistryAuth | undefined): void };
  /** Publishes an image event: `pull`, `tag`, `untag`, `delete`. */
  announce?: (action: string, id: string, attributes: Record<string, string>) => void;
}

const NOT_FROM_REGISTRY = 'Azure Container Apps runs images from a container registry';
const SUFFIXES = ['/json', '/history', '/get', '/tag', '/push'] as const;
type Suffix = (typeof SUFFIXES)[number] | '';

type Ctx = Context<AppEnv>;

export function getImagesJSON(c: Ctx, deps: ImagesRouterDeps) {
  for (const name of ['all', 'digests', 'shared-size', 'manifests']) bool(c.req.query(name));
  return c.json(listImages(deps.images, filters(c.req.query('filters'), LIST_FILTERS)));
}

export function getImagesSearch(): never {
  throw notImplemented(`image search is not supported: ${NOT_FROM_REGISTRY}; search your registry instead`);
}

/** `GET /images/{name}/json|history|get`: the name may hold slashes, so the suffix is split off by hand. */
export function getImage(c: Ctx, deps: ImagesRouterDeps) {
  const [name, suffix] = splitName(c.req.path);
  if (suffix === '/json') return c.json(imageInspect(deps.images.resolve(name)));
  if (suffix === '/history') return c.json(deps.images.history(name));
  if (suffix === '/get') return saveOrLoad();
  throw notFound('page not found');
}

/** `POST /images/{name}/tag|push`. */
export function postImage(c: Ctx, deps: ImagesRouterDeps) {
  const [name, suffix] = splitName(c.req.path);
  if (suffix === '/tag') {
    const [repo, tag] = [c.req.query('repo') ?? '', c.req.query('tag') ?? ''];
    const record = deps.images.tag(name, repo, tag);
    const target = tag ? withTag(parseReference(repo), tag) : withDefaultTag(parseReference(repo));
    deps.announce?.('tag', record.Id, { name: familiarString(target) });
    return c.body(null, 201);
  }
  if (suffix === '/push') {
    throw notImplemented('push is not supported: ACA runs images from your registry; push with a registry client');
  }
  throw notFound('page not found');
}

/** `DELETE /images/{name}`. */
export function deleteImage(c: Ctx, deps: ImagesRouterDeps) {
  const [name, suffix] = splitName(c.req.path, false);
  if (suffix !== '') throw notFound('page not found');
  const force = bool(c.req.query('force'));
  const noprune = bool(c.req.query('noprune'));
  const items = deps.images.remove(name, { force, noprune }, deps.inUseBy);
  announceRemoval(deps, items);
  return c.json(items);
}

/** The Docker Images API (`/images/...`, without the `/vX.Y` prefix), one line per endpoint (moby's router/image). */
export const IMAGE_ROUTES: readonly Route<ImagesRouterDeps>[] = [
  ['POST', '/images/create', createImage],
  ['GET', '/images/json', getImagesJSON],
  ['GET', '/images/search', getImagesSearch],
  ['GET', '/images/get', saveOrLoad],
  ['POST', '/images/load', saveOrLoad],
  ['POST', '/images/prune', pruneImages],
  ['GET', '/images/*', getImage],
  ['POST', '/images/*', postImage],
  ['DELETE', '/images/*', deleteImage],
];

export const imagesRouter = (deps: ImagesRouterDeps): Hono<AppEnv> => routeTable(IMAGE_ROUTES, deps);

function saveOrLoad(): never {
  throw notImplemented(`image save and load (NotImplemented): ${NOT_FROM_REGISTRY}; push the image to a registry and pull it`);
}

/** `/images/<name>/<suffix>`: names contain slashes, so the suffix is whatever known action ends the path. */
function splitName(path: string, withSuffix = true): [string, Suffix] {
  const rest = path.slice('/images/'.length);
  const suffix: Suffix = (withSuffix && SUFFIXES.find((s) => rest.endsWith(s) && rest.length > s.length)) || '';
  const raw = rest.slice(0, rest.length - suffix.length);
  let name = raw;
  try {
    name = decodeURIComponent(raw);
  } catch {
    // keep it raw: the reference parser rejects it
  }
  if (name === '') throw notFound('page not found');
  return [name, suffix];
}

/** `docker pull`: a 200 JSON-lines progress stream; a failure after the start is a line in it. */
function createImage(c: Context<AppEnv>, deps: ImagesRouterDeps): Response {
  if (c.req.query('fromSrc') !== undefined) {
    throw notImplemented(`image import (fromSrc) is not supported: ${NOT_FROM_REGISTRY}; push the image to a registry and pull it`);
  }
  const fromImage = c.req.query('fromImage');
  if (!fromImage) throw invalidParameter('fromImage is required (image import with fromSrc is not supported)');
  const platform = c.req.query('platform') ?? '';
  if (!['', 'linux', 'linux/amd64'].includes(platform)) {
    throw invalidParameter(`platform "${platform}" is not supported: Azure Container Apps runs linux/amd64 images`);
  }
  const tag = c.req.query('tag') ?? '';
  let ref = parseReference(fromImage);
  if (tag !== '') ref = isDigest(tag) ? withDigest(ref, tag) : withTag(ref, tag);
  const reference = formatReference(withDefaultTag(ref));
  const given = decodeRegistryAuth(c.req.header('x-registry-auth'));
  const auth = given ?? deps.credentials?.get(ref.domain);
  c.header('Content-Type', 'application/json');
  return stream(c, async (out) => {
    const write = (line: PullMessage | { errorDetail: { message: string }; error: string }) => out.write(`${JSON.stringify(line)}\r\n`);
    try {
      const pending: Promise<unknown>[] = [];
      await deps.images.pull(reference, (m) => void pending.push(write(m)), auth);
      await Promise.all(pending);
      deps.registries?.rememberPull(reference, given);
      deps.announce?.('pull', familiarString(withDefaultTag(ref)), { name: familiarName(ref) });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await write({ errorDetail: { message }, error: message });
    }
  });
}

function pruneImages(c: Context<AppEnv>, deps: ImagesRouterDeps): Response {
  const f = filters(c.req.query('filters'), ['dangling', 'label', 'label!', 'until']);
  const until = f.get('until');
  const options = {
    danglingOnly: boolFilter('dangling', f.get('dangling')) ?? true,
    labels: f.get('label'),
    notLabels: f.get('label!'),
    ...(until?.length ? { until: parseUntil(until[until.length - 1]!, new Date()) } : {}),
  };
  const report = deps.images.prune(options, deps.inUseBy);
  announceRemoval(deps, report.ImagesDeleted);
  return c.json(report);
}

function announceRemoval(deps: ImagesRouterDeps, items: DeleteItem[]): void {
  let id = '';
  for (const item of [...items].reverse()) if ('Deleted' in item) id = item.Deleted;
  for (const item of items) {
    if ('Untagged' in item) deps.announce?.('untag', id, { name: item.Untagged });
    else deps.announce?.('delete', item.Deleted, {});
  }
}
