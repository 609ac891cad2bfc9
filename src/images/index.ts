export { ImageStore } from './store';
export type { ImageMatch, ImageStoreOptions, PruneOptions, PruneReport, RemoveOptions } from './store';
export type { DeleteItem, ImageConfig, ImageHistoryRecord, ImageOrigin, ImageRecord, InUseBy, PullMessage, RunImage } from './types';
export {
  DEFAULT_DOMAIN, DEFAULT_TAG, familiarName, familiarString, familiarize, formatReference, isDigest, isFullHexId,
  parseReference, repositoryName, withDefaultTag, withDigest, withTag,
} from './reference';
export type { ImageReference } from './reference';
export { DEFAULT_PATH, knownImageConfig, unknownImageConfig } from './known-configs';
export { RegistryError, createRegistryFetch } from './registry';
export type { FetchedConfig, RegistryAuth, RegistryFetch, RegistryOptions } from './registry';
export { LIST_FILTERS, listImages } from './list';
export { boolFilter, globToRegExp, parseUntil } from './filters';
export { imageHistory, imageInspect, imageSummary } from './views';
export type { HistoryItem, ImageInspect, ImageSummary } from './views';
