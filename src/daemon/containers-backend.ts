import type { ContainerInput, Reply } from '../../machines/container';
import type { Cloud, LogRow } from '../aca/cloud';
import { pruneContainers } from '../container-resources/prune';
import type { Filters } from '../filters';
import { MAIN_SESSION } from '../agent/protocol';
import { connectedLink } from './agent/connected-link';
import type { AgentLink } from './agent/link';
import { attachSource, type AttachSource } from './attach-source';
import { containerLogs } from './container-logs';
import type { ContainerRef, ContainerRequest, Daemon } from './daemon';
import type { ExecConfig, ExecRecord } from './exec-store';

export interface LogTiming {
  pollIntervalMs: number;
  /** How long log following goes on after an execution ends (Log Analytics ingestion delay). */
  settleMs: number;
}

/**
 * The daemon as the Docker containers API sees it (the API's `ContainersBackend` and
 * `ExecBackend`): requests to
 * the container actors, and the agents, attachments and logs behind one surface, so that the
 * routes need none of the daemon's parts.
 */
export class DaemonContainers {
  constructor(
    private readonly daemon: Daemon,
    private readonly cloud: Cloud,
    private readonly timing: LogTiming,
  ) {}

  find(ref: string): ContainerRef | 'ambiguous' | undefined {
    return this.daemon.find(ref);
  }

  containers(): ContainerRef[] {
    return this.daemon.containers();
  }

  nameTaken = (name: string): boolean => this.daemon.nameTaken(name);

  agentRuns(): boolean {
    return this.daemon.agentRuns();
  }

  portBindings(input: Pick<ContainerInput, 'config' | 'hostConfig'>) {
    return this.daemon.portBindings(input);
  }

  publishedPorts(containerId: string) {
    return this.daemon.ports.of(containerId);
  }

  create(input: ContainerInput): Promise<Reply> {
    return this.daemon.create(input);
  }

  ask(ref: ContainerRef, event: ContainerRequest, opts?: { signal?: AbortSignal }): Promise<Reply> {
    return this.daemon.ask(ref, event, opts);
  }

  rename(id: string, name: string): Promise<Reply> {
    return this.daemon.rename(id, name);
  }

  announce(ref: ContainerRef, action: string): void {
    this.daemon.publish(ref.getSnapshot().context, action);
  }

  seenHostname(containerId: string): string | undefined {
    return this.daemon.agents.link(containerId)?.hostname;
  }

  resize(containerId: string, width: number, height: number): void {
    this.daemon.agents.link(containerId)?.resize(MAIN_SESSION, width, height);
  }

  outputDrained(ref: ContainerRef, timeoutMs: number): Promise<void> {
    return this.daemon.attachments.drained(ref.getSnapshot().context.execution?.executionName, timeoutMs);
  }

  logs(ref: ContainerRef, opts: { since?: Date; until?: Date; tail?: number; follow: boolean; signal: AbortSignal }): AsyncGenerator<LogRow> {
    return containerLogs(this.cloud, this.daemon, ref, { ...opts, pollIntervalMs: this.timing.pollIntervalMs, settleMs: this.timing.settleMs });
  }

  attachSource(ref: ContainerRef, opts: { register(link: AgentLink): void; done: Promise<void>; signal: AbortSignal }): Promise<AttachSource> {
    return attachSource(this.daemon, this.cloud, ref, {
      register: opts.register,
      onExecution: (execution) => this.daemon.attachments.track(execution, opts.done),
      pollIntervalMs: this.timing.pollIntervalMs,
      settleMs: this.timing.settleMs,
      signal: opts.signal,
    });
  }

  agentLink(ref: ContainerRef, what: string, signal?: AbortSignal): Promise<AgentLink> {
    return connectedLink(this.daemon, ref, what, signal);
  }

  jobMemory(containerId: string): string | undefined {
    return this.daemon.jobResources.get(containerId)?.memory;
  }

  prune(filters: Filters) {
    return pruneContainers(this.daemon, filters);
  }

  execCreate(containerId: string, config: ExecConfig): ExecRecord {
    return this.daemon.execs.create(containerId, config);
  }

  execGet(id: string): ExecRecord | undefined {
    return this.daemon.execs.get(id);
  }

  execResize(record: ExecRecord, width: number, height: number): void {
    if (record.channel && !record.channel.exit) this.daemon.agents.link(record.containerId)?.resize(record.channel.s, width, height);
  }
}
