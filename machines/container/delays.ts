// The container chart's named delays. The daemon sets the cloud ones from its settings
// (src/daemon/lifecycle-timeouts.ts); the health schedule reads the clock (clock.ts).
import { cloudRetryDelayMs } from './cloud-retry';
import type { ContainerContext } from './types';

type Delay = number | ((args: { context: ContainerContext }) => number);

/** The chart's default wait for an expected agent (see the `agentWait` delay). */
export const AGENT_WAIT_MS = 10_000;
/** Docker's default grace between the stop signal and SIGKILL, seconds. */
export const DEFAULT_STOP_TIMEOUT = 10;
/** setTimeout's ceiling: "wait for ever" (-t -1) waits this long (about 24 days). */
const FOREVER_MS = 2 ** 31 - 1;

export const containerDelays = {
  /** The stop request's grace period (`docker stop -t N`). */
  stopTimeout: ({ context }) => {
    const seconds = context.stopRequest?.timeout ?? DEFAULT_STOP_TIMEOUT;
    return seconds < 0 ? FOREVER_MS : Math.min(seconds * 1000, FOREVER_MS);
  },
  /** After SIGKILL through the agent, how long before ACA's stop is the backstop. */
  killGrace: 2000,
  /**
   * How long start (launching) and a stop wait for an expected agent that has not dialled yet.
   * Kept below the schedule timeout, which is not checked while launching.
   */
  agentWait: AGENT_WAIT_MS,
  /** Docker's back-off before a restart by policy. */
  restartDelay: ({ context }) => context.restartDelayMs,
  /** How long one cloud operation (an ARM call and its long-running operation) may take. */
  operationTimeout: 120_000,
  /** How long an execution may stay pending (ACA's Processing) before the chart gives it up. */
  scheduleTimeout: 600_000,
  /** Back-off before the chart calls a failed cloud operation again. */
  cloudRetryDelay: ({ context }) => cloudRetryDelayMs(context.cloudAttempts),
} satisfies Record<string, Delay>;
