import { familiarize } from './reference';
import type { ImageConfig, ImageRecord } from './types';

/** An item of `GET /images/json` (API ≥ 1.44: no VirtualSize, no `<none>` placeholders). */
export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[];
  RepoDigests: string[];
  Created: number;
  Size: number;
  SharedSize: number;
  Labels: Record<string, string> | null;
  Containers: number;
}

/** `GET /images/{name}/json` */
export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  Author: string;
  Config: ImageConfig;
  Architecture: string;
  Os: string;
  Size: number;
  GraphDriver: { Name: string; Data: null };
  RootFS: { Type: string; Layers: string[] };
  Metadata: { LastTagTime: string };
}

/** An item of `GET /images/{name}/history`, newest first. */
export interface HistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

export function unixSeconds(iso: string | undefined): number {
  const ms = iso === undefined ? NaN : Date.parse(iso);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** `tags` and `digests` (qualified) default to all of the record's; the list's reference filter narrows them. */
export function imageSummary(record: ImageRecord, tags = record.RepoTags, digests = record.RepoDigests): ImageSummary {
  return {
    Id: record.Id,
    ParentId: '',
    RepoTags: tags.map(familiarize),
    RepoDigests: digests.map(familiarize),
    Created: unixSeconds(record.Created),
    Size: record.Size,
    SharedSize: -1,
    Labels: record.Config.Labels,
    Containers: -1,
  };
}

export function imageInspect(record: ImageRecord): ImageInspect {
  return {
    Id: record.Id,
    RepoTags: record.RepoTags.map(familiarize),
    RepoDigests: record.RepoDigests.map(familiarize),
    Parent: '',
    Comment: record.Comment,
    Created: record.Created,
    Author: record.Author,
    Config: structuredClone(record.Config),
    Architecture: record.Architecture,
    Os: record.Os,
    Size: record.Size,
    GraphDriver: { Name: 'none', Data: null },
    RootFS: { Type: 'layers', Layers: [...record.Layers] },
    Metadata: { LastTagTime: record.LastTagTime },
  };
}

/** Docker's history: newest step first; only the top step carries the image id and its tags. */
export function imageHistory(record: ImageRecord): HistoryItem[] {
  const steps = record.History.length ? record.History : [{ Created: record.Created, CreatedBy: '', Comment: '', EmptyLayer: true }];
  return steps.map((step, i): HistoryItem => {
    const top = i === steps.length - 1;
    return {
      Id: top ? record.Id : '<missing>',
      Created: unixSeconds(step.Created),
      CreatedBy: step.CreatedBy,
      Tags: top && record.RepoTags.length ? record.RepoTags.map(familiarize) : null,
      Size: 0,
      Comment: step.Comment,
    };
  }).reverse();
}
