import { ShareStore } from './storage/shares';
import { environmentStorageRoutes, fileShareRoutes } from './storage/routes';
import { EventEmitter } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:https';

import { ArmThrottler } from './arm-throttle';
import { createCertificate } from './certificate';
import { environmentRoutes } from './environment';
import type { Execution, ExecutionStatus } from './executions';
import { FaultInjector, faultPlanSchema } from './faults';
import type { ArmThrottle, FaultPlan } from './faults';
import { ImageStore } from './images/image-store';
import { sweepVolumes } from './images/replica-run';
import type { ImageCacheStats } from './images/image-store';
import { chooseLauncher } from './isolation/probe';
import { TokenRegistry, identityRoutes } from './identity';
import { JobStore } from './job-store';
import { jobRoutes } from './jobs';
import { logAnalyticsRoutes } from './log-analytics';
import { LogStore } from './log-store';
import { OperationRegistry } from './operations';
import { QueryLimiter } from './query-limits';
import { resolveOptions } from './options';
import { Timing } from './profile/timing';
import type { SimulatorOptions, SimulatorSettings } from './options';
import type { IsolationMode, ReplicaLauncher } from './replica';
import { ReplicaDirs } from './replica-dirs';
import { parseBody, readJsonBody } from './routing';
import { buildApp, closeServer, listenHttps } from './server';
import { StatsCounter } from './stats';
import type { SimulatorStats } from './stats';

/** What a 'change' event carries. */
export type SimulatorChange =
  | { kind: 'execution'; jobName: string; executionName: string; status: ExecutionStatus }
  | { kind: 'logs'; rows: number };

/** The profile in force and the environment it models. */
export type ProfileInForce = Pick<SimulatorSettings, 'profile' | 'timeScale' | 'seed' | 'figures' | 'environmentType' | 'workloadProfiles' | 'logDestination'>;

/** A running simulator. Emits 'change' (with a SimulatorChange) whenever an execution changes status or log rows become queryable. */
export interface Simulator extends EventEmitter {
  /** https://127.0.0.1:PORT */
  readonly url: string;
  /** PEM of the self-signed certificate (clients trust it via tlsOptions.ca). */
  readonly ca: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly environment: string;
  readonly location: string;
  readonly workspaceId: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly profile: ProfileInForce;
  /** How executions run: in their own namespaces (filesystem, PIDs, hostname) or as plain host processes. */
  readonly isolation: IsolationMode;
  /** One line on the isolation in force and, when none, why. */
  readonly isolationDetail: string;
  /** ARM + logs requests per operation; reads = GETs (LRO polls included) and log queries, writes = PUT/POST/DELETE. */
  stats(): SimulatorStats;
  /** The image cache's counters (layer downloads, cache hits, bytes held, fallbacks); undefined when unisolated. */
  imageStats(): ImageCacheStats | undefined;
  resetStats(): void;
  /** Replaces the fault plan (undefined: no faults); reseeds the PRNG and zeroes the fault counts. */
  setFaults(plan: FaultPlan | undefined): void;
  /** Turns ARM throttling on with these buckets (full), or off. */
  setArmThrottle(t: ArmThrottle | undefined): void;
  /** Faults injected per `operation:kind` since the plan was set; 429s sent by ARM throttling since it was set. */
  faultCounts(): { injected: Record<string, number>; throttled: number };
  /** Jobs currently defined. */
  jobNames(): string[];
  /** The stored job resource as served on GET. */
  job(name: string): unknown | undefined;
  /** One execution of a job as served on GET (its template included), while the job's history keeps it. */
  execution(jobName: string, executionName: string): unknown | undefined;
  /** SIGKILLs running executions, removes their directories (and with them, namespaces and mounts), closes the server. */
  close(): Promise<void>;
}

/** How long close() waits for killed processes to be reaped before it goes on. */
const CLOSE_WAIT_MS = 5000;

class EmbeddedSimulator extends EventEmitter implements Simulator {
  readonly url: string;
  readonly ca: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly environment: string;
  readonly location: string;
  readonly workspaceId: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly isolation: IsolationMode;
  readonly isolationDetail: string;
  readonly profile: ProfileInForce;
  #settings: SimulatorSettings;
  #counter: StatsCounter;
  #store: JobStore;
  #logs: LogStore;
  #server: Server;
  #dirs: ReplicaDirs;
  #faults: FaultInjector;
  #throttle: ArmThrottler;
  #images: ImageStore | undefined;
  #closing: Promise<void> | undefined;

  constructor(parts: {
    settings: SimulatorSettings;
    url: string;
    ca: string;
    counter: StatsCounter;
    store: JobStore;
    logs: LogStore;
    server: Server;
    launcher: ReplicaLauncher;
    dirs: ReplicaDirs;
    faults: FaultInjector;
    throttle: ArmThrottler;
    images?: ImageStore;
  }) {
    super();
    const s = parts.settings;
    this.url = parts.url;
    this.ca = parts.ca;
    this.subscriptionId = s.subscriptionId;
    this.resourceGroup = s.resourceGroup;
    this.environment = s.environment;
    this.location = s.location;
    this.workspaceId = s.workspaceId;
    this.tenantId = s.tenantId;
    this.clientId = s.clientId;
    this.clientSecret = s.clientSecret;
    this.isolation = parts.launcher.isolation;
    this.isolationDetail = parts.launcher.description;
    this.profile = {
      profile: s.profile, timeScale: s.timeScale, seed: s.seed, figures: s.figures,
      environmentType: s.environmentType, workloadProfiles: s.workloadProfiles, logDestination: s.logDestination,
    };
    this.#settings = s;
    this.#counter = parts.counter;
    this.#store = parts.store;
    this.#logs = parts.logs;
    this.#server = parts.server;
    this.#dirs = parts.dirs;
    this.#faults = parts.faults;
    this.#throttle = parts.throttle;
    this.#images = parts.images;
  }

  setFaults(plan: FaultPlan | undefined): void {
    this.#faults.setPlan(plan);
  }

  setArmThrottle(t: ArmThrottle | undefined): void {
    this.#throttle.set(t);
  }

  faultCounts(): { injected: Record<string, number>; throttled: number } {
    return { injected: this.#faults.counts(), throttled: this.#throttle.throttled() };
  }

  stats(): SimulatorStats {
    return this.#counter.snapshot();
  }

  imageStats(): ImageCacheStats | undefined {
    return this.#images?.stats();
  }

  resetStats(): void {
    this.#counter.reset();
  }

  jobNames(): string[] {
    return this.#store.names();
  }

  job(name: string): unknown | undefined {
    const job = this.#store.find(name);
    return job ? this.#store.toResource(job) : undefined;
  }

  execution(jobName: string, executionName: string): unknown | undefined {
    return this.#store.find(jobName)?.executions.get(executionName)?.toResource();
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const live = this.#store.liveExecutions();
    for (const execution of live) execution.kill();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(live.map((e) => e.ended)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS))),
    ]);
    clearTimeout(timer);
    this.#dirs.close();
    this.#logs.close();
    await closeServer(this.#server);
    if (this.#settings.ownsDataDir) rmSync(this.#settings.dataDir, { recursive: true, force: true });
    this.#settings.logger.info({ url: this.url }, 'ACA simulator closed');
  }
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts the embedded ACA simulator: ARM Jobs, Log Analytics and Entra ID token endpoints over HTTPS. */
export async function startSimulator(opts?: SimulatorOptions): Promise<Simulator> {
  // Checked before resolveOptions creates the scratch root.
  const faults = new FaultInjector(opts?.faults);
  const throttle = new ArmThrottler(opts?.armThrottle);
  const settings = resolveOptions(opts);
  // The azure profile throttles ARM as Azure does, unless told otherwise.
  if (opts?.armThrottle === undefined && settings.profile === 'azure') {
    const f = settings.figures;
    throttle.set({
      reads: { bucket: f.armReadBucket.median, refillPerSecond: f.armReadRefillPerSecond.median },
      writes: { bucket: f.armWriteBucket.median, refillPerSecond: f.armWriteRefillPerSecond.median },
    });
  }
  const dirs = new ReplicaDirs(settings.dataDir);
  const shares = new ShareStore(settings.dataDir);
  const swept = await dirs.sweep();
  sweepVolumes(join(settings.dataDir, 'volumes'), dirs.root);
  if (swept > 0) settings.logger.warn({ swept, dataDir: settings.dataDir }, 'removed replicas left by a simulator that did not close');
  const launcher = await chooseLauncher(settings, dirs);
  // Unisolated replicas cannot run in an image's filesystem: they stay host processes.
  const images =
    launcher.isolation === 'namespaces'
      ? {
          store: new ImageStore(settings.dataDir, { logger: settings.logger, fallback: settings.imageFallback, maxBytes: settings.imageCacheBytes, timeoutMs: 30_000 }),
          volumesDir: join(settings.dataDir, 'volumes'),
          storage: (name: string) => shares.mountSource(name),
        }
      : undefined;
  const certificate = await createCertificate();
  const counter = new StatsCounter();
  const tokens = new TokenRegistry();
  let simulator: EmbeddedSimulator | undefined;
  const emit = (change: SimulatorChange) => simulator?.emit('change', change);

  const timing = new Timing(settings);
  const logs = new LogStore(settings, timing, (rows) => emit({ kind: 'logs', rows }));
  const queryLimiter = new QueryLimiter(timing);
  const store = new JobStore({
    settings,
    logs,
    launcher,
    timing,
    images,
    changed(execution: Execution) {
      settings.logger.info(
        { job: execution.jobName, execution: execution.name, status: execution.status, exitCode: execution.exitCode },
        'execution status',
      );
      emit({ kind: 'execution', jobName: execution.jobName, executionName: execution.name, status: execution.status });
    },
  });
  const operations = new OperationRegistry(settings);
  const faultState = () => ({
    plan: faults.plan() ?? null,
    armThrottle: throttle.config() ?? null,
    injected: faults.counts(),
    throttled: throttle.throttled(),
  });
  const app = buildApp({
    settings,
    tokens,
    stats: counter,
    faults,
    throttle,
    routes: [
      ...identityRoutes(settings, tokens),
      ...jobRoutes(settings, store, operations, timing),
      ...operations.routes(),
      ...environmentRoutes(settings),
      ...environmentStorageRoutes(settings, shares),
      ...fileShareRoutes(settings, shares),
      ...logAnalyticsRoutes(settings, logs, queryLimiter),
    ],
    admin: {
      stats: (c) => c.json({ ...counter.snapshot(), ...(images && { images: images.store.stats() }) }),
      jobs: (c) =>
        c.json({
          jobs: store.list().map((job) => ({
            job: store.toResource(job),
            executions: [...job.executions.values()].map((e) => e.toResource()),
          })),
        }),
      faults: {
        GET: (c) => c.json(faultState()),
        async PUT(c) {
          faults.setPlan(parseBody(faultPlanSchema, await readJsonBody(c), 'fault plan'));
          return c.json(faultState());
        },
        DELETE(c) {
          faults.setPlan(undefined);
          return c.json(faultState());
        },
      },
    },
  });
  let listening: Awaited<ReturnType<typeof listenHttps>>;
  try {
    listening = await listenHttps(app, settings, certificate);
  } catch (err) {
    dirs.close();
    if (settings.ownsDataDir) rmSync(settings.dataDir, { recursive: true, force: true });
    throw err;
  }
  const { server, port } = listening;
  const url = `https://${urlHost(settings.host)}:${port}`;
  simulator = new EmbeddedSimulator({ settings, url, ca: certificate.cert, counter, store, logs, server, launcher, dirs, faults, throttle, images: images?.store });
  settings.logger.info({ url, latency: settings.latency, dataDir: settings.dataDir, isolation: launcher.description }, 'ACA simulator listening');
  return simulator;
}
