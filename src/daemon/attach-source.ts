import type { Cloud, LogRow } from '../aca/cloud';
import type { AgentLink } from './agent/link';
import { containerOutput, nextSnapshot } from './logs/container-output';
import type { ContainerRef, Daemon } from './daemon';
import { followLogs } from './logs/follow-logs';

export type AttachSource = { kind: 'agent'; link: AgentLink } | { kind: 'logs'; rows: AsyncGenerator<LogRow> };

export interface AttachSourceOptions {
  /** Called with the link as soon as it exists, before any of its output can arrive. */
  register(link: AgentLink): void;
  /** Told which execution the stream follows, once it knows. */
  onExecution(executionName: string): void;
  pollIntervalMs: number;
  settleMs: number;
  signal: AbortSignal;
}

/**
 * Where an attach reads the main process's output: the agent of the container's current start
 * (when it runs: output from now on) or of its next start (from its first byte). When no agent
 * takes part — none is configured, or it did not dial in time — Log Analytics instead.
 */
export async function attachSource(daemon: Daemon, cloud: Cloud, ref: ContainerRef, opts: AttachSourceOptions): Promise<AttachSource> {
  const first = ref.getSnapshot();
  const running = first.matches('running');
  const before = first.context.execution?.executionName;
  const current = running ? daemon.agents.link(ref.id) : undefined;
  // A container removed before it ever starts has no next link: stop waiting when its actor stops.
  const gone = new AbortController();
  const watch = ref.subscribe({ complete: () => gone.abort(), error: () => gone.abort() });
  if (ref.getSnapshot().status !== 'active') gone.abort();
  const link = running ? (current?.closed ? undefined : current) : await daemon.agents.nextLink(ref.id, AbortSignal.any([opts.signal, gone.signal]));
  watch.unsubscribe();
  if (opts.signal.aborted) return { kind: 'logs', rows: (async function* () {})() };
  if (!link) return { kind: 'logs', rows: containerOutput(cloud, ref, opts) };
  opts.register(link);
  const since = running ? new Date() : undefined;
  const snap = running ? first : await nextSnapshot(ref, (s) => s.context.execution?.executionName !== before, opts.signal);
  const execution = snap?.context.execution;
  if (execution) opts.onExecution(execution.executionName);
  if (await link.contact) return { kind: 'agent', link };
  if (!execution) return { kind: 'logs', rows: (async function* () {})() };
  const ended = () => {
    const s = ref.getSnapshot();
    return s.status !== 'active' || !s.matches('running') || s.context.execution?.executionName !== execution.executionName;
  };
  const rows = followLogs(cloud, {
    jobName: execution.jobName,
    executionName: execution.executionName,
    since,
    follow: true,
    ended,
    subscribe: (wake) => {
      const off = cloud.onChange(wake);
      const sub = ref.subscribe({ next: () => ended() && wake(), complete: wake, error: wake });
      return () => (off(), sub.unsubscribe());
    },
    pollIntervalMs: opts.pollIntervalMs,
    settleMs: opts.settleMs,
    signal: opts.signal,
  });
  return { kind: 'logs', rows };
}
