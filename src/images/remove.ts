import { conflict } from '../errdefs';
import { familiarString, familiarize, formatReference, parseReference, repositoryName } from './reference';
import type { ImageMatch } from './store';
import type { DeleteItem, ImageRecord, InUseBy } from './types';

/**
 * dockerd's ImageDelete (daemon/images/image_delete.go) for images without parents or layers.
 * Mutates the record's references; a `Deleted` item means the caller must drop the record.
 * Which container uses an image is known, but not whether it runs, so every use is a
 * soft conflict that `force` overrides.
 */
export function removeImage(match: ImageMatch, given: string, force: boolean, inUseBy: InUseBy): DeleteItem[] {
  const { record } = match;
  const user = inUseBy(record.Id);
  const items: DeleteItem[] = [];
  if (match.by === 'reference') {
    if (user !== undefined && !force) {
      throw conflict(`conflict: unable to remove repository reference "${given}" (must force) - container ${short(user)} is using its referenced image ${short(record.Id)}`);
    }
    items.push(...untagReference(record, match));
    if (record.RepoTags.length + record.RepoDigests.length > 0) return items;
  } else {
    if (isSingleReference(record)) {
      if (user !== undefined && !force) throw conflict(usedMessage(record, user));
      items.push(...untagAll(record));
    }
    if (!force && record.RepoTags.length + record.RepoDigests.length > 0) {
      throw conflict(`conflict: unable to delete ${short(record.Id)} (must be forced) - image is referenced in multiple repositories`);
    }
    if (!force && user !== undefined) throw conflict(usedMessage(record, user));
    items.push(...untagAll(record));
  }
  items.push({ Deleted: record.Id });
  return items;
}

/** Removes the one reference given; a removed tag takes the repository's digests along when it was the last tag there. */
function untagReference(record: ImageRecord, match: ImageMatch): DeleteItem[] {
  const ref = match.ref!;
  const repo = repositoryName(ref);
  if (ref.digest) {
    record.RepoDigests = record.RepoDigests.filter((d) => d !== `${repo}@${ref.digest}`);
    return [{ Untagged: familiarString({ domain: ref.domain, path: ref.path, digest: ref.digest }) }];
  }
  const items: DeleteItem[] = [{ Untagged: familiarString(ref) }];
  record.RepoTags = record.RepoTags.filter((t) => t !== formatReference(ref));
  if (!record.RepoTags.some((t) => repoOf(t) === repo)) {
    for (const d of record.RepoDigests.filter((d) => repoOf(d) === repo)) items.push({ Untagged: familiarize(d) });
    record.RepoDigests = record.RepoDigests.filter((d) => repoOf(d) !== repo);
  }
  return items;
}

function untagAll(record: ImageRecord): DeleteItem[] {
  const items = [...record.RepoTags, ...record.RepoDigests].map((r): DeleteItem => ({ Untagged: familiarize(r) }));
  record.RepoTags = [];
  record.RepoDigests = [];
  return items;
}

/** dockerd's isSingleReference: at most one tag, and any digests belong to that tag's repository. */
function isSingleReference(record: ImageRecord): boolean {
  const { RepoTags: tags, RepoDigests: digests } = record;
  if (tags.length + digests.length <= 1) return tags.length + digests.length === 1;
  if (tags.length > 1) return false;
  const digestRepos = new Set(digests.map(repoOf));
  const single = tags[0] ?? digests[0]!;
  return digestRepos.size === 1 && digestRepos.has(repoOf(single));
}

function usedMessage(record: ImageRecord, user: string): string {
  return `conflict: unable to delete ${short(record.Id)} (must be forced) - image is being used by container ${short(user)}`;
}

function repoOf(qualified: string): string {
  return repositoryName(parseReference(qualified));
}

function short(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
