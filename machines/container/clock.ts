// The chart's time: StartedAt, FinishedAt, a probe's timestamps and the health schedule read a
// clock the chart is given, never the machine's own. The chart alone runs on a fixed clock; the
// daemon gives it the real one (`withClock` in machine.ts), tests a fake one they move.
import { nextHealth, probeIntervalMs, startingHealth, type Health, type HealthResult } from './health';
import { errorMessage } from './cloud-retry';
import type { ContainerEvent } from './events';
import type { ContainerContext } from './types';

/** Milliseconds since the epoch. */
export type Now = () => number;

/** Docker's "never": StartedAt and FinishedAt of a container that has not started or ended. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** The chart's own clock, fixed at 2000-01-01: the machine alone is deterministic. */
export const FIXED_NOW: Now = () => Date.UTC(2000, 0, 1);

const iso = (now: Now) => new Date(now()).toISOString();

interface Args {
  context: ContainerContext;
  event: ContainerEvent;
}

/** What the clocked actions assign, read from `now` (the chart wraps each in `assign`). */
export function clockedAssignments(now: Now) {
  return {
    /** The execution began: StartedAt (the one before is kept for a launch that fails). */
    stampStart: {
      previousStartedAt: ({ context }: Args) => context.startedAt,
      startedAt: () => iso(now),
    },
    stampFinish: { finishedAt: () => iso(now) },
    /** Folds a probe's result into `State.Health` (a probe that could not run counts as failed). */
    recordHealth: {
      health: ({ context, event }: Args): Health => {
        const done = event as { output?: HealthResult; error?: unknown };
        const at = iso(now);
        const result = done.output ?? { Start: at, End: at, ExitCode: -1, Output: errorMessage(done.error) };
        return nextHealth(context.health ?? startingHealth(), result, context.config.Healthcheck!, context.startedAt);
      },
    },
  };
}

/** The wait before the next health probe (`--health-interval`, `--health-start-interval`). */
export function healthIntervalDelay(now: Now) {
  return ({ context }: { context: ContainerContext }) => probeIntervalMs(context.config.Healthcheck!, context.health, context.startedAt, now());
}
