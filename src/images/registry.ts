import { sha256Digest } from './image-id';
import { familiarName, familiarString } from './reference';
import type { ImageReference } from './reference';

/** A failed registry read; its message is what the pull stream reports. */
export class RegistryError extends Error {}

/** The registry could not be reached at all (no route, no DNS, refused, timed out). */
export class RegistryUnreachableError extends RegistryError {}

export interface RegistryOptions {
  /** Base URL per registry domain, e.g. `{ 'docker.io': 'http://127.0.0.1:5000' }` (tests, mirrors). */
  endpoints?: Record<string, string>;
  fetch?: typeof fetch;
  /** Per request; default 30 s. */
  timeoutMs?: number;
}

export interface FetchedConfig {
  /** The image config blob as served (verified against its digest), parsed. */
  config: unknown;
  configDigest: string;
  /** Digest of the manifest or index the reference resolved to: what `docker pull` prints. */
  digest: string;
}

/** Credentials for one registry, as `X-Registry-Auth` or `POST /auth` give them. */
export interface RegistryAuth {
  username?: string;
  password?: string;
  /** A bearer token for the registry itself (`registrytoken`). */
  registryToken?: string;
}

/** Reads an image's config (never its layers) from its registry. */
export type RegistryFetch = (ref: ImageReference, auth?: RegistryAuth) => Promise<FetchedConfig>;

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];
const ACCEPT = [...INDEX_TYPES, ...MANIFEST_TYPES].join(', ');
const MAX_DOCUMENT_BYTES = 8 * 1024 * 1024;

interface Descriptor {
  digest: string;
  mediaType?: string;
  platform?: { os?: string; architecture?: string };
}

/**
 * Registry v2 client: bearer tokens (anonymous, or for the given user), basic auth where the
 * registry asks for it, index → linux/amd64 manifest → config blob.
 */
export function createRegistryFetch(options: RegistryOptions = {}): RegistryFetch {
  return async (ref, auth) => {
    const session = new RegistrySession(ref, options, auth);
    const { config, configDigest, digest } = await resolveImage(session, ref);
    return { config, configDigest, digest };
  };
}

/** An image as its registry describes it: config and layer descriptors of the linux/amd64 manifest. */
export interface ResolvedImage extends FetchedConfig {
  layers: { digest: string; mediaType?: string; size?: number }[];
}

/** Index → linux/amd64 manifest → config blob, every document checked against its digest. */
export async function resolveImage(session: RegistrySession, ref: ImageReference): Promise<ResolvedImage> {
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const top = await session.document(`manifests/${reference}`, ACCEPT, ref.digest);
  let manifest = top.json;
  if (Array.isArray(manifest.manifests)) {
    const entry = (manifest.manifests as Descriptor[]).find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64');
    if (!entry) throw new RegistryError('no matching manifest for linux/amd64 in the manifest list entries');
    manifest = (await session.document(`manifests/${entry.digest}`, ACCEPT, entry.digest)).json;
  }
  const config = manifest.config as Descriptor | undefined;
  if (manifest.schemaVersion !== 2 || typeof config?.digest !== 'string') {
    throw new RegistryError(`unsupported manifest for ${familiarString(ref)} (schemaVersion ${String(manifest.schemaVersion)})`);
  }
  const layers = Array.isArray(manifest.layers) ? (manifest.layers as { digest: string; mediaType?: string; size?: number }[]) : [];
  if (layers.some((l) => typeof l?.digest !== 'string')) throw new RegistryError(`manifest for ${familiarString(ref)} has a layer without a digest`);
  const blob = await session.document(`blobs/${config.digest}`, '*/*', config.digest);
  return { config: blob.json, configDigest: config.digest, digest: top.digest, layers };
}

/** What a request may carry besides auth; the body is bytes, so it can be sent again after a 401. */
export interface RegistryRequest {
  method?: string;
  accept?: string;
  body?: Uint8Array;
  contentType?: string;
  /** Overrides the session's per-request timeout (which covers reading the body too): large blobs. */
  timeoutMs?: number;
}

/**
 * One repository on one registry, with the auth it negotiated (bearer token for `scope`, or basic
 * credentials when the registry challenges with Basic). Used for pulls here and in the
 * simulator, and for pushes by src/oci.
 */
export class RegistrySession {
  readonly #base: string;
  readonly #scope: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  #token: string | undefined;
  #basic: string | undefined;
  readonly #auth: RegistryAuth;

  constructor(readonly ref: Pick<ImageReference, 'domain' | 'path'> & Partial<ImageReference>, options: RegistryOptions, auth: RegistryAuth = {}, actions = 'pull') {
    this.#base = `${baseUrl(ref.domain, options.endpoints ?? {})}/v2/${ref.path}/`;
    this.#scope = `repository:${ref.path}:${actions}`;
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#auth = auth;
    this.#token = auth.registryToken || undefined;
  }

  /** GETs a JSON document and checks its bytes against `expected` when given. */
  async document(path: string, accept: string, expected?: string): Promise<{ json: Record<string, unknown>; digest: string }> {
    const res = await this.#get(this.#base + path, accept);
    if (!res.ok) throw await this.#failure(res, path);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length > MAX_DOCUMENT_BYTES) throw new RegistryError(`${path}: document too large (${bytes.length} bytes)`);
    const digest = sha256Digest(bytes);
    if (expected !== undefined && expected !== digest) {
      throw new RegistryError(`${path}: digest mismatch: expected ${expected}, content has ${digest}`);
    }
    try {
      const json: unknown = JSON.parse(new TextDecoder().decode(bytes));
      if (json !== null && typeof json === 'object' && !Array.isArray(json)) return { json: json as Record<string, unknown>, digest };
    } catch {
      // reported below
    }
    throw new RegistryError(`${path}: registry answered with something that is not a JSON object`);
  }

  /** A request to `path` (relative to the repository's /v2/<name>/, or absolute), authenticating on a 401. */
  async request(path: string, request: RegistryRequest = {}): Promise<Response> {
    return this.#get(/^https?:/.test(path) ? path : this.#base + path, request);
  }

  /** The URL of `path` under this repository, for resolving a registry's relative Location headers. */
  url(path: string): string {
    return this.#base + path;
  }

  /** A failed answer to `path` in Docker's words. */
  async failure(res: Response, path: string): Promise<RegistryError> {
    return this.#failure(res, path);
  }

  async #get(url: string, request: RegistryRequest | string): Promise<Response> {
    const req = typeof request === 'string' ? { accept: request } : request;
    let res = await this.#send(url, req);
    const challenge = res.headers.get('www-authenticate') ?? '';
    if (res.status === 401 && this.#token === undefined && /^bearer\s/i.test(challenge)) {
      await res.body?.cancel();
      this.#token = await this.#bearerToken(challenge);
      res = await this.#send(url, req);
    } else if (res.status === 401 && this.#basic === undefined && /^basic\b/i.test(challenge) && this.#auth.username) {
      await res.body?.cancel();
      this.#basic = basicAuth(this.#auth);
      res = await this.#send(url, req);
    }
    return res;
  }

  async #send(url: string, req: RegistryRequest, authorization?: string): Promise<Response> {
    const method = req.method ?? 'GET';
    const headers: Record<string, string> = { Accept: req.accept ?? '*/*' };
    if (req.contentType) headers['Content-Type'] = req.contentType;
    if (authorization) headers.Authorization = authorization;
    else if (this.#token) headers.Authorization = `Bearer ${this.#token}`;
    else if (this.#basic) headers.Authorization = this.#basic;
    try {
      return await this.#fetch(url, { method, headers, body: req.body as BodyInit | undefined, redirect: 'follow', signal: AbortSignal.timeout(req.timeoutMs ?? this.#timeoutMs) });
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      const verb = method[0] + method.slice(1).toLowerCase();
      throw new RegistryUnreachableError(`${verb} "${url}": ${cause instanceof Error ? cause.message : (err as Error).message}`);
    }
  }

  /** The token service's answer for this repository: anonymous, or with the user's basic credentials. */
  async #bearerToken(challenge: string): Promise<string> {
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
    if (!params.realm) throw new RegistryError(`registry sent a bearer challenge without a realm: ${challenge}`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', this.#scope);
    if (this.#auth.username) url.searchParams.set('account', this.#auth.username);
    const res = await this.#send(url.toString(), { accept: 'application/json' }, this.#auth.username ? basicAuth(this.#auth) : undefined);
    if (!res.ok) throw new RegistryError(`Get "${url}": token request answered ${res.status} ${res.statusText}`);
    const body = (await res.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
    const token = body.token ?? body.access_token;
    if (typeof token !== 'string' || token === '') throw new RegistryError(`Get "${url}": no token in the answer`);
    return token;
  }

  /** Docker's wording for the common failures, with the registry's own error text. */
  async #failure(res: Response, path: string): Promise<RegistryError> {
    const detail = await errorDetail(res);
    if (res.status === 401 || res.status === 403) {
      return new RegistryError(`pull access denied for ${familiarName(this.ref as ImageReference)}, repository does not exist or may require 'docker login': ${detail}`);
    }
    if (res.status === 404 && path.startsWith('manifests/')) {
      return new RegistryError(`manifest for ${familiarString(this.ref as ImageReference)} not found: ${detail}`);
    }
    return new RegistryError(`${path}: ${detail}`);
  }
}

/** The registry's error in distribution's `code: message` form, else the HTTP status. */
async function errorDetail(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const first = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors?.[0];
    if (first?.code) return `${first.code.toLowerCase().replace(/_/g, ' ')}: ${first.message ?? ''}`;
  } catch {
    // not distribution's error JSON
  }
  return `received unexpected HTTP status: ${res.status} ${res.statusText}`.trimEnd();
}

export function basicAuth(auth: RegistryAuth): string {
  return `Basic ${Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`).toString('base64')}`;
}

export function baseUrl(domain: string, endpoints: Record<string, string>): string {
  const override = endpoints[domain];
  if (override) return override.replace(/\/+$/, '');
  if (domain === 'docker.io') return 'https://registry-1.docker.io';
  // Docker treats loopback registries as insecure (plain HTTP) by default.
  if (/^(localhost|127(\.\d+){3})(:\d+)?$/.test(domain)) return `http://${domain}`;
  return `https://${domain}`;
}
