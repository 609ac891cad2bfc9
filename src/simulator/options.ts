import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArmThrottle, FaultPlan } from './faults';
import type { PrivateRegistry } from './registry-access';
import type { ImageFallback } from './images/image-store';

export type Latency = 'instant' | 'realistic';

/** The logger shape the simulator writes to (pino's methods fit). */
export interface SimulatorLogger {
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  debug?(...a: unknown[]): void;
}

export interface SimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  subscriptionId?: string;
  resourceGroup?: string;
  environment?: string;
  location?: string;
  workspaceId?: string;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** instant: writes complete in their first response; realistic: LRO headers + polling. */
  latency?: Latency;
  /** Realistic mode: how long operations stay InProgress (default 200). */
  lroDelayMs?: number;
  /** Delay before a log row becomes queryable (default 0). */
  ingestionDelayMs?: number;
  /** Stop of an execution: SIGTERM, then SIGKILL after this (default 10000). */
  stopGraceMs?: number;
  /** Scratch root for executions (default: a temp dir removed on close). */
  dataDir?: string;
  /**
   * auto (default): each execution runs in its own mount, PID and UTS namespaces over a
   * copy-on-write view of its image's filesystem (or of the fallback root of host system
   * directories) where the host allows it (root, Linux), unisolated
   * otherwise; none: always unisolated.
   */
  isolation?: IsolationSetting;
  /** Host paths executions must not see (the daemon's data root); dataDir is always hidden. */
  hiddenPaths?: string[];
  /** Host directories executions must see even where the overlay would not show them (read-only). */
  visiblePaths?: string[];
  logger?: SimulatorLogger;
  /** Registries whose images need credentials (or a managed identity) in the job; all others are public. */
  privateRegistries?: PrivateRegistry[];
  /** Faults injected into answers, decided by a PRNG seeded with plan.seed (default: none). */
  faults?: FaultPlan;
  /**
   * An image whose registry cannot be reached and that is not cached: `host` (default) runs the
   * execution on a root of the host's system directories, said once per image; `error` fails it
   * with ImagePullFailure.
   */
  imageFallback?: ImageFallback;
  /** Bytes of image layers and unpacked roots the cache keeps (default 10 GiB). */
  imageCacheBytes?: number;
  /** ARM's per-subscription token buckets for reads and writes (default: off). */
  armThrottle?: ArmThrottle;
}

export type IsolationSetting = 'auto' | 'none';

/** Options with every default filled in. */
export interface SimulatorSettings {
  host: string;
  port: number;
  subscriptionId: string;
  resourceGroup: string;
  environment: string;
  location: string;
  workspaceId: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  latency: Latency;
  lroDelayMs: number;
  ingestionDelayMs: number;
  stopGraceMs: number;
  dataDir: string;
  /** True when dataDir was created by the simulator and is removed on close. */
  ownsDataDir: boolean;
  isolation: IsolationSetting;
  hiddenPaths: string[];
  visiblePaths: string[];
  logger: SimulatorLogger;
  privateRegistries: PrivateRegistry[];
  imageFallback: ImageFallback;
  imageCacheBytes: number;
}

export const DEFAULT_SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';
export const DEFAULT_RESOURCE_GROUP = 'sockerless-sim';
export const DEFAULT_ENVIRONMENT = 'sockerless-env';
export const DEFAULT_LOCATION = 'eastus';
export const DEFAULT_WORKSPACE_ID = '11111111-1111-1111-1111-111111111111';
export const DEFAULT_TENANT_ID = '22222222-2222-2222-2222-222222222222';
export const DEFAULT_CLIENT_ID = '33333333-3333-3333-3333-333333333333';
export const DEFAULT_CLIENT_SECRET = 'sockerless-sim-secret';

const silentLogger: SimulatorLogger = { info() {}, warn() {} };

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`simulator option ${name} must be a non-negative number`);
  return value;
}

function isolationSetting(value: string | undefined): IsolationSetting {
  if (value === undefined) return 'auto';
  if (value !== 'auto' && value !== 'none') throw new Error(`simulator option isolation must be auto or none, got '${value}'`);
  return value;
}

function imageFallbackSetting(value: string | undefined): ImageFallback {
  if (value === undefined) return 'host';
  if (value !== 'host' && value !== 'error') throw new Error(`simulator option imageFallback must be host or error, got '${value}'`);
  return value;
}

/** Fills in defaults and creates the scratch root. */
export function resolveOptions(opts: SimulatorOptions = {}): SimulatorSettings {
  const isolation = isolationSetting(opts.isolation);
  let dataDir: string;
  let ownsDataDir: boolean;
  if (opts.dataDir) {
    mkdirSync(opts.dataDir, { recursive: true });
    dataDir = opts.dataDir;
    ownsDataDir = false;
  } else {
    dataDir = mkdtempSync(join(tmpdir(), 'sockerless-sim-'));
    ownsDataDir = true;
  }
  return {
    host: opts.host ?? '127.0.0.1',
    port: nonNegative('port', opts.port, 0),
    subscriptionId: opts.subscriptionId ?? DEFAULT_SUBSCRIPTION_ID,
    resourceGroup: opts.resourceGroup ?? DEFAULT_RESOURCE_GROUP,
    environment: opts.environment ?? DEFAULT_ENVIRONMENT,
    location: opts.location ?? DEFAULT_LOCATION,
    workspaceId: opts.workspaceId ?? DEFAULT_WORKSPACE_ID,
    tenantId: opts.tenantId ?? DEFAULT_TENANT_ID,
    clientId: opts.clientId ?? DEFAULT_CLIENT_ID,
    clientSecret: opts.clientSecret ?? DEFAULT_CLIENT_SECRET,
    latency: opts.latency ?? 'instant',
    lroDelayMs: nonNegative('lroDelayMs', opts.lroDelayMs, 200),
    ingestionDelayMs: nonNegative('ingestionDelayMs', opts.ingestionDelayMs, 0),
    stopGraceMs: nonNegative('stopGraceMs', opts.stopGraceMs, 10_000),
    dataDir,
    ownsDataDir,
    isolation,
    hiddenPaths: opts.hiddenPaths ?? [],
    visiblePaths: opts.visiblePaths ?? [],
    logger: opts.logger ?? silentLogger,
    privateRegistries: opts.privateRegistries ?? [],
    imageFallback: imageFallbackSetting(opts.imageFallback),
    imageCacheBytes: nonNegative('imageCacheBytes', opts.imageCacheBytes, 10 * 1024 ** 3),
  };
}
