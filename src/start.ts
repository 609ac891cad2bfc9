import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { acaConfigForSimulator, acaConfigFromEnv, armBudgetOf, createAcaCloud, describeTarget } from './aca';
import { createApp } from './api/app';
import type { Cloud } from './aca/cloud';
import type { AcaConfig } from './config';
import { agentCallbackUrl, agentSettings } from './daemon/agent/settings';
import { Daemon } from './daemon/daemon';
import { openPersistedState, type PersistedState } from './daemon/persisted-state';
import { jobReuseFromEnv } from './daemon/job-reuse';
import { Reconciler } from './daemon/reconcile';
import { SharedJobs } from './daemon/shared-jobs';
import { environmentId } from './aca/job-spec';
import { jobSettingsFromEnv } from './daemon/job-settings';
import { lifecycleTimeoutsFromEnv } from './daemon/lifecycle-timeouts';
import { parseArmRates } from './aca/arm-budget';
import { RegistryCredentials } from './daemon/registry-auth';
import { ImageStore } from './images/store';
import { ContainerResources } from './container-resources';
import { CredentialStore, decodeRegistryConfig } from './images/credentials';
import { parseReference } from './images/reference';
import { NetworkStore } from './networks/store';
import { VolumeStore } from './volumes/store';
import type { DockerEvent } from './daemon/events';
import { InspectionHub } from './inspect/hub';
import { startStatelyStream, type StatelyStream } from './inspect/stately';
import { ContainerTimeline } from './ui/timeline';
import { listen, parseAddress, refusal, type Listener, type TlsOptions } from './listen';
import { createLogger, type Logger } from './log';
import { startSimulator, type Simulator, type SimulatorOptions } from './simulator';
import { simulatorFaultsFromEnv } from './simulator/faults';
import { simulatorProfileFromEnv } from './simulator/profile/settings-from-text';
import type { Durability } from './store';

export interface DaemonOptions {
  /** `-H` addresses; default tcp://127.0.0.1:2375 (2376 with TLS). */
  hosts: string[];
  /** TLS for the TCP listeners (`--tls`, `--tlsverify`). */
  tls?: TlsOptions;
  /** Serve a non-loopback TCP address without mutual TLS (`--insecure-listen`). */
  insecureListen?: boolean;
  dataRoot: string;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Options for the embedded simulator, used when no subscription is configured. */
  simulator?: SimulatorOptions;
  /** Wraps the cloud the container actors invoke; tests use it to hold or fail cloud calls. */
  wrapCloud?: (cloud: Cloud) => Cloud;
  /** Stream the actor system to the Stately inspector through a bridge page on this port. */
  inspectPort?: number;
}

export interface RunningDaemon {
  daemon: Daemon;
  /** The Docker API app every listener serves (its routes are what the fuzz suite walks). */
  app: ReturnType<typeof createApp>;
  /** Every inspection event of the actor system (root and container actors). */
  inspection: InspectionHub;
  /** The Stately inspector bridge page, when inspection is on. */
  inspectUrl?: string;
  listeners: Listener[];
  simulator?: Simulator;
  target: string;
  /** Reconciliation with ACA (also run every SOCKERLESS_RECONCILE_INTERVAL_MS). */
  reconciler: Reconciler;
  close(): Promise<void>;
}

/** Starts the whole daemon: the cloud target (Azure, or the embedded simulator), actors, API. */
export async function startDaemon(opts: DaemonOptions): Promise<RunningDaemon> {
  const env = opts.env ?? process.env;
  const logger = opts.logger ?? createLogger();
  const listenOptions = { tls: opts.tls, insecure: opts.insecureListen };
  const addresses = (opts.hosts.length ? opts.hosts : [opts.tls ? 'tcp://127.0.0.1:2376' : 'tcp://127.0.0.1:2375']).map(parseAddress);
  for (const address of addresses) {
    const refused = refusal(address, listenOptions);
    if (refused) throw new Error(refused);
  }
  const jobSettings = jobSettingsFromEnv(env);
  await mkdir(opts.dataRoot, { recursive: true });
  // First: a damaged or newer store stops the start before anything else runs.
  const state = openPersistedState({ dataRoot: opts.dataRoot, enabled: env.SOCKERLESS_PERSIST !== 'off', durability: durabilityFrom(env), logger });
  try {
    return await startOnState(opts, env, logger, addresses, jobSettings, state);
  } catch (err) {
    state.close();
    throw err;
  }
}

async function startOnState(
  opts: DaemonOptions, env: NodeJS.ProcessEnv, logger: Logger, addresses: ReturnType<typeof parseAddress>[],
  jobSettings: ReturnType<typeof jobSettingsFromEnv>, state: PersistedState,
): Promise<RunningDaemon> {
  const listenOptions = { tls: opts.tls, insecure: opts.insecureListen };

  let config: AcaConfig | undefined = acaConfigFromEnv(env);
  let simulator: Simulator | undefined;
  if (!config) {
    // The simulator's own chatter (every execution status) only shows at debug level.
    const simLogger = logger.child({ component: 'simulator' }, { level: logger.level === 'debug' || logger.level === 'trace' ? logger.level : 'warn' });
    // Executions must not see the daemon's state (the simulator hides its own data dir).
    // The agent dials back on the daemon's socket, which executions then need to see.
    const visiblePaths = addresses.flatMap((a) => (a.kind === 'unix' ? [dirname(a.path)] : []));
    simulator = await startSimulator({ dataDir: join(opts.dataRoot, 'simulator'), hiddenPaths: [opts.dataRoot], visiblePaths, logger: simLogger, ...simulatorFaultsFromEnv(env), ...simulatorProfileFromEnv(env), ...opts.simulator });
    config = acaConfigForSimulator(simulator);
  }
  const target = simulator ? `embedded ACA simulator at ${simulator.url}` : describeTarget(config);
  const acaConfig = { ...config, armRates: parseArmRates(env.SOCKERLESS_ARM_BUDGET), instanceId: state.instanceId };
  const acaCloud = createAcaCloud(acaConfig, simulator);
  const cloud = opts.wrapCloud ? opts.wrapCloud(acaCloud) : acaCloud;
  const images = new ImageStore({ fetchConfig: env.SOCKERLESS_FETCH_IMAGE_CONFIG === 'true', ...state.images });
  const credentials = new CredentialStore();
  const registries = new RegistryCredentials({ logins: credentials, identity: jobSettings.registryIdentity });

  const inspection = new InspectionHub();
  const timeline = new ContainerTimeline(inspection);
  let stately: StatelyStream | undefined;
  if (opts.inspectPort !== undefined) {
    stately = await startStatelyStream(inspection, opts.inspectPort).catch(async (err: unknown) => {
      await simulator?.close();
      throw err;
    });
  }
  const agent = await agentSettings(env, !!simulator, () => callbackUrl, logger);
  const reuse = jobReuseFromEnv(env);
  const sharedJobs = new SharedJobs(cloud, environmentId(acaConfig));
  const daemon = state.restore(() => new Daemon({
    cloud,
    ...state.daemon(cloud),
    events: state.events,
    inspect: state.inspect(inspection.observe),
    image: (imageId, asGiven) => {
      const record = images.find(imageId);
      // A built image is its FROM image plus a config (its steps were not run): ACA pulls that one.
      if (record?.RunImage) return { reference: record.RunImage.Reference, env: record.RunImage.Env };
      return { reference: record?.RepoTags[0] ?? asGiven, env: record?.Config.Env ?? [] };
    },
    jobDefaults: { ...jobSettings.defaults, replicaTimeout: config.replicaTimeout },
    timeouts: lifecycleTimeoutsFromEnv(env),
    access: { secretEnv: jobSettings.secretEnv, registries },
    agent,
    ...(reuse.on && { sharedJobs }),
  }));
  const networks = new NetworkStore({
    ...state.networks,
    announce: (action, n, extra) => daemon.events.publish('network', action, n.Id, { name: n.Name, type: n.Driver, ...extra }),
  });
  // The predefined networks made just now keep their ids across restarts, as dockerd's do.
  state.networks.onChange?.(networks.list());
  const volumes = new VolumeStore({ ...state.volumes, announce: (action, v) => daemon.events.publish('volume', action, v.Name, { driver: v.Driver }) });
  const resources = new ContainerResources(networks, volumes, daemon.events, state.holdings);
  daemon.events.on('event', (e: DockerEvent) => e.Type === 'container' && e.Action === 'destroy' && registries.forget(e.Actor.ID));
  const announceImage = (action: string, id: string, attributes: Record<string, string>) => daemon.events.publish('image', action, id, attributes);
  const containerLookup = (ref: string) => {
    const found = daemon.find(ref);
    if (!found || found === 'ambiguous') return found;
    const ctx = found.getSnapshot().context;
    return { id: ctx.id, name: ctx.name, networkMode: ctx.hostConfig.NetworkMode };
  };
  const inUseBy = (imageId: string) => daemon.containers().find((r) => r.getSnapshot().context.imageId === imageId)?.id;

  const app = createApp({
    logger,
    containers: {
      daemon,
      cloud,
      images,
      pollIntervalMs: config.pollIntervalMs,
      logSettleMs: simulator ? 0 : 10_000,
      resources,
      hostConfig: { defaults: jobSettings.defaults, secretEnv: jobSettings.secretEnv, registries },
    },
    images: { images, inUseBy, credentials, registries, announce: announceImage },
    build: {
      images,
      announce: announceImage,
      pull: (reference, onProgress, registryConfig) => {
        const domain = parseReference(reference).domain;
        return images.pull(reference, onProgress, decodeRegistryConfig(registryConfig).get(domain) ?? credentials.get(domain));
      },
    },
    auth: { credentials },
    ui: { timeline, overview: { target, arm: armBudgetOf(acaConfig), simulator } },
    networks: { networks, containers: { find: containerLookup } },
    volumes: { volumes },
    system: {
      daemon,
      imageCount: () => images.list().length,
      target,
      isolation: simulator?.isolationDetail,
      daemonId: state.instanceId,
      dataRoot: opts.dataRoot,
      usage: { daemon, images, volumes, resources },
      environment: config.environment,
    },
  });

  const listeners: Listener[] = [];
  let callbackUrl: string | undefined = env.SOCKERLESS_CALLBACK_URL;
  try {
    for (const address of addresses) listeners.push(await listen(app, address, listenOptions));
    callbackUrl ??= agentCallbackUrl(listeners.map((l) => l.url), !!opts.tls);
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close()));
    state.pause();
    daemon.stop();
    stately?.close();
    await simulator?.close();
    throw err;
  }

  const knows = (id: string) => daemon.find(id) !== undefined;
  // A container holds a shared job while it starts or runs an execution of it (with reuse off too: it was on before a restart).
  const inUse = (jobName: string) =>
    daemon.containers().some((r) => {
      const snap = r.getSnapshot();
      return snap.context.jobName === jobName && (snap.matches('starting') || snap.matches('running'));
    });
  const shared = { jobs: sharedJobs, idleMs: reuse.idleMs, inUse };
  const reconciler = new Reconciler({ cloud, instanceId: state.instanceId, knows, logger, shared }, reconcileIntervalFrom(env));
  reconciler.start();

  return {
    daemon,
    app,
    inspection,
    inspectUrl: stately?.url,
    listeners,
    simulator,
    target,
    reconciler,
    // Like dockerd --live-restore: executions keep running in ACA; a restart restores their actors.
    async close() {
      await Promise.all(listeners.map((l) => l.close()));
      await reconciler.stop();
      state.pause();
      daemon.stop();
      state.close();
      stately?.close();
      await simulator?.close();
    },
  };
}

function durabilityFrom(env: NodeJS.ProcessEnv): Durability {
  const value = env.SOCKERLESS_STORE_DURABILITY ?? 'normal';
  if (value !== 'normal' && value !== 'full') throw new Error(`SOCKERLESS_STORE_DURABILITY must be normal or full, not ${value}`);
  return value;
}

function reconcileIntervalFrom(env: NodeJS.ProcessEnv): number {
  const raw = env.SOCKERLESS_RECONCILE_INTERVAL_MS;
  const value = raw === undefined || raw === '' ? 60_000 : Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`SOCKERLESS_RECONCILE_INTERVAL_MS must be a positive integer, not ${raw}`);
  return value;
}
