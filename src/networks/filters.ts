import { invalidParameter } from '../errdefs';
import { matchLabels, type Filters } from '../filters';
import { boolFilter, parseUntil } from '../images/filters';
import type { NetworkRecord } from './types';

export const LIST_FILTERS = ['name', 'id', 'label', 'driver', 'type', 'dangling', 'scope'] as const;
export const PRUNE_FILTERS = ['until', 'label', 'label!'] as const;

const inUse = (n: NetworkRecord) => Object.keys(n.Endpoints).length > 0;

/** `GET /networks` filters, with dockerd's meanings. */
export function listFilter(f: Filters): (n: NetworkRecord) => boolean {
  const types = f.get('type');
  for (const t of types ?? []) if (t !== 'custom' && t !== 'builtin') throw invalidParameter(`invalid filter: 'type'='${t}'`);
  for (const s of f.get('scope') ?? []) if (!['local', 'swarm', 'global'].includes(s)) throw invalidParameter(`invalid filter: 'scope'='${s}'`);
  const dangling = boolFilter('dangling', f.get('dangling'));
  return (n) =>
    (!f.get('name') || f.get('name')!.some((v) => n.Name.includes(v))) &&
    (!f.get('id') || f.get('id')!.some((v) => n.Id.includes(v))) &&
    (!f.get('driver') || f.get('driver')!.includes(n.Driver)) &&
    (!types || types.includes(n.Predefined ? 'builtin' : 'custom')) &&
    (!f.get('scope') || f.get('scope')!.includes('local')) &&
    (dangling === undefined || dangling === (!n.Predefined && !inUse(n))) &&
    matchLabels(n.Labels, f.get('label'));
}

/** `POST /networks/prune` filters: `until` (created before), `label`, `label!`. */
export function pruneFilter(f: Filters, now: Date = new Date()): (n: NetworkRecord) => boolean {
  const until = f.get('until')?.map((v) => parseUntil(v, now).getTime());
  const notLabels = f.get('label!');
  return (n) =>
    (!until || until.every((t) => Date.parse(n.Created) <= t)) &&
    matchLabels(n.Labels, f.get('label')) &&
    (!notLabels?.length || !notLabels.some((l) => matchLabels(n.Labels, [l])));
}
