import { matchLabels } from '../filters';
import { boolFilter, globToRegExp, parseUntil, referenceMatches } from './filters';
import { imageSummary } from './views';
import type { Filters } from '../filters';
import type { ImageStore } from './store';
import type { ImageSummary } from './views';

export const LIST_FILTERS = ['reference', 'dangling', 'label', 'before', 'since', 'until'] as const;

/**
 * `GET /images/json` with dockerd's filter semantics: `reference` (glob on the familiar name)
 * narrows the tags shown and drops images without a match; `before`/`since` name an image.
 */
export function listImages(store: ImageStore, filters: Filters, now: Date = new Date()): ImageSummary[] {
  const dangling = boolFilter('dangling', filters.get('dangling'));
  const patterns = filters.get('reference')?.map(globToRegExp);
  const before = lastValue(filters.get('before'), (v) => Date.parse(store.resolve(v).Created));
  const since = lastValue(filters.get('since'), (v) => Date.parse(store.resolve(v).Created));
  const until = lastValue(filters.get('until'), (v) => parseUntil(v, now).getTime());
  const labels = filters.get('label');
  const out: ImageSummary[] = [];
  for (const record of store.list()) {
    const created = Date.parse(record.Created);
    if (before !== undefined && created >= before) continue;
    if (since !== undefined && created <= since) continue;
    if (until !== undefined && created > until) continue;
    if (!matchLabels(record.Config.Labels, labels)) continue;
    const matching = (refs: string[]) => (patterns ? refs.filter((r) => patterns.some((p) => referenceMatches(p, r))) : refs);
    const tags = matching(record.RepoTags);
    const digests = matching(record.RepoDigests);
    if (patterns && tags.length + digests.length === 0) continue;
    if (dangling === true && tags.length > 0) continue;
    if (dangling === false && tags.length + digests.length === 0) continue;
    out.push(imageSummary(record, tags, digests));
  }
  return out;
}

function lastValue<T>(values: string[] | undefined, convert: (v: string) => T): T | undefined {
  return values?.length ? convert(values[values.length - 1]!) : undefined;
}
