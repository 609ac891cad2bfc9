import { invalidParameter, notFound } from '../errdefs';
import { matchLabels } from '../filters';
import { fetchedImage } from './fetched';
import {
  familiarString, formatReference, isDigest, isFullHexId, parseReference, repositoryName, withDefaultTag, withTag,
} from './reference';
import { createRegistryFetch } from './registry';
import { removeImage } from './remove';
import { syntheticImage } from './synthetic';
import { imageHistory } from './views';
import type { ImageReference } from './reference';
import type { RegistryAuth, RegistryFetch } from './registry';
import type { ImageBody } from './synthetic';
import type { DeleteItem, ImageRecord, InUseBy, PullMessage } from './types';
import type { HistoryItem } from './views';

export interface ImageStoreOptions {
  /** SOCKERLESS_FETCH_IMAGE_CONFIG: read the real config from the registry instead of synthesising one. */
  fetchConfig?: boolean;
  /** How configs are read when `fetchConfig` is on; default: the Registry v2 client. */
  registryFetch?: RegistryFetch;
  /** Records to start from (what `snapshot()` gave earlier). */
  records?: readonly ImageRecord[];
  /** Called after every change with the full record set, for persistence. */
  onChange?: (records: ImageRecord[]) => void;
  now?: () => Date;
}

export interface RemoveOptions {
  force?: boolean;
  /** Accepted for the API's sake: images here have no parents to prune. */
  noprune?: boolean;
}

export interface PruneOptions {
  /** Only images without tags (Docker's default); false = every image no container uses. */
  danglingOnly: boolean;
  /** Only images created at or before this time. */
  until?: Date;
  /** `label` filters: all must match. */
  labels?: string[];
  /** `label!` filters: images matching all of them are kept. */
  notLabels?: string[];
}

export interface PruneReport {
  ImagesDeleted: DeleteItem[];
  SpaceReclaimed: number;
}

/** How a name or id found its image; Docker's rmi treats the two differently. */
export interface ImageMatch {
  record: ImageRecord;
  by: 'id' | 'reference';
  /** The reference as parsed (with default tag) when `by` is `reference`. */
  ref?: ImageReference;
}

const noUser: InUseBy = () => undefined;

/** The daemon's local images: metadata only, as plain JSON records in memory, every change told to `onChange` (the daemon's store). */
export class ImageStore {
  readonly #records = new Map<string, ImageRecord>();
  readonly #fetchConfig: boolean;
  readonly #registryFetch: RegistryFetch;
  readonly #onChange: ((records: ImageRecord[]) => void) | undefined;
  readonly #now: () => Date;

  constructor(options: ImageStoreOptions = {}) {
    for (const r of options.records ?? []) this.#records.set(r.Id, structuredClone(r));
    this.#fetchConfig = options.fetchConfig ?? false;
    this.#registryFetch = options.registryFetch ?? createRegistryFetch();
    this.#onChange = options.onChange;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * `docker pull`: makes (or refreshes) the image for `reference` and tags it. Progress goes to
   * `onProgress` in dockerd's JSON-message shape. A registry failure rejects; nothing is stored then.
   */
  async pull(reference: string, onProgress: (m: PullMessage) => void = () => {}, auth?: RegistryAuth): Promise<ImageRecord> {
    const parsed = withDefaultTag(parseReference(reference));
    // A digest pins the content; as in dockerd a digest pull records the digest, not the tag.
    const ref: ImageReference = parsed.digest ? { domain: parsed.domain, path: parsed.path, digest: parsed.digest } : parsed;
    const id = ref.digest ?? ref.tag;
    onProgress({ status: `Pulling from ${ref.path}`, id });
    const now = this.#now();
    let body: ImageBody;
    let repoDigest = ref.digest ? formatReference(ref) : undefined;
    if (this.#fetchConfig) {
      const fetched = await this.#registryFetch(ref, auth);
      body = fetchedImage(ref, fetched, now);
      repoDigest = `${repositoryName(ref)}@${fetched.digest}`;
      onProgress({ status: 'Image config fetched from the registry; no layers downloaded (Azure Container Apps pulls them when the job runs)', id });
      onProgress({ status: `Digest: ${fetched.digest}` });
    } else {
      body = syntheticImage(ref, now);
      onProgress({ status: 'Synthetic image: metadata only, no layers downloaded (Azure Container Apps pulls the image when the job runs)', id });
    }
    const tagKey = ref.tag !== undefined ? formatReference(ref) : undefined;
    const existing = this.#records.get(body.Id);
    const upToDate = existing !== undefined && (tagKey ? existing.RepoTags.includes(tagKey) : existing.RepoDigests.includes(repoDigest!));
    const record: ImageRecord = existing ?? { ...body, RepoTags: [], RepoDigests: [], LastTagTime: now.toISOString() };
    this.#records.set(record.Id, record);
    if (tagKey) this.#attachTag(record, tagKey, now);
    if (repoDigest && !record.RepoDigests.includes(repoDigest)) record.RepoDigests.push(repoDigest);
    this.#changed();
    onProgress({ status: `Status: ${upToDate ? 'Image is up to date' : 'Downloaded newer image'} for ${familiarString(ref)}` });
    return structuredClone(record);
  }

  /** The image named by `nameOrId`; 404 `No such image: …` when there is none, 400 when malformed. */
  resolve(nameOrId: string): ImageRecord {
    return structuredClone(this.match(nameOrId).record);
  }

  /** Like `resolve`, but undefined when there is no such image (malformed input still throws). */
  find(nameOrId: string): ImageRecord | undefined {
    const found = this.#lookup(nameOrId);
    return found && structuredClone(found.record);
  }

  /** Like `find`, but the stored record itself, not a copy: read it at once, don't keep or change it. */
  peek(nameOrId: string): Readonly<ImageRecord> | undefined {
    return this.#lookup(nameOrId)?.record;
  }

  /**
   * Docker's lookup order: full id (`sha256:<hex>` or 64 hex), then the reference (`:latest` added),
   * then an unambiguous id prefix.
   */
  match(nameOrId: string): ImageMatch {
    const found = this.#lookup(nameOrId);
    if (found) return found;
    if (isFullHexId(nameOrId)) throw notFound(`No such image: sha256:${nameOrId}`);
    if (isDigest(nameOrId)) throw notFound(`No such image: ${nameOrId}`);
    throw notFound(`No such image: ${familiarString(withDefaultTag(parseReference(nameOrId)))}`);
  }

  #lookup(nameOrId: string): ImageMatch | undefined {
    if (isFullHexId(nameOrId) || isDigest(nameOrId)) {
      const record = this.#records.get(isFullHexId(nameOrId) ? `sha256:${nameOrId}` : nameOrId);
      return record && { record, by: 'id' };
    }
    const ref = withDefaultTag(parseReference(nameOrId));
    const key = ref.digest ? `${repositoryName(ref)}@${ref.digest}` : formatReference(ref);
    for (const record of this.#records.values()) {
      if ((ref.digest ? record.RepoDigests : record.RepoTags).includes(key)) return { record, by: 'reference', ref };
    }
    const prefix = nameOrId.replace(/^sha256:/, '');
    if (!/^[a-f0-9]+$/.test(prefix)) return undefined;
    const candidates = [...this.#records.keys()].filter((id) => id.startsWith(`sha256:${prefix}`));
    return candidates.length === 1 ? { record: this.#records.get(candidates[0]!)!, by: 'id' } : undefined;
  }

  /** All images, newest first. */
  list(): ImageRecord[] {
    return [...this.#records.values()].sort((a, b) => Date.parse(b.Created) - Date.parse(a.Created)).map((r) => structuredClone(r));
  }

  /** `docker tag`: points `repo:tag` (default tag `latest`) at the source image, moving it from any other. */
  tag(source: string, repo: string, tag = ''): ImageRecord {
    if (repo === '') throw invalidParameter('repository name must have at least one component');
    const parsed = parseReference(repo);
    if (parsed.digest) throw invalidParameter('refusing to create a tag with a digest reference');
    const target = tag !== '' ? withTag(parsed, tag) : withDefaultTag(parsed);
    const { record } = this.match(source);
    this.#attachTag(record, formatReference(target), this.#now());
    this.#changed();
    return structuredClone(record);
  }

  /** `docker build`: stores a built image (or finds the same one built before) and tags it with each of `tags`. */
  addBuilt(body: ImageBody, tags: readonly string[]): ImageRecord {
    const refs = tags.map((t) => formatReference(withDefaultTag(parseReference(t))));
    const now = this.#now();
    const record: ImageRecord = this.#records.get(body.Id) ?? { ...structuredClone(body), RepoTags: [], RepoDigests: [], LastTagTime: now.toISOString() };
    this.#records.set(record.Id, record);
    for (const ref of refs) this.#attachTag(record, ref, now);
    this.#changed();
    return structuredClone(record);
  }

  /** `docker rmi`: Docker's untag-then-delete rules; see remove.ts. */
  remove(nameOrId: string, options: RemoveOptions = {}, inUseBy: InUseBy = noUser): DeleteItem[] {
    const match = this.match(nameOrId);
    const items = removeImage(match, nameOrId, options.force ?? false, inUseBy);
    if (items.some((i) => 'Deleted' in i)) this.#records.delete(match.record.Id);
    this.#changed();
    return items;
  }

  /** `docker image prune`: removes images no container uses, as dockerd does, one reference at a time. */
  prune(options: PruneOptions, inUseBy: InUseBy = noUser): PruneReport {
    const deleted: DeleteItem[] = [];
    for (const record of [...this.#records.values()]) {
      if (inUseBy(record.Id) !== undefined) continue;
      if (options.until && Date.parse(record.Created) > options.until.getTime()) continue;
      if (options.labels?.length && !matchLabels(record.Config.Labels, options.labels)) continue;
      if (options.notLabels?.length && matchLabels(record.Config.Labels, options.notLabels)) continue;
      if (options.danglingOnly && record.RepoTags.length > 0) continue;
      const refs = [...record.RepoTags, ...record.RepoDigests];
      for (const name of refs.length ? refs : [record.Id]) {
        if (!this.#records.has(record.Id) || this.find(name)?.Id !== record.Id) continue; // already gone with an earlier reference
        deleted.push(...this.remove(name, {}, inUseBy));
      }
    }
    return { ImagesDeleted: deleted, SpaceReclaimed: 0 };
  }

  history(nameOrId: string): HistoryItem[] {
    return imageHistory(this.match(nameOrId).record);
  }

  /** Every record, for persistence; `new ImageStore({ records })` restores them. */
  snapshot(): ImageRecord[] {
    return [...this.#records.values()].map((r) => structuredClone(r));
  }

  #attachTag(record: ImageRecord, qualifiedTag: string, now: Date): void {
    for (const other of this.#records.values()) {
      if (other !== record) other.RepoTags = other.RepoTags.filter((t) => t !== qualifiedTag);
    }
    if (!record.RepoTags.includes(qualifiedTag)) record.RepoTags.push(qualifiedTag);
    record.LastTagTime = now.toISOString();
  }

  #changed(): void {
    this.#onChange?.(this.snapshot());
  }
}
