import { MAX_HEALTH_OUTPUT, type HealthResult, type ProbeInput } from '../../machines/container';
import type { Agents } from './agent/agents';

/**
 * One health probe, run as dockerd runs it (moby daemon/health.go): an exec of the test command
 * inside the container, through its agent, killed after the timeout (exit code -1, as moby
 * reports a probe that exceeded its timeout). Output is capped at 4 KiB.
 */
export async function runProbe(agents: Agents, input: ProbeInput, signal: AbortSignal): Promise<HealthResult> {
  const link = agents.link(input.containerId);
  // The replica may still be coming up: the probe runs once its agent has dialled, as dockerd's
  // first probe finds the process already running.
  if (link && !link.connected) await link.until(true, signal);
  const start = new Date().toISOString();
  if (!link?.connected) {
    const Output = signal.aborted ? 'health check cancelled' : 'health check could not run: the container has no agent to run it';
    return { Start: start, End: start, ExitCode: -1, Output };
  }
  const channel = link.exec({ argv: input.argv, env: [], workdir: input.workdir, tty: false, stdin: false });
  let output = '';
  channel.addSink({
    write: (_stream, data) => {
      if (output.length < MAX_HEALTH_OUTPUT) output = (output + data.toString('utf8')).slice(0, MAX_HEALTH_OUTPUT);
      return true;
    },
    end: () => {},
  });
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    channel.ended.then((exit) => ({ exit })),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), input.timeoutMs))),
    new Promise<'aborted'>((resolve) => signal.addEventListener('abort', () => resolve('aborted'), { once: true })),
  ]);
  clearTimeout(timer);
  const end = new Date().toISOString();
  if (outcome === 'timeout' || outcome === 'aborted') {
    if (!channel.exit) link.signal(channel.s, 'SIGKILL');
    const why = outcome === 'timeout' ? `Health check exceeded timeout (${input.timeoutMs / 1000}s)` : 'health check cancelled';
    return { Start: start, End: end, ExitCode: -1, Output: why };
  }
  return { Start: start, End: end, ExitCode: outcome.exit.code, Output: channel.error ?? output };
}
