import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArmThrottle, FaultPlan } from './faults';
import type { FigureName, FigureOverride, Figures } from './profile/figures';
import { resolveFigures } from './profile/resolve';
import type { ProfileName } from './profile/resolve';
import type { PrivateRegistry } from './registry-access';
import { DEFAULT_ENVIRONMENT_FACTS, type EnvironmentFacts } from './validation/facts';
import type { ImageFallback } from './images/image-store';

export type Latency = 'instant' | 'realistic';

/** The environment's plan: Consumption only (legacy), or workload profiles (a Consumption profile and dedicated ones). */
export type EnvironmentType = 'consumption' | 'workload-profiles';

/** A workload profile of the environment; `cores`/`memoryGi` are what one replica may use on it. */
export interface WorkloadProfile {
  name: string;
  workloadProfileType: string;
  cores: number;
  memoryGi: number;
}

/** The environment's `appLogsConfiguration.destination`: which table console logs land in, if any. */
export type LogDestination = 'log-analytics' | 'azure-monitor' | 'none';

export const DEFAULT_WORKLOAD_PROFILES: WorkloadProfile[] = [{ name: 'Consumption', workloadProfileType: 'Consumption', cores: 4, memoryGi: 8 }];

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
  /**
   * Executions kept per job: beyond it the oldest ended ones are forgotten, as ACA does (default:
   * unbounded on the instant profile, the azure profile's figure, ACA's 100, on azure).
   */
  executionHistory?: number;
  /** Scratch root for executions (default: a temp dir removed on close). */
  dataDir?: string;
  /**
   * auto (default): each execution runs in its own mount, PID and UTS namespaces (and network
   * namespace, see replicaNetwork) over a
   * copy-on-write view of its image's filesystem (or of the fallback root of host system
   * directories) where the host allows it (root, Linux), unisolated
   * otherwise; none: always unisolated.
   */
  isolation?: IsolationSetting;
  /** Host paths executions must not see (the daemon's data root); dataDir is always hidden. */
  hiddenPaths?: string[];
  /** Host directories executions must see even where the overlay would not show them (read-only). */
  visiblePaths?: string[];
  /** own (default): each replica in its own network namespace where slirp4netns is; host: the host's. */
  replicaNetwork?: 'own' | 'host';
  /** Host TCP ports a replica reaches on its own 127.0.0.1 (the daemon's listeners, for the agent's callback). */
  hostLoopbackPorts?: () => number[];
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
  /**
   * Validate as ARM and ACA do (default: on in the azure profile): job and start bodies against the official OpenAPI
   * schema, ACA's naming and resource rules, the environment's core quota, and a system-assigned
   * identity's missing AcrPull grant (see src/simulator/validation/).
   */
  strictValidation?: boolean;
  /** The environment's type, workload profiles and core quota that strict validation checks against. */
  environmentFacts?: EnvironmentFacts;
  /**
   * instant (default): today's kind simulator, for unit tests. azure: Azure's timing and log
   * delivery (src/simulator/profile/figures.ts lists every figure with its source).
   */
  profile?: ProfileName;
  /** azure profile: multiplies every delay of the profile (e.g. 0.05), keeping order and proportions. Default 1. */
  timeScale?: number;
  /** Seed of the latency draws (default 1): the same seed gives the same delays. */
  seed?: number;
  /** azure profile: replaces figures (full-scale units; the time scale still applies). */
  figures?: Partial<Record<FigureName, FigureOverride>>;
  /** Default workload-profiles. */
  environmentType?: EnvironmentType;
  /** Default: the Consumption profile (4 cores, 8 GiB per replica). Ignored by a consumption environment. */
  workloadProfiles?: WorkloadProfile[];
  /** Default log-analytics. */
  logDestination?: LogDestination;
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
  /** Set: overrides the profile's executions kept per job. */
  executionHistory?: number;
  dataDir: string;
  /** True when dataDir was created by the simulator and is removed on close. */
  ownsDataDir: boolean;
  isolation: IsolationSetting;
  hiddenPaths: string[];
  visiblePaths: string[];
  replicaNetwork: 'own' | 'host';
  hostLoopbackPorts: () => number[];
  logger: SimulatorLogger;
  privateRegistries: PrivateRegistry[];
  strictValidation: boolean;
  environmentFacts: EnvironmentFacts;
  profile: ProfileName;
  timeScale: number;
  seed: number;
  /** The azure profile's figures in force (scaled, overridden); unused by the instant profile. */
  figures: Figures;
  environmentType: EnvironmentType;
  workloadProfiles: WorkloadProfile[];
  logDestination: LogDestination;
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

function oneOf<T extends string>(name: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) throw new Error(`simulator option ${name} must be one of ${allowed.join(', ')}, got '${value}'`);
  return value;
}

function workloadProfilesSetting(value: WorkloadProfile[] | undefined): WorkloadProfile[] {
  if (value === undefined) return DEFAULT_WORKLOAD_PROFILES;
  for (const p of value) {
    if (!p.name || !p.workloadProfileType || !(p.cores > 0) || !(p.memoryGi > 0)) {
      throw new Error(`simulator option workloadProfiles: each needs name, workloadProfileType, cores > 0 and memoryGi > 0, got ${JSON.stringify(p)}`);
    }
  }
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
  const profile = oneOf('profile', opts.profile, ['instant', 'azure'], 'instant');
  const timeScale = opts.timeScale ?? 1;
  if (!Number.isFinite(timeScale) || timeScale <= 0) throw new Error('simulator option timeScale must be a number above 0');
  const figures = resolveFigures(timeScale, opts.figures);
  const azure = profile === 'azure';
  const environmentType = oneOf('environmentType', opts.environmentType, ['consumption', 'workload-profiles'], 'workload-profiles');
  const workloadProfiles = workloadProfilesSetting(opts.workloadProfiles);
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
    // The azure profile's writes are always long-running operations, its grace ACA's own.
    latency: azure ? 'realistic' : (opts.latency ?? 'instant'),
    lroDelayMs: nonNegative('lroDelayMs', opts.lroDelayMs, 200),
    ingestionDelayMs: nonNegative('ingestionDelayMs', opts.ingestionDelayMs, 0),
    stopGraceMs: nonNegative('stopGraceMs', opts.stopGraceMs, azure ? figures.stopGraceMs.median : 10_000),
    ...(opts.executionHistory !== undefined && { executionHistory: positiveCount('executionHistory', opts.executionHistory) }),
    dataDir,
    ownsDataDir,
    isolation,
    hiddenPaths: opts.hiddenPaths ?? [],
    visiblePaths: opts.visiblePaths ?? [],
    replicaNetwork: opts.replicaNetwork ?? 'own',
    hostLoopbackPorts: opts.hostLoopbackPorts ?? (() => []),
    logger: opts.logger ?? silentLogger,
    privateRegistries: opts.privateRegistries ?? [],
    // The azure profile validates as ARM does; its facts follow the environment settings below.
    strictValidation: opts.strictValidation ?? azure,
    environmentFacts: opts.environmentFacts ?? { ...DEFAULT_ENVIRONMENT_FACTS, type: environmentType, workloadProfiles },
    profile,
    timeScale,
    seed: nonNegative('seed', opts.seed, 1),
    figures,
    environmentType,
    workloadProfiles,
    logDestination: oneOf('logDestination', opts.logDestination, ['log-analytics', 'azure-monitor', 'none'], 'log-analytics'),
    imageFallback: imageFallbackSetting(opts.imageFallback),
    imageCacheBytes: nonNegative('imageCacheBytes', opts.imageCacheBytes, 10 * 1024 ** 3),
  };
}

function positiveCount(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`simulator option ${name} must be a positive integer, not ${value}`);
  return value;
}
