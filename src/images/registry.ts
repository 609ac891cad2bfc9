import { sha256Digest } from './image-id';
import { familiarName, familiarString } from './reference';
import type { ImageReference } from './reference';

/** A failed registry read; its message is what the pull stream reports. */
export class RegistryError extends Error {}

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
    const blob = await session.document(`blobs/${config.digest}`, '*/*', config.digest);
    return { config: blob.json, configDigest: config.digest, digest: top.digest };
  };
}

class RegistrySession {
  readonly #base: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  #token: string | undefined;
  #basic: string | undefined;
  readonly #auth: RegistryAuth;

  constructor(readonly ref: ImageReference, options: RegistryOptions, auth: RegistryAuth = {}) {
    this.#base = `${baseUrl(ref.domain, options.endpoints ?? {})}/v2/${ref.path}/`;
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

  async #get(url: string, accept: string): Promise<Response> {
    let res = await this.#send(url, accept);
    const challenge = res.headers.get('www-authenticate') ?? '';
    if (res.status === 401 && this.#token === undefined && /^bearer\s/i.test(challenge)) {
      this.#token = await this.#bearerToken(challenge);
      res = await this.#send(url, accept);
    } else if (res.status === 401 && this.#basic === undefined && /^basic\b/i.test(challenge) && this.#auth.username) {
      this.#basic = basicAuth(this.#auth);
      res = await this.#send(url, accept);
    }
    return res;
  }

  async #send(url: string, accept: string, authorization?: string): Promise<Response> {
    const headers: Record<string, string> = { Accept: accept };
    if (authorization) headers.Authorization = authorization;
    else if (this.#token) headers.Authorization = `Bearer ${this.#token}`;
    else if (this.#basic) headers.Authorization = this.#basic;
    try {
      return await this.#fetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      throw new RegistryError(`Get "${url}": ${cause instanceof Error ? cause.message : (err as Error).message}`);
    }
  }

  /** The token service's answer for this repository: anonymous, or with the user's basic credentials. */
  async #bearerToken(challenge: string): Promise<string> {
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
    if (!params.realm) throw new RegistryError(`registry sent a bearer challenge without a realm: ${challenge}`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? `repository:${this.ref.path}:pull`);
    if (this.#auth.username) url.searchParams.set('account', this.#auth.username);
    const res = await this.#send(url.toString(), 'application/json', this.#auth.username ? basicAuth(this.#auth) : undefined);
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
      return new RegistryError(`pull access denied for ${familiarName(this.ref)}, repository does not exist or may require 'docker login': ${detail}`);
    }
    if (res.status === 404 && path.startsWith('manifests/')) {
      return new RegistryError(`manifest for ${familiarString(this.ref)} not found: ${detail}`);
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
