// The clock the container charts run on: their timers (cloud timeouts, the stop grace, back-offs,
// the agent wait, health probes) and their timestamps (StartedAt, FinishedAt). The daemon runs on
// the real one; a test gives one it moves itself, so a chart timer fires when the test says.

/** xstate's clock (an actor system's timers) with the time of day. */
export interface ChartClock {
  setTimeout(fn: (...args: unknown[]) => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
  /** Milliseconds since the epoch. */
  now(): number;
}
