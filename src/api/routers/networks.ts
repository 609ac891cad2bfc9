import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { LIST_FILTERS, listFilter, PRUNE_FILTERS, pruneFilter } from '../../networks/filters';
import type { NetworkStore } from '../../networks/store';
import { readBody } from '../body';
import type { AppEnv } from '../env';
import { invalidParameter } from '../../errdefs';
import { findContainer } from '../find-container';
import { bool, filters } from '../query';
import { renderNetwork } from '../render/network';
import { checkLabels } from '../validate';
import { routeTable, type Route } from './route-table';

/** What the networks API needs to know about a container. */
export interface ContainerLookup {
  /** Docker's container lookup (id, name, id prefix); 'ambiguous' for a prefix of several. */
  find(ref: string): { id: string; name: string; networkMode: string } | 'ambiguous' | undefined;
}

export interface NetworksDeps {
  networks: NetworkStore;
  containers: ContainerLookup;
}

const stringMap = z.record(z.string(), z.string()).nullish();

const createBody = z
  .object({
    Name: z.string({ error: 'network name is required' }).min(1, 'network name is required'),
    CheckDuplicate: z.boolean().nullish(),
    Driver: z.string().nullish(),
    Scope: z.string().nullish(),
    Internal: z.boolean().nullish(),
    Attachable: z.boolean().nullish(),
    Ingress: z.boolean().nullish(),
    ConfigOnly: z.boolean().nullish(),
    EnableIPv6: z.boolean().nullish(),
    IPAM: z
      .object({
        Driver: z.string().nullish(),
        Options: stringMap,
        Config: z.array(z.object({ Subnet: z.string().optional(), Gateway: z.string().optional(), IPRange: z.string().optional() }).loose()).nullish(),
      })
      .loose()
      .nullish(),
    Options: stringMap,
    Labels: stringMap,
  })
  .loose();

const connectBody = z.object({
  Container: z.string({ error: 'Container is required' }).min(1, 'Container is required'),
  EndpointConfig: z
    .object({
      Aliases: z.array(z.string()).nullish(),
      IPAMConfig: z.object({ IPv4Address: z.string().optional() }).loose().nullish(),
    })
    .loose()
    .nullish(),
});

const disconnectBody = z.object({ Container: z.string().min(1, 'Container is required'), Force: z.boolean().nullish() });

type Ctx = Context<AppEnv>;

export function getNetworksList(c: Ctx, deps: NetworksDeps) {
  const { networks } = deps;
  const keep = listFilter(filters(c.req.query('filters'), LIST_FILTERS));
  return c.json(networks.list().filter(keep).sort((a, b) => a.Name.localeCompare(b.Name)).map((n) => renderNetwork(n, false)));
}

export async function postNetworkCreate(c: Ctx, deps: NetworksDeps) {
  const { networks } = deps;
  const body = await readBody(c, createBody);
  checkLabels(body.Labels);
  const record = networks.create({
    Name: body.Name,
    Driver: body.Driver ?? undefined,
    Internal: body.Internal ?? undefined,
    Attachable: body.Attachable ?? undefined,
    EnableIPv6: body.EnableIPv6 ?? undefined,
    IPAM: body.IPAM
      ? { Driver: body.IPAM.Driver ?? undefined, Options: body.IPAM.Options ?? undefined, Config: body.IPAM.Config ?? undefined }
      : undefined,
    Options: body.Options ?? undefined,
    Labels: body.Labels ?? undefined,
  });
  return c.json({ Id: record.Id, Warning: '' }, 201);
}

export function postNetworksPrune(c: Ctx, deps: NetworksDeps) {
  const { networks } = deps;
  const keep = pruneFilter(filters(c.req.query('filters'), PRUNE_FILTERS));
  return c.json({ NetworksDeleted: networks.prune(keep) });
}

export function getNetwork(c: Ctx, deps: NetworksDeps) {
  const { networks } = deps;
  bool(c.req.query('verbose'));
  return c.json(renderNetwork(networks.resolve(c.req.param('id')!)));
}

export async function postNetworkConnect(c: Ctx, deps: NetworksDeps) {
  const { networks } = deps;
  const network = networks.resolve(c.req.param('id')!);
  const body = await readBody(c, connectBody);
  const ctr = findContainer(deps.containers, body.Container);
  if (network.Driver !== 'bridge' || ctr.networkMode === 'host' || ctr.networkMode === 'none' || ctr.networkMode.startsWith('container:')) {
    throw invalidParameter('container cannot be disconnected from host network or connected to host network');
  }
  networks.connect(network.Id, ctr, {
    aliases: body.EndpointConfig?.Aliases ?? [],
    ipv4: body.EndpointConfig?.IPAMConfig?.IPv4Address || undefined,
  });
  return c.body(null, 200);
}

export async function postNetworkDisconnect(c: Ctx, deps: NetworksDeps) {
  const { networks } = deps;
  const network = networks.resolve(c.req.param('id')!);
  const body = await readBody(c, disconnectBody);
  const found = deps.containers.find(body.Container);
  // With Force, a container that is already gone is still taken off the network.
  const id = found && found !== 'ambiguous' ? found.id : body.Force ? body.Container : findContainer(deps.containers, body.Container).id;
  networks.disconnect(network.Id, id);
  return c.body(null, 200);
}

export function deleteNetwork(c: Ctx, deps: NetworksDeps) {
  const { networks } = deps;
  networks.remove(c.req.param('id')!);
  return c.body(null, 204);
}

/** The Docker Networks API over the network store, one line per endpoint (moby's router/network). */
export const NETWORK_ROUTES: readonly Route<NetworksDeps>[] = [
  ['GET', '/networks', getNetworksList],
  ['POST', '/networks/create', postNetworkCreate],
  ['POST', '/networks/prune', postNetworksPrune],
  ['GET', '/networks/:id', getNetwork],
  ['POST', '/networks/:id/connect', postNetworkConnect],
  ['POST', '/networks/:id/disconnect', postNetworkDisconnect],
  ['DELETE', '/networks/:id', deleteNetwork],
];

export const networksRouter = (deps: NetworksDeps): Hono<AppEnv> => routeTable(NETWORK_ROUTES, deps);
