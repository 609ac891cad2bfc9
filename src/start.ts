import type { ChartClock } from './daemon/chart-clock';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { acaConfigForSimulator, acaConfigFrom, armBudgetOf, createAcaCloud, describeTarget } from './aca';
import { createApp } from './api/app';
import type { Cloud } from './aca/cloud';
import type { AcaConfig } from './config';
import { agentCallbackUrl, agentSettings, fetchImageConfig } from './daemon/agent/settings';
import { callbackRefusal } from './daemon/agent/callback-check';
import { Daemon } from './daemon/daemon';
import { openPersistedState, type PersistedState } from './daemon/persistence/persisted-state';
import { Reconciler } from './daemon/persistence/reconcile';
import { SharedJobs } from './daemon/shared-jobs';
import { environmentId } from './aca/job-resource';
import { jobSettingsFrom, type JobSettings } from './daemon/job-settings';
import { lifecycleTimeoutsFrom } from './daemon/lifecycle-timeouts';
import { readEnvironment, withEnvironment } from './aca/environment';
import { isAllowedPair, limitsForEnvironment, type ResourceLimits } from './daemon/cpu-memory-pairs';
import { RegistryCredentials } from './daemon/registry-auth';
import { ImageStore } from './images/store';
import { ContainerResources } from './container-resources';
import { CredentialStore, decodeRegistryConfig } from './images/credentials';
import { parseReference } from './images/reference';
import { NetworkStore } from './networks/store';
import { VolumeStore, isAnonymous } from './volumes/store';
import { jobVolumes } from './volumes/job-volumes';
import { linkBindSharesToHost, simulatorShareDir } from './volumes/simulator-bind-shares';
import { createAzureFileShares, shareSettingsFrom } from './volumes/share-settings';
import type { DockerEvent } from './daemon/events';
import { InspectionHub } from './inspect/hub';
import { startStatelyStream, type StatelyStream } from './inspect/stately';
import { ContainerTimeline } from './ui/timeline';
import { inProcessApi, listen, parseAddress, refusal, type Listener, type TlsOptions } from './listen';
import { createLogger, type Logger } from './log';
import { startSimulator, type Simulator, type SimulatorOptions } from './simulator';
import { parseSettings, settingsFromProcess, simulatorOptionsFrom, type Environment, type Settings } from './settings';
import { Peers } from './daemon/peers';
import type { PortRequestFields } from './daemon/ports/bindings';
import { dockerSocketTarget, exposedTcpPorts, peerDirectory } from './networks/peer-directory';
import type { MountFields } from './volumes/mounts';

export interface DaemonOptions {
  /** `-H` addresses; default tcp://127.0.0.1:2375 (2376 with TLS). */
  hosts: string[];
  /** TLS for the TCP listeners (`--tls`, `--tlsverify`). */
  tls?: TlsOptions;
  /** Serve a non-loopback TCP address without mutual TLS (`--insecure-listen`). */
  insecureListen?: boolean;
  dataRoot: string;
  /** The parsed settings (main.ts parses this process's environment once, before the start). */
  settings?: Settings;
  /** Variables to parse instead, when `settings` is not given (tests); else this process's environment. */
  env?: Environment;
  logger?: Logger;
  /** Options for the embedded simulator, used when no subscription is configured. */
  simulator?: SimulatorOptions;
  /** Wraps the cloud the container actors invoke; tests use it to hold or fail cloud calls. */
  wrapCloud?: (cloud: Cloud) => Cloud;
  /** The container charts' clock (their timers and timestamps); tests give one they move. Default: the real clock. */
  clock?: ChartClock;
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
  const settings = opts.settings ?? (opts.env ? parseSettings(opts.env) : settingsFromProcess());
  const logger = opts.logger ?? createLogger(settings.logLevel);
  const listenOptions = { tls: opts.tls, insecure: opts.insecureListen };
  const addresses = (opts.hosts.length ? opts.hosts : [opts.tls ? 'tcp://127.0.0.1:2376' : 'tcp://127.0.0.1:2375']).map(parseAddress);
  for (const address of addresses) {
    const refused = refusal(address, listenOptions);
    if (refused) throw new Error(refused);
  }
  const jobSettings = jobSettingsFrom(settings);
  await mkdir(opts.dataRoot, { recursive: true });
  // First: a damaged or newer store stops the start before anything else runs.
  const state = openPersistedState({ dataRoot: opts.dataRoot, enabled: settings.persist, durability: settings.storeDurability, logger });
  try {
    return await startOnState(opts, settings, logger, addresses, jobSettings, state);
  } catch (err) {
    state.close();
    throw err;
  }
}

async function startOnState(
  opts: DaemonOptions, settings: Settings, logger: Logger, addresses: ReturnType<typeof parseAddress>[],
  jobSettings: JobSettings, state: PersistedState,
): Promise<RunningDaemon> {
  const listenOptions = { tls: opts.tls, insecure: opts.insecureListen };

  let config: AcaConfig | undefined = acaConfigFrom(settings);
  let simulator: Simulator | undefined;
  const listeners: Listener[] = [];
  if (!config) {
    // The simulator's own chatter (every execution status) only shows at debug level.
    const simLogger = logger.child({ component: 'simulator' }, { level: logger.level === 'debug' || logger.level === 'trace' ? logger.level : 'warn' });
    // Executions must not see the daemon's state (the simulator hides its own data dir).
    // The agent dials back on the daemon's socket, which executions then need to see.
    const visiblePaths = addresses.flatMap((a) => (a.kind === 'unix' ? [dirname(a.path)] : []));
    // In its own network namespace, a replica reaches the daemon's TCP listeners on its own loopback.
    const hostLoopbackPorts = () => listeners.flatMap((l) => {
      const port = /^tcp:\/\/(?:127\.0\.0\.1|0\.0\.0\.0|localhost):(\d+)$/.exec(l.url)?.[1];
      return port ? [Number(port)] : [];
    });
    simulator = await startSimulator({ dataDir: join(opts.dataRoot, 'simulator'), hiddenPaths: [opts.dataRoot], visiblePaths, hostLoopbackPorts, replicaNetwork: settings.simulatorNetwork, logger: simLogger, ...simulatorOptionsFrom(settings), ...opts.simulator });
    config = acaConfigForSimulator(simulator);
  }
  // Jobs that get the agent by image, on a target the daemon does not embed, are judged as on
  // Azure: the daemon cannot know where that endpoint runs its replicas, and Azure's cannot dial
  // back to loopback or a unix socket. (A standalone simulator on this host runs this checkout's
  // agent with SOCKERLESS_AGENT=local, as its --write-env says, and is not checked.)
  if (!simulator && settings.agent !== 'off' && settings.agent !== 'local' && settings.agentImage) {
    const refused = callbackRefusal(settings.callbackUrl, addresses);
    if (refused) throw new Error(refused);
  }
  let limits: ResourceLimits;
  try {
    // The budget's rates come first: every ARM client of this subscription shares the budget the first one makes.
    config = { ...config, armRates: settings.armBudget };
    // Once: the region jobs must be created in, where logs go, what sizes a replica may have.
    const facts = await readEnvironment(config);
    config = withEnvironment(config, facts);
    limits = limitsForEnvironment(facts.workloadProfiles, settings.workloadProfile);
    if (!isAllowedPair(jobSettings.defaults.cpu, jobSettings.defaults.memory, limits)) {
      throw new Error(`default resources ${jobSettings.defaults.cpu} CPU / ${jobSettings.defaults.memory}: ${limits.range}`);
    }
  } catch (err) {
    await simulator?.close();
    throw err;
  }
  const target = simulator ? `embedded ACA simulator at ${simulator.url}` : describeTarget(config);
  const acaConfig = { ...config, instanceId: state.instanceId };
  const acaCloud = createAcaCloud(acaConfig, simulator);
  const cloud = opts.wrapCloud ? opts.wrapCloud(acaCloud) : acaCloud;
  const images = new ImageStore({ fetchConfig: fetchImageConfig(settings, !!simulator), ...state.images });
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
  // On the azure profile a replica takes as long to come up as on Azure (time-scaled): the agent
  // gets Azure's wait for its dial-back, not the instant simulator's.
  const azureProfile = simulator?.profile.profile === 'azure';
  const agentWaitMs = settings.agentWaitMs ?? (azureProfile ? Math.ceil(AZURE_AGENT_WAIT_MS * simulator!.profile.timeScale) : undefined);
  const agent = await agentSettings({ ...settings, agentWaitMs }, !!simulator, () => callbackUrl, logger);
  const shareSettings = shareSettingsFrom(settings, config, !!simulator);
  const shares = shareSettings && createAzureFileShares(acaConfig, shareSettings, state.instanceId);
  const bindShares = settings.bindVolumes;
  const peerPorts = settings.peerPorts;
  if (simulator && shares) linkBindSharesToHost(bindShares, (volume) => simulatorShareDir(join(opts.dataRoot, 'simulator'), shares.settings.account, shares.names(volume).share));
  // Containers restored while starting ask for their volumes before the stores below exist.
  let mountSources!: { resources: ContainerResources; volumes: VolumeStore };
  let sourcesSet!: () => void;
  const mountsReady = new Promise<void>((resolve) => (sourcesSet = resolve));
  const sharedJobs = new SharedJobs(cloud, environmentId(acaConfig), state.sharedJobs);
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
    jobDefaults: { ...jobSettings.defaults, replicaTimeout: config.replicaTimeout, limits },
    timeouts: lifecycleTimeoutsFrom(settings),
    ...(opts.clock && { clock: opts.clock }),
    access: { secretEnv: jobSettings.secretEnv, registries },
    agent,
    ...(settings.jobReuse && { sharedJobs }),
    volumes: async (containerId) => {
      await mountsReady;
      const { resources: r, volumes: v } = mountSources;
      return jobVolumes(r.view(containerId).Mounts, { isAnonymous: (name) => { const found = v.find(name); return found !== undefined && isAnonymous(found); }, shares, bindShares });
    },
  }));
  const networks = new NetworkStore({
    ...state.networks,
    announce: (action, n, extra) => {
      daemon.events.publish('network', action, n.Id, { name: n.Name, type: n.Driver, ...extra });
      // Names resolve on user networks only: a change there changes some container's peers.
      if ((action === 'connect' || action === 'disconnect') && !n.Predefined) daemon.peers?.changed();
    },
  });
  // The predefined networks made just now keep their ids across restarts, as dockerd's do.
  state.networks.onChange?.(networks.list());
  const volumes = new VolumeStore({ ...state.volumes, announce: (action, v) => daemon.events.publish('volume', action, v.Name, { driver: v.Driver }) });
  // A bound Docker socket is served in the container by its agent, as the replica's init (on Azure, and on the simulator's namespaces).
  const servesDockerSocket = agent.launch.kind !== 'off' && (!simulator || simulator.isolation === 'namespaces');
  const resources = new ContainerResources(networks, volumes, daemon.events, state.holdings, { namedVolumes: shares !== undefined, bindShares, dockerSocketServed: servesDockerSocket });
  mountSources = { resources, volumes };
  sourcesSet();
  // A run that never started (its launch failed) joined nothing, so it has nothing to leave.
  const joined = new Set<string>();
  daemon.networks = {
    join: (id) => (joined.add(id), networks.announceEndpoints(id, 'connect')),
    leave: (id) => joined.delete(id) && networks.announceEndpoints(id, 'disconnect'),
  };
  daemon.mountPoints = (id) => resources.view(id).Mounts.map((m) => m.Destination);
  const contextOf = (id: string) => {
    const found = daemon.find(id);
    return found && found !== 'ambiguous' ? found.getSnapshot().context : undefined;
  };
  daemon.peers = new Peers(peerDirectory(networks, {
    exposed: (id) => {
      const ctx = contextOf(id);
      return ctx ? exposedTcpPorts({ ExposedPorts: ctx.config.ExposedPorts, PortBindings: (ctx.hostConfig as { PortBindings?: PortRequestFields['PortBindings'] }).PortBindings ?? null }) : [];
    },
    dockerSocket: (id) => {
      const ctx = contextOf(id);
      return ctx && dockerSocketTarget(ctx.hostConfig as MountFields['HostConfig']);
    },
  }), daemon.agents, { agentWaitMs: daemon.agents.waitMs, ports: peerPorts, debug: logger.debug.bind(logger) });
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
      logSettleMs: logSettleMsFrom(settings.logSettleMs, simulator && simulatorIngestionMs(simulator, opts.simulator)),
      resources,
      hostConfig: { defaults: jobSettings.defaults, limits, secretEnv: jobSettings.secretEnv, registries },
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
    volumes: { volumes, shares },
    system: {
      daemon,
      imageCount: () => images.list().length,
      target,
      isolation: simulator?.isolationDetail,
      daemonId: state.instanceId,
      dataRoot: opts.dataRoot,
      usage: { daemon, images, volumes, resources, shares },
      environment: config.environment,
    },
  });

  const socketApi = servesDockerSocket ? inProcessApi(app) : undefined;
  if (socketApi) daemon.peers.serveApi = (stream) => socketApi.serve(stream);

  let callbackUrl: string | undefined = settings.callbackUrl;
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
  const shared = { jobs: sharedJobs, idleMs: settings.jobIdleMs, inUse };
  const reconciler = new Reconciler({ cloud, instanceId: state.instanceId, knows, logger, shared }, settings.reconcileIntervalMs);
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
      socketApi?.close();
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

/**
 * How long a follower waits after an execution's end for Log Analytics to ingest its last rows,
 * until the workspace has shown how late its rows arrive (then that lag decides: see
 * follow-logs.ts). Azure documents 20 s to 3 min as typical; the embedded simulator's own delay.
 */
function logSettleMsFrom(setting: number | undefined, simulatorIngestionMs: number | undefined): number {
  // (Against Azure: the documented typical worst case; the embedded simulator: twice its delay.)
  if (setting !== undefined) return setting;
  if (simulatorIngestionMs === undefined) return 180_000;
  return simulatorIngestionMs === 0 ? 0 : simulatorIngestionMs * 2;
}

/** The longest the embedded simulator takes to make a row queryable: its azure profile's figures, else its fixed delay. */
function simulatorIngestionMs(simulator: Simulator, options: SimulatorOptions | undefined): number {
  const { profile, figures } = simulator.profile;
  if (profile !== 'azure') return options?.ingestionDelayMs ?? 0;
  // Twice this is the guess below: the first rows of a new table pay a one-time delay on top.
  return Math.ceil((figures.ingestionDelayMs.max + figures.newTableDelayMs.max + figures.receiptLagMs.max) / 2);
}

/** How long attach waits for the agent to dial back from a job on Azure (agent/settings.ts's Azure default). */
const AZURE_AGENT_WAIT_MS = 180_000;
