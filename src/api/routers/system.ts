import type { Context, Hono } from 'hono';
import { dockerStatus } from '../../../machines/container';
import type { ContainerRef } from '../../daemon/daemon';
import type { DockerEvent, EventBus } from '../../daemon/events';
import type { AppEnv } from '../env';
import { invalidParameter } from '../../errdefs';
import { filters } from '../query';
import { diskUsage, DISK_USAGE_TYPES, type DiskUsageSources } from '../render/disk-usage';
import type { AzureFileShares } from '../../volumes/azure-files';
import { API_VERSION, DAEMON_VERSION, MIN_API_VERSION } from '../version';
import { routeTable, type Route } from './route-table';
import os from 'node:os';

/** What the system routes ask of the daemon (moby's router/system Backend): its containers and its events. */
export interface SystemBackend {
  containers(): ContainerRef[];
  events: Pick<EventBus, 'on' | 'off' | 'past' | 'listenerCount'>;
}

export interface SystemDeps {
  daemon: SystemBackend;
  imageCount: () => number;
  /** One line saying where containers run (subscription/resource group/environment, or the simulator). */
  target: string;
  /** On the embedded simulator: how its executions are isolated (namespaces, or none and why). */
  isolation?: string;
  daemonId: string;
  dataRoot: string;
  /** What `GET /system/df` reports on. */
  usage: DiskUsageSources;
  /** The Container Apps environment the jobs run in (SOCKERLESS_ACA_ENVIRONMENT, or the simulator's). */
  environment?: string;
}

const pingHeaders = {
  'Api-Version': API_VERSION,
  Ostype: 'linux',
  'Docker-Experimental': 'false',
  'Builder-Version': '1',
  Swarm: 'inactive',
  'Cache-Control': 'no-cache, no-store, must-revalidate',
  Pragma: 'no-cache',
};

const eventFilterKeys = ['container', 'event', 'image', 'label', 'type', 'network', 'volume', 'daemon'] as const;

function matches(e: DockerEvent, f: Map<string, string[]>): boolean {
  const has = (k: string, v: string | undefined) => !f.get(k) || (v !== undefined && f.get(k)!.includes(v));
  const attrs = e.Actor.Attributes;
  return (
    has('type', e.Type) &&
    has('event', e.Action) &&
    (!f.get('container') || (e.Type === 'container' && f.get('container')!.some((c) => e.Actor.ID.startsWith(c) || attrs.name === c))) &&
    (!f.get('image') || f.get('image')!.includes(attrs.image ?? '')) &&
    fuzzyName(f.get('network'), e) &&
    fuzzyName(f.get('volume'), e) &&
    (!f.get('label') || f.get('label')!.every((l) => (l.includes('=') ? attrs[l.split('=')[0]!] === l.slice(l.indexOf('=') + 1) : l in attrs)))
  );
}

/** dockerd's fuzzy name match: a value that prefixes the actor's id or equals its name. */
function fuzzyName(values: string[] | undefined, e: DockerEvent): boolean {
  return !values || values.some((v) => e.Actor.ID.startsWith(v) || e.Actor.Attributes.name === v);
}

function seconds(value: string | undefined, name: string): number | undefined {
  if (!value) return undefined;
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Date.parse(value) / 1000;
  if (Number.isNaN(n)) throw invalidParameter(`invalid value for ${name}: ${value}`);
  return n;
}

type Ctx = Context<AppEnv>;

export function getPing(c: Ctx) {
  for (const [k, v] of Object.entries(pingHeaders)) c.header(k, v);
  return c.req.method === 'HEAD' ? c.body(null, 200) : c.text('OK');
}

export function getVersion(c: Ctx) {
  return c.json({
    Platform: { Name: 'Sockerless ACA' },
    Components: [{ Name: 'Engine', Version: DAEMON_VERSION, Details: { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: 'linux', Arch: 'amd64' } }],
    Version: DAEMON_VERSION,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: '',
    GoVersion: `node${process.versions.node}`,
    Os: 'linux',
    Arch: 'amd64',
    KernelVersion: 'azure-container-apps',
    BuildTime: '',
  });
}

export function getInfo(c: Ctx, deps: SystemDeps) {
  const statuses = deps.daemon.containers().map((r) => dockerStatus(r.getSnapshot()));
  const count = (s: string) => statuses.filter((x) => x === s).length;
  // Seed: a static descriptor of the ACA backend, with live container and image counts.
  return c.json({
    ID: deps.daemonId,
    Containers: statuses.length,
    ContainersRunning: count('running'),
    ContainersPaused: 0,
    ContainersStopped: count('exited') + count('created') + count('dead'),
    Images: deps.imageCount(),
    Driver: 'container-apps-jobs',
    DriverStatus: [
      ['Target', deps.target],
      ...(deps.environment ? [['ACA Environment', deps.environment]] : []),
      ...(deps.isolation ? [['Simulator isolation', deps.isolation]] : []),
      ['Networks', 'persisted records; synthetic addresses (not routed); on user networks containers reach each other by name over TCP through their agents'],
      ['Volumes', volumesStatus(deps.usage.shares)],
    ],
    Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Authorization: null, Log: ['azure-log-analytics'] },
    MemoryLimit: false,
    SwapLimit: false,
    CpuCfsPeriod: false,
    CpuCfsQuota: false,
    CPUShares: false,
    CPUSet: false,
    PidsLimit: false,
    IPv4Forwarding: false,
    Debug: false,
    NFd: 0,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'azure-log-analytics',
    CgroupDriver: 'none',
    CgroupVersion: '2',
    NEventsListener: deps.daemon.events.listenerCount('event'),
    KernelVersion: 'azure-container-apps',
    OperatingSystem: 'Azure Container Apps',
    OSVersion: '',
    OSType: 'linux',
    Architecture: 'x86_64',
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: null,
    NCPU: 2,
    MemTotal: 4 * 1024 ** 3,
    DockerRootDir: deps.dataRoot,
    Name: os.hostname(),
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: DAEMON_VERSION,
    Runtimes: { 'aca-jobs': { path: 'azure-container-apps-jobs' } },
    DefaultRuntime: 'aca-jobs',
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: false,
    Isolation: '',
    InitBinary: '',
    SecurityOptions: [],
    Warnings: deps.usage.shares ? [] : [`WARNING: ${volumesStatus(undefined)}`],
  });
}

export async function getDiskUsage(c: Ctx, deps: SystemDeps) {
  const types = c.req.queries('type') ?? [];
  for (const t of types) if (!(DISK_USAGE_TYPES as readonly string[]).includes(t)) throw invalidParameter(`unknown object type: ${t}`);
  return c.json(await diskUsage(deps.usage, types));
}

export function getEvents(c: Ctx, deps: SystemDeps) {
  const f = filters(c.req.query('filters'), eventFilterKeys);
  const since = seconds(c.req.query('since'), 'since');
  const until = seconds(c.req.query('until'), 'until');
  const bus = deps.daemon.events;
  const encode = (e: DockerEvent) => Buffer.from(JSON.stringify({ ...e, status: e.Action, id: e.Actor.ID, from: e.Actor.Attributes.image }) + '\n');
  let listener: ((e: DockerEvent) => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    if (listener) bus.off('event', listener);
    clearTimeout(timer);
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const inWindow = (e: DockerEvent) => (since === undefined || e.time >= since) && (until === undefined || e.time <= until);
      if (since !== undefined) for (const e of bus.past()) if (inWindow(e) && matches(e, f)) controller.enqueue(encode(e));
      const end = () => (stop(), controller.close());
      if (until !== undefined && until * 1000 <= Date.now()) return end();
      listener = (e) => inWindow(e) && matches(e, f) && controller.enqueue(encode(e));
      bus.on('event', listener);
      if (until !== undefined) timer = setTimeout(end, until * 1000 - Date.now());
    },
    cancel: stop,
  });
  c.env.outgoing?.once('close', stop);
  return c.body(body, 200, { 'Content-Type': 'application/json' });
}

/** `_ping`, version, info, disk usage and events, one line per endpoint (moby's router/system). */
export const SYSTEM_ROUTES: readonly Route<SystemDeps>[] = [
  [['GET', 'HEAD'], '/_ping', getPing],
  ['GET', '/version', getVersion],
  ['GET', '/info', getInfo],
  ['GET', '/system/df', getDiskUsage],
  ['GET', '/events', getEvents],
];

export const systemRouter = (deps: SystemDeps): Hono<AppEnv> => routeTable(SYSTEM_ROUTES, deps);

/** How volumes are backed: `docker info` says it in DriverStatus, and warns when named volumes cannot be mounted. */
function volumesStatus(shares: AzureFileShares | undefined): string {
  if (!shares) return 'named volumes cannot be mounted: no Azure Files storage account is configured (SOCKERLESS_ACA_STORAGE_ACCOUNT); anonymous volumes are EmptyDir';
  return `named volumes are Azure Files shares in storage account ${shares.settings.account}; anonymous volumes are EmptyDir`;
}
