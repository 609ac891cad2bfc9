import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { LIST_FILTERS, listFilter, PRUNE_FILTERS, pruneFilter } from '../../volumes/filters';
import { isAnonymous, type VolumeStore } from '../../volumes/store';
import type { AzureFileShares } from '../../volumes/azure-files';
import type { VolumeRecord } from '../../volumes/types';
import { readBody } from '../body';
import type { AppEnv } from '../env';
import { notImplemented } from '../../errdefs';
import { bool, filters, pathOf } from '../query';
import { checkLabels } from '../validate';
import { renderVolume } from '../render/volume';
import { routeTable, type Route } from './route-table';

export interface VolumesDeps {
  volumes: VolumeStore;
  /** Named volumes' Azure Files shares; absent when no storage account is configured. */
  shares?: AzureFileShares;
}

const createBody = z
  .object({
    Name: z.string().nullish(),
    Driver: z.string().nullish(),
    DriverOpts: z.record(z.string(), z.string()).nullish(),
    Labels: z.record(z.string(), z.string()).nullish(),
    ClusterVolumeSpec: z.unknown().optional(),
  })
  .loose();

/** The API version the client asked for in the path (`/v1.41/...`); the newest when none. */
function requestedVersion(url: string): number {
  const m = /^\/v(\d+)\.(\d+)\//.exec(pathOf(url));
  return m ? Number(m[1]) + Number(m[2]) / 100 : Infinity;
}

type Ctx = Context<AppEnv>;

/** The share and its registrations go with the record; anonymous volumes have none (EmptyDir). */
async function removeShare(deps: VolumesDeps, v: VolumeRecord | undefined): Promise<void> {
  if (deps.shares && v && !isAnonymous(v)) await deps.shares.remove(v.Name);
}

export function getVolumesList(c: Ctx, deps: VolumesDeps) {
  const { volumes, shares } = deps;
  const keep = listFilter(filters(c.req.query('filters'), LIST_FILTERS), volumes.usedBy);
  const items = volumes.list().filter(keep).sort((a, b) => a.Name.localeCompare(b.Name)).map((v) => renderVolume(v, false, shares));
  return c.json({ Volumes: items, Warnings: null });
}

export async function postVolumesCreate(c: Ctx, deps: VolumesDeps) {
  const { volumes, shares } = deps;
  const body = await readBody(c, createBody, {});
  checkLabels(body.Labels);
  if (body.ClusterVolumeSpec != null) throw notImplemented('cluster volumes are a swarm feature; Sockerless ACA has no swarm');
  const record = volumes.create({
    Name: body.Name ?? undefined,
    Driver: body.Driver ?? undefined,
    DriverOpts: body.DriverOpts ?? undefined,
    Labels: body.Labels ?? undefined,
  });
  // The share exists from create on, as dockerd's directory does: a misconfigured account fails here.
  if (shares && !isAnonymous(record)) {
    try {
      await shares.ensureShare(record.Name);
    } catch (err) {
      volumes.remove(record.Name, true);
      throw err;
    }
  }
  return c.json(renderVolume(record, true, shares), 201);
}

export async function postVolumesPrune(c: Ctx, deps: VolumesDeps) {
  const { volumes, shares } = deps;
  const keep = pruneFilter(filters(c.req.query('filters'), PRUNE_FILTERS), requestedVersion(c.req.url));
  const before = new Map(volumes.list().map((v) => [v.Name, v]));
  const gone = volumes.prune(keep);
  let reclaimed = 0;
  for (const name of gone) {
    const v = before.get(name);
    if (shares && v && !isAnonymous(v)) reclaimed += (await shares.usage(name)) ?? 0;
    await removeShare(deps, v);
  }
  return c.json({ VolumesDeleted: gone, SpaceReclaimed: reclaimed });
}

export function getVolumeByName(c: Ctx, deps: VolumesDeps) {
  const { volumes, shares } = deps;
  return c.json(renderVolume(volumes.resolve(c.req.param('name')!), true, shares));
}

export function putVolumesUpdate(): never {
  throw notImplemented('volume update is for swarm cluster volumes; Sockerless ACA has no swarm');
}

export async function deleteVolumes(c: Ctx, deps: VolumesDeps) {
  const { volumes } = deps;
  const record = volumes.find(c.req.param('name')!);
  volumes.remove(c.req.param('name')!, bool(c.req.query('force')));
  await removeShare(deps, record);
  return c.body(null, 204);
}

/** The Docker Volumes API over the volume store, one line per endpoint (moby's router/volume). */
export const VOLUME_ROUTES: readonly Route<VolumesDeps>[] = [
  ['GET', '/volumes', getVolumesList],
  ['POST', '/volumes/create', postVolumesCreate],
  ['POST', '/volumes/prune', postVolumesPrune],
  ['GET', '/volumes/:name', getVolumeByName],
  ['PUT', '/volumes/:name', putVolumesUpdate],
  ['DELETE', '/volumes/:name', deleteVolumes],
];

export const volumesRouter = (deps: VolumesDeps): Hono<AppEnv> => routeTable(VOLUME_ROUTES, deps);
