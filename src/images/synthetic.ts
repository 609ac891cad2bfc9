import { canonicalJson, sha256Digest } from './image-id';
import { knownImageConfig, unknownImageConfig } from './known-configs';
import { familiarName, formatReference } from './reference';
import type { ImageReference } from './reference';
import type { ImageRecord } from './types';

/** A record's own part; the store adds references and tag time. */
export type ImageBody = Omit<ImageRecord, 'RepoTags' | 'RepoDigests' | 'LastTagTime'>;

/**
 * The image `docker pull` makes when configs are not fetched: nothing is downloaded, and the config
 * is either a built-in one for a known official image or a bare PATH. The id hashes a config
 * that names the reference, so it is stable across restarts and distinct per reference.
 */
export function syntheticImage(ref: ImageReference, now: Date): ImageBody {
  const known = knownImageConfig(ref);
  const config = known ?? unknownImageConfig();
  const createdBy = `sockerless: synthetic image for ${formatReference(ref)}`;
  const comment = known
    ? `synthetic: built-in defaults for the official ${familiarName(ref)} image; metadata only, no registry contact, no layers downloaded`
    : 'synthetic: image defaults unknown (no Cmd or Entrypoint); metadata only, no registry contact, no layers downloaded';
  const blob = {
    architecture: 'amd64',
    os: 'linux',
    config,
    rootfs: { type: 'layers', diff_ids: [] },
    history: [{ created_by: createdBy, comment, empty_layer: true }],
  };
  return {
    Id: sha256Digest(canonicalJson(blob)),
    Created: now.toISOString(),
    Size: 0,
    Author: '',
    Comment: comment,
    Config: config,
    Architecture: 'amd64',
    Os: 'linux',
    Layers: [],
    History: [{ Created: now.toISOString(), CreatedBy: createdBy, Comment: comment, EmptyLayer: true }],
    Origin: 'synthetic',
  };
}
