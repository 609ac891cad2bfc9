import { dockerStatus, ZERO_TIME } from '../../../machines/container';
import type { NetworkView } from '../../container-resources';
import type { ContainerSnapshot } from '../../daemon/daemon';
import type { PortListItem } from '../../daemon/ports/view';

/** What inspect adds from the daemon's settings: secret values masked, and what ACA runs the container with. */
export interface InspectExtras {
  env: (env: string[]) => string[];
  resources: { cpu: number; memory: string };
}

const command = (ctx: ContainerSnapshot['context']) => [...(ctx.config.Entrypoint ?? []), ...(ctx.config.Cmd ?? [])];

/** `GET /containers/{id}/json`: everything derived from the actor's snapshot. */
export function inspectContainer(snap: ContainerSnapshot, view: NetworkView, extras?: InspectExtras) {
  const ctx = snap.context;
  const status = dockerStatus(snap);
  const [path = '', ...args] = command(ctx);
  return {
    Id: ctx.id,
    Created: ctx.created,
    Path: path,
    Args: args,
    State: {
      Status: status,
      Running: status === 'running',
      Paused: false,
      Restarting: status === 'restarting',
      OOMKilled: false,
      Dead: status === 'dead',
      Pid: 0,
      ExitCode: ctx.exitCode,
      Error: ctx.error,
      StartedAt: ctx.startedAt,
      FinishedAt: ctx.finishedAt,
    },
    Image: ctx.imageId,
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    LogPath: '',
    Name: ctx.name,
    RestartCount: ctx.restartCount,
    Driver: 'container-apps-jobs',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: { ...ctx.hostConfig, LogConfig: logConfig(ctx.hostConfig.LogConfig) },
    GraphDriver: { Name: 'none', Data: null },
    Mounts: view.Mounts,
    Config: extras ? { ...ctx.config, Env: extras.env(ctx.config.Env) } : ctx.config,
    NetworkSettings: view.NetworkSettings,
    // Where the container runs on Azure; not part of Docker's schema, so clients ignore it.
    // Cpu/Memory: the pair ACA runs the container with, HostConfig's limits rounded up to one.
    Aca: {
      JobName: ctx.jobName,
      ExecutionName: ctx.execution?.executionName ?? null,
      AgentConnected: ctx.agentConnected,
      ...(extras && { Cpu: extras.resources.cpu, Memory: extras.resources.memory }),
    },
  };
}

/**
 * docker-py and compose read output through the logs API only when the log driver is json-file,
 * journald or local; this daemon serves that API for every container (from Log Analytics), so the
 * default driver is shown as json-file, the one whose API behaviour it matches.
 */
function logConfig(given: unknown): { Type: string; Config: Record<string, string> } {
  const c = (given ?? {}) as { Type?: string; Config?: Record<string, string> | null };
  return { Type: c.Type || 'json-file', Config: c.Config ?? {} };
}

/** Docker's human status line for `docker ps` ("Up 3 seconds", "Exited (0) 2 minutes ago"). */
export function humanStatus(snap: ContainerSnapshot, now = Date.now(), status = dockerStatus(snap)): string {
  const ctx = snap.context;
  switch (status) {
    case 'created': return 'Created';
    case 'running': return `Up ${ago(now - Date.parse(ctx.startedAt))}`;
    case 'restarting': return `Restarting (${ctx.exitCode}) ${ago(now - Date.parse(ctx.finishedAt))} ago`;
    case 'removing': return 'Removal In Progress';
    case 'dead': return 'Dead';
    default:
      return ctx.finishedAt === ZERO_TIME ? `Exited (${ctx.exitCode})` : `Exited (${ctx.exitCode}) ${ago(now - Date.parse(ctx.finishedAt))} ago`;
  }
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 1) return 'Less than a second';
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'}`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} hour${h === 1 ? '' : 's'}`;
  return `${Math.round(h / 24)} days`;
}

/** One item of `GET /containers/json`. */
export function listItem(snap: ContainerSnapshot, view: NetworkView, status = dockerStatus(snap), ports: PortListItem[] = []) {
  const ctx = snap.context;
  return {
    Id: ctx.id,
    Names: [ctx.name],
    Image: ctx.config.Image,
    ImageID: ctx.imageId,
    Command: command(ctx).join(' '),
    Created: Math.floor(Date.parse(ctx.created) / 1000),
    Ports: ports,
    Labels: ctx.config.Labels,
    State: status,
    Status: humanStatus(snap, Date.now(), status),
    HostConfig: { NetworkMode: ctx.hostConfig.NetworkMode },
    NetworkSettings: { Networks: view.NetworkSettings.Networks },
    Mounts: view.Mounts,
  };
}
