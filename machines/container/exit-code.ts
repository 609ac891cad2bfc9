import { signalNumber } from './signals';
import type { ContainerContext, ExecutionOutcome } from './types';

/**
 * Rule 5 of the lifecycle: the exit code Docker reports for an ended execution.
 * SIGKILL is always 137 (ACA's stop cannot choose the signal, so the code it reports would be
 * SIGTERM's); otherwise the process's own code when the agent or ACA knows it; otherwise the
 * asked signal's 128+n, or the execution status (Succeeded 0, anything else 1).
 */
export function exitCodeOf(outcome: ExecutionOutcome, stop: ContainerContext['stopRequest']): number {
  if (stop?.signal === 'SIGKILL') return 137;
  if (outcome.exitCode !== undefined) return outcome.exitCode;
  if (stop) return 128 + signalNumber(stop.signal);
  return outcome.status === 'Succeeded' ? 0 : 1;
}

/** Docker's exit code for a container that could not start (127/126 mirror runc's answers). */
export function startFailureCode(message: string): number {
  if (/executable file not found|no such file or directory/i.test(message)) return 127;
  if (/permission denied/i.test(message)) return 126;
  return 128;
}

/** ACA's reasons for a failed execution whose container never started. */
const NEVER_STARTED: ReadonlySet<string> = new Set(['ImagePullFailure', 'ImagePullBackOff', 'ErrImagePull']);

/** Why the container of an ended execution never started (its image could not be pulled), if so. */
export function neverStarted(outcome: ExecutionOutcome): string | undefined {
  return outcome.reason !== undefined && NEVER_STARTED.has(outcome.reason) ? outcome.message || outcome.reason : undefined;
}

/**
 * Why an execution's end was never seen: its job or execution is gone (deleted outside the
 * daemon, or lost with the embedded simulator across a daemon restart), if so.
 */
export function vanished(outcome: ExecutionOutcome): string | undefined {
  return outcome.reason === 'NotFound' ? outcome.message || 'the execution vanished' : undefined;
}
