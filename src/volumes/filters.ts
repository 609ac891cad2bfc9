import { matchLabels, type Filters } from '../filters';
import { boolFilter } from '../images/filters';
import { isAnonymous } from './store';
import type { VolumeRecord, VolumeUsers } from './types';

export const LIST_FILTERS = ['name', 'label', 'driver', 'dangling'] as const;
export const PRUNE_FILTERS = ['label', 'label!', 'all'] as const;

/** `GET /volumes` filters, with dockerd's meanings (`name` is a substring match). */
export function listFilter(f: Filters, usedBy: VolumeUsers): (v: VolumeRecord) => boolean {
  const dangling = boolFilter('dangling', f.get('dangling'));
  return (v) =>
    (!f.get('name') || f.get('name')!.some((n) => v.Name.includes(n))) &&
    (!f.get('driver') || f.get('driver')!.includes(v.Driver)) &&
    (dangling === undefined || dangling === (usedBy(v.Name).length === 0)) &&
    matchLabels(v.Labels, f.get('label'));
}

/**
 * `POST /volumes/prune`: from API 1.42 only anonymous volumes unless `all=true`; older clients
 * get every unused volume, as dockerd gives them.
 */
export function pruneFilter(f: Filters, apiVersion: number): (v: VolumeRecord) => boolean {
  const all = boolFilter('all', f.get('all')) ?? apiVersion < 1.42;
  const notLabels = f.get('label!');
  return (v) =>
    (all || isAnonymous(v)) &&
    matchLabels(v.Labels, f.get('label')) &&
    (!notLabels?.length || !notLabels.some((l) => matchLabels(v.Labels, [l])));
}
