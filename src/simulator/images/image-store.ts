import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { parseReference } from '../../images/reference';
import { RegistryError, RegistrySession, RegistryUnreachableError, resolveImage } from '../../images/registry';
import type { RegistryAuth } from '../../images/registry';
import type { SimulatorLogger } from '../options';
import { UnsafeLayerError, UnsupportedLayerError, applyLayer } from './unpack';

/** The runtime settings of an image config that a replica applies. */
export interface RuntimeConfig {
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Env?: string[] | null;
  WorkingDir?: string;
  User?: string;
}

export type ImageOutcome =
  /** The image's filesystem (its layers applied in order) and its runtime config. */
  | { kind: 'image'; root: string; config: RuntimeConfig; release: () => void }
  /** The registry cannot be reached and the image is not cached: run on the fallback root. */
  | { kind: 'fallback'; reason: string }
  /** ACA's ImagePullFailure: the message says why, in containerd's words. */
  | { kind: 'failed'; message: string };

export type ImageFallback = 'host' | 'error';

export interface ImageStoreOptions {
  logger: SimulatorLogger;
  /** What an unreachable registry means for an image not in the cache. */
  fallback: ImageFallback;
  /** Bytes of layers and unpacked roots kept; least recently used ones not in use go first. */
  maxBytes: number;
  /** Per registry request. */
  timeoutMs: number;
}

export interface ImageCacheStats {
  /** Layer blobs fetched from registries since start, and their bytes. */
  layerDownloads: number;
  downloadedBytes: number;
  /** Layers found in the cache instead. */
  layerCacheHits: number;
  /** Bytes held now (blobs and unpacked roots). */
  cachedBytes: number;
  /** Executions that ran on the fallback root because the registry could not be reached. */
  fallbacks: number;
}

interface Entry {
  bytes: number;
  lastUsed: number;
  users: number;
}

interface RefRecord {
  root: string;
  config: RuntimeConfig;
}

const hex = (digest: string) => digest.replace(/^sha256:/, '');
const keyOf = (s: string) => createHash('sha256').update(s).digest('hex');
/** A layer download as a whole (the per-request timeout would cut large layers short). */
const LAYER_TIMEOUT_MS = 30 * 60_000;
/** How long a registry that could not be reached is not tried again. */
const UNREACHABLE_MEMORY_MS = 30_000;

function duSync(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const name of readdirSync(path)) {
    const child = join(path, name);
    const cst = statSync(child, { throwIfNoEntry: false });
    total += cst?.isDirectory() && !cst.isSymbolicLink() ? duSync(child) : (cst?.size ?? 0);
  }
  return total;
}

/**
 * The simulator's image cache, shared by executions, under `<dataDir>/images`: layer blobs by
 * digest (verified when downloaded), each image's root filesystem unpacked once by its chain of
 * layer digests, and what each reference last resolved to (so a cached image runs offline).
 */
export class ImageStore {
  readonly #dir: string;
  readonly #opts: ImageStoreOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<void>>();
  readonly #unreachable = new Map<string, number>();
  readonly #warned = new Set<string>();
  #stats = { layerDownloads: 0, downloadedBytes: 0, layerCacheHits: 0, fallbacks: 0 };

  constructor(dataDir: string, opts: ImageStoreOptions) {
    this.#dir = join(dataDir, 'images');
    this.#opts = opts;
    for (const sub of ['blobs', 'roots', 'refs', 'tmp']) mkdirSync(join(this.#dir, sub), { recursive: true });
    rmSync(join(this.#dir, 'tmp'), { recursive: true, force: true });
    mkdirSync(join(this.#dir, 'tmp'));
    for (const name of readdirSync(join(this.#dir, 'blobs'))) this.#entries.set(`blobs/${name}`, { bytes: duSync(join(this.#dir, 'blobs', name)), lastUsed: 0, users: 0 });
    for (const name of readdirSync(join(this.#dir, 'roots'))) {
      if (!name.endsWith('.json')) continue;
      const info = JSON.parse(readFileSync(join(this.#dir, 'roots', name), 'utf8')) as { bytes: number };
      this.#entries.set(`roots/${name.slice(0, -5)}`, { bytes: info.bytes, lastUsed: 0, users: 0 });
    }
  }

  stats(): ImageCacheStats {
    let cachedBytes = 0;
    for (const e of this.#entries.values()) cachedBytes += e.bytes;
    return { ...this.#stats, cachedBytes };
  }

  /**
   * The filesystem `image` runs in: pulled (with `auth` if given) and unpacked unless cached.
   * The caller calls `release` when the replica no longer uses it.
   */
  async prepare(image: string, auth?: RegistryAuth): Promise<ImageOutcome> {
    const failed = (detail: string): ImageOutcome => ({ kind: 'failed', message: `Failed to pull image "${image}": ${detail}` });
    let ref;
    try {
      ref = parseReference(image);
    } catch (err) {
      return failed(`invalid reference format: ${(err as Error).message}`);
    }
    const refFile = join(this.#dir, 'refs', `${keyOf(image)}.json`);
    const since = this.#unreachable.get(ref.domain);
    if (since !== undefined && Date.now() - since < UNREACHABLE_MEMORY_MS) return this.#offline(image, refFile, `registry ${ref.domain} was unreachable moments ago`);
    const session = new RegistrySession(ref, { timeoutMs: this.#opts.timeoutMs }, auth);
    try {
      const resolved = await resolveImage(session, ref);
      for (const layer of resolved.layers) await this.#blob(session, layer.digest);
      const root = await this.#root(resolved.layers.map((l) => l.digest));
      const config = ((resolved.config as { config?: RuntimeConfig }).config ?? {}) as RuntimeConfig;
      writeFileSync(refFile, JSON.stringify({ root, config } satisfies RefRecord));
      return this.#use(root, config);
    } catch (err) {
      if (err instanceof RegistryUnreachableError) {
        this.#unreachable.set(ref.domain, Date.now());
        return this.#offline(image, refFile, err.message);
      }
      if (err instanceof RegistryError || err instanceof UnsafeLayerError || err instanceof UnsupportedLayerError) return failed(err.message);
      return failed(`unpacking the image failed: ${(err as Error).message}`);
    }
  }

  /** A cached image runs as it last resolved; otherwise the fallback root, or a failure if so set. */
  #offline(image: string, refFile: string, reason: string): ImageOutcome {
    if (existsSync(refFile)) {
      const record = JSON.parse(readFileSync(refFile, 'utf8')) as RefRecord;
      if (this.#entries.has(`roots/${record.root}`)) return this.#use(record.root, record.config);
    }
    if (this.#opts.fallback === 'error') return { kind: 'failed', message: `Failed to pull image "${image}": ${reason}` };
    this.#stats.fallbacks++;
    if (!this.#warned.has(image)) {
      this.#warned.add(image);
      this.#opts.logger.warn(
        { image, reason },
        `image ${image} cannot be pulled and is not cached: its executions run on a root made of the host's system directories (/usr, /bin, /lib…), not on the image's own files`,
      );
    }
    return { kind: 'fallback', reason };
  }

  #use(root: string, config: RuntimeConfig): ImageOutcome {
    const entry = this.#entries.get(`roots/${root}`)!;
    entry.users++;
    entry.lastUsed = Date.now();
    let released = false;
    return {
      kind: 'image',
      root: join(this.#dir, 'roots', root),
      config,
      release: () => {
        if (released) return;
        released = true;
        entry.users--;
        entry.lastUsed = Date.now();
      },
    };
  }

  /** Downloads a layer blob unless cached, checking its digest; one download per digest at a time. */
  async #blob(session: RegistrySession, digest: string): Promise<void> {
    const key = `blobs/${hex(digest)}`;
    if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new RegistryError(`unsupported layer digest ${digest}`);
    const entry = this.#entries.get(key);
    if (entry) {
      this.#stats.layerCacheHits++;
      entry.lastUsed = Date.now();
      return;
    }
    let pending = this.#inflight.get(key);
    if (!pending) {
      pending = this.#download(session, digest, key).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    await pending;
  }

  async #download(session: RegistrySession, digest: string, key: string): Promise<void> {
    const res = await session.request(`blobs/${digest}`, { timeoutMs: LAYER_TIMEOUT_MS });
    if (!res.ok || !res.body) throw await session.failure(res, `blobs/${digest}`);
    const temporary = join(this.#dir, 'tmp', randomUUID());
    const hash = createHash('sha256');
    let bytes = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        bytes += chunk.length;
        cb(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(res.body as never), count, createWriteStream(temporary));
    } catch (err) {
      await rm(temporary, { force: true });
      throw new RegistryUnreachableError(`reading layer ${digest}: ${(err as Error).message}`);
    }
    const actual = `sha256:${hash.digest('hex')}`;
    if (actual !== digest) {
      await rm(temporary, { force: true });
      throw new RegistryError(`failed commit on ref "layer-${digest}": "${digest}" failed validation: actual digest ${actual}`);
    }
    await rename(temporary, join(this.#dir, key));
    this.#entries.set(key, { bytes, lastUsed: Date.now(), users: 0 });
    this.#stats.layerDownloads++;
    this.#stats.downloadedBytes += bytes;
    this.#evict();
  }

  /** The root of these layers (bottom first), unpacked once; returns its name under roots/. */
  async #root(digests: string[]): Promise<string> {
    const name = keyOf(digests.join(','));
    const key = `roots/${name}`;
    if (this.#entries.has(key)) return name;
    let pending = this.#inflight.get(key);
    if (!pending) {
      pending = this.#unpack(digests, name).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    await pending;
    return name;
  }

  async #unpack(digests: string[], name: string): Promise<void> {
    const temporary = join(this.#dir, 'tmp', randomUUID());
    mkdirSync(temporary, { mode: 0o755 });
    try {
      for (const digest of digests) await applyLayer(temporary, join(this.#dir, 'blobs', hex(digest)));
      const target = join(this.#dir, 'roots', name);
      await rm(target, { recursive: true, force: true });
      await rename(temporary, target);
    } catch (err) {
      await rm(temporary, { recursive: true, force: true });
      throw err;
    }
    const bytes = duSync(join(this.#dir, 'roots', name));
    writeFileSync(join(this.#dir, 'roots', `${name}.json`), JSON.stringify({ bytes, layers: digests }));
    this.#entries.set(`roots/${name}`, { bytes, lastUsed: Date.now(), users: 0 });
    this.#evict();
  }

  /** Least recently used first, never what a replica uses, until under the bound. */
  #evict(): void {
    let total = this.stats().cachedBytes;
    if (total <= this.#opts.maxBytes) return;
    const candidates = [...this.#entries].filter(([, e]) => e.users === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [key, entry] of candidates) {
      if (total <= this.#opts.maxBytes) break;
      if (this.#inflight.has(key)) continue;
      rmSync(join(this.#dir, key), { recursive: true, force: true });
      if (key.startsWith('roots/')) rmSync(join(this.#dir, `${key}.json`), { force: true });
      this.#entries.delete(key);
      total -= entry.bytes;
    }
  }
}
