// The container chart's named guards: questions about the container (its context) and the event.
// The daemon provides its own `reusesJob` and `agentLaunches`; the chart alone answers no to both.
import { hasProbes } from './health';
import { isRetryable, MAX_CLOUD_ATTEMPTS, needsOwnJob } from './cloud-retry';
import { restartsByPolicy } from './restart-policy';
import type { ContainerEvent } from './events';
import type { ContainerContext } from './types';
import { ZERO_TIME } from './clock';

interface GuardArgs {
  context: ContainerContext;
  event: ContainerEvent;
}
type Guard = (args: GuardArgs) => boolean;

const eventError = (event: ContainerEvent) => (event as { error?: unknown }).error;

export const containerGuards = {
  force: ({ event }) => event.type === 'REMOVE' && event.force,
  hasHealthcheck: ({ context }) => hasProbes(context.config.Healthcheck),
  healthy: ({ context }) => context.health?.Status === 'healthy',
  unhealthy: ({ context }) => context.health?.Status === 'unhealthy',
  /** The chart has tries left for the cloud operation under way. */
  attemptsLeft: ({ context }) => context.cloudAttempts + 1 < MAX_CLOUD_ATTEMPTS,
  /** The failed cloud call may succeed later, and the chart has tries left. */
  retryable: ({ context, event }) => context.cloudAttempts + 1 < MAX_CLOUD_ATTEMPTS && isRetryable(eventError(event)),
  /** Nothing says the execution ever began: no agent, no process end, not seen Running. */
  neverSeenRunning: ({ context }) =>
    !context.executionRunning && !context.agentConnected && context.processExit === null && context.stopRequest === null,
  changesResources: ({ event }) => event.type === 'UPDATE' && event.resources,
  notRunningWait: ({ event }) => event.type === 'WAIT' && event.condition === 'not-running',
  stopRequested: ({ context }) => context.stopRequest !== null,
  restartIntended: ({ context }) => context.intent === 'restart',
  removeIntended: ({ context }) => context.intent === 'remove' || context.hostConfig.AutoRemove,
  /** Rule 7: the exit restarts by the container's restart policy. */
  restartsByPolicy: ({ context }) => restartsByPolicy(context),
  hasJob: ({ context }) => context.jobExists,
  /** A container on a shared job owns none: its restart is a new execution, its removal deletes nothing. */
  ownsNoJob: ({ context }) => !context.jobExists,
  /**
   * The next execution runs on a job shared with every container of the same job-level
   * settings (one ARM write per start). The daemon provides it (reuse on, and the container's
   * settings can share); the chart alone runs every container on its own job.
   */
  reusesJob: () => false,
  /** The shared-job start refused the container (kind `own-job`): found only at start, e.g. an image's VOLUMEs. */
  needsOwnJob: ({ event }) => needsOwnJob(eventError(event)),
  /**
   * The next execution runs the in-job agent (it will dial back; signals, exec and the exit code
   * go through it). The daemon provides it (an agent launch is configured and its callback URL
   * known); the chart alone runs without one, and the execution's end comes from ACA.
   */
  agentLaunches: () => false,
  agentConnected: ({ context }) => context.agentConnected,
  processExited: ({ context }) => context.processExit !== null,
  /** The agent could not run the command at all (it reported why). */
  launchFailed: ({ context }) => context.processExit?.error !== undefined,
  /** The last start could not run the command and none before did (no StartedAt). */
  neverRan: ({ context }) => context.processExit?.error !== undefined && context.startFailed && context.startedAt === ZERO_TIME,
  /** Nothing to wait for before start answers: the process runs, or no agent will say so. */
  launched: ({ context }) => context.processStarted || context.execution?.agent !== true,
  killsAtOnce: ({ context }) => context.stopRequest?.signal === 'SIGKILL',
  agentExpected: ({ context }) => context.execution?.agent === true,
  /** `docker kill -s SIG` through a connected agent: only SIGKILL ends the container by itself. */
  signalOnly: ({ context, event }) => context.agentConnected && event.type === 'KILL' && event.signal !== 'SIGKILL',
  /** `docker kill` (or `-s KILL`) with SIGKILL. */
  sigkill: ({ event }) => event.type === 'KILL' && event.signal === 'SIGKILL',
} satisfies Record<string, Guard>;
