import { invalidParameter } from '../errdefs';

/**
 * An image reference, normalised the way Docker does it (distribution/reference's
 * ParseNormalizedNamed): `alpine` is `docker.io/library/alpine`.
 */
export interface ImageReference {
  /** Registry host, with port if any: `docker.io`, `ghcr.io`, `localhost:5000`. */
  domain: string;
  /** Repository path inside the registry: `library/alpine`, `org/x`. */
  path: string;
  tag?: string;
  /** `algorithm:hex`, e.g. `sha256:…`. */
  digest?: string;
}

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const TAG_ONLY = new RegExp(`^${TAG}$`);
const DIGEST_ONLY = new RegExp(`^${DIGEST}$`);
const HEX64 = /^[a-f0-9]{64}$/;
const DIGEST_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const MAX_NAME_LENGTH = 255;

/** A full image id without its `sha256:` prefix; Docker refuses it as a repository name. */
export function isFullHexId(value: string): boolean {
  return HEX64.test(value);
}

/** Whether `value` is a well-formed digest (`sha256:<64 hex>`, …). */
export function isDigest(value: string): boolean {
  if (!DIGEST_ONLY.test(value)) return false;
  const [algorithm, hex] = value.split(':') as [string, string];
  return DIGEST_LENGTHS[algorithm] === hex.length && hex === hex.toLowerCase();
}

/** Parses and normalises a reference; invalid ones throw a 400 with Docker's wording. */
export function parseReference(input: string): ImageReference {
  if (input === '') throw invalidParameter('invalid reference format: repository name must have at least one component');
  if (isFullHexId(input)) {
    throw invalidParameter(`invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`);
  }
  const [domain, remainder] = splitDomain(input);
  const colon = remainder.indexOf(':');
  const at = remainder.indexOf('@');
  const end = [colon, at].filter((i) => i >= 0);
  const remoteName = end.length ? remainder.slice(0, Math.min(...end)) : remainder;
  if (remoteName.toLowerCase() !== remoteName) {
    throw invalidParameter(`invalid reference format: repository name (${remoteName}) must be lowercase`);
  }
  const match = REFERENCE.exec(`${domain}/${remainder}`);
  if (!match) throw invalidParameter('invalid reference format');
  const name = match[1]!;
  if (name.length > MAX_NAME_LENGTH) {
    throw invalidParameter(`invalid reference format: repository name must not be more than ${MAX_NAME_LENGTH} characters`);
  }
  const ref: ImageReference = { domain, path: name.slice(domain.length + 1) };
  if (match[2] !== undefined) ref.tag = match[2];
  if (match[3] !== undefined) ref.digest = checkedDigest(match[3]);
  return ref;
}

/** Docker's splitDockerDomain: the first component is a registry only if it looks like a host. */
function splitDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  let domain = DEFAULT_DOMAIN;
  let remainder = name;
  if (slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first)) {
    domain = first;
    remainder = name.slice(slash + 1);
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = `library/${remainder}`;
  return [domain, remainder];
}

function checkedDigest(digest: string): string {
  const [algorithm, hex] = digest.split(':') as [string, string];
  const length = DIGEST_LENGTHS[algorithm];
  if (length === undefined) throw invalidParameter(`invalid reference format: unsupported digest algorithm ${algorithm}`);
  if (hex.length !== length) throw invalidParameter('invalid reference format: invalid checksum digest length');
  if (hex !== hex.toLowerCase()) throw invalidParameter('invalid reference format: invalid checksum digest format');
  return digest;
}

/** Docker's TagNameOnly: a bare name gets `:latest`; a digest reference stays as it is. */
export function withDefaultTag(ref: ImageReference): ImageReference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: DEFAULT_TAG } : ref;
}

/** Replaces the tag (dropping any digest); an invalid tag is a 400. */
export function withTag(ref: ImageReference, tag: string): ImageReference {
  if (!TAG_ONLY.test(tag)) throw invalidParameter(`invalid tag format: ${tag}`);
  return { domain: ref.domain, path: ref.path, tag };
}

/** Replaces tag and digest with `digest`, as dockerd does when the pull `tag` is a digest. */
export function withDigest(ref: ImageReference, digest: string): ImageReference {
  return { domain: ref.domain, path: ref.path, digest: checkedDigest(digest) };
}

/** `docker.io/library/alpine` */
export function repositoryName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** `alpine`, `user/x`, `ghcr.io/org/x`: the name as `docker images` shows it. */
export function familiarName(ref: ImageReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryName(ref);
  const rest = ref.path.slice('library/'.length);
  return ref.path.startsWith('library/') && !rest.includes('/') ? rest : ref.path;
}

/** `docker.io/library/alpine:latest`: the form records store. */
export function formatReference(ref: ImageReference): string {
  return repositoryName(ref) + suffix(ref);
}

/** `alpine:latest`: the form Docker shows and returns in RepoTags and messages. */
export function familiarString(ref: ImageReference): string {
  return familiarName(ref) + suffix(ref);
}

function suffix(ref: ImageReference): string {
  return (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}

/** Familiar form of a stored (qualified) reference string. */
export function familiarize(qualified: string): string {
  return familiarString(parseReference(qualified));
}
