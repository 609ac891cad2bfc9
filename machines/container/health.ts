// Docker's health checks (moby daemon/health.go), as pure data and rules: the chart runs the
// probes on this schedule and folds each result in with `nextHealth`.

/** `Config.Healthcheck` as Docker stores it: durations in nanoseconds, 0 meaning "the default". */
export interface Healthcheck {
  Test: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** One probe, as `State.Health.Log` shows it. */
export interface HealthResult {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

/** `State.Health`. */
export interface Health {
  Status: HealthStatus;
  FailingStreak: number;
  Log: HealthResult[];
}

/** What the daemon needs to run one probe inside the container. */
export interface ProbeInput {
  containerId: string;
  argv: string[];
  workdir: string;
  timeoutMs: number;
}

const NS_PER_MS = 1_000_000;
const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_START_INTERVAL_MS = 5_000;
const DEFAULT_RETRIES = 3;
/** moby keeps the last five results. */
export const MAX_HEALTH_LOG = 5;
/** moby keeps at most 4 KiB of a probe's output. */
export const MAX_HEALTH_OUTPUT = 4096;

const ms = (ns: number | undefined, fallback: number) => (ns && ns > 0 ? Math.max(1, Math.round(ns / NS_PER_MS)) : fallback);

/** Whether the config asks for probes (absent, empty or `NONE` do not). */
export function hasProbes(hc: Healthcheck | undefined): hc is Healthcheck {
  return !!hc && hc.Test.length > 0 && hc.Test[0] !== 'NONE';
}

/** The command a probe runs: `CMD` execs its arguments, `CMD-SHELL` goes through `/bin/sh -c`. */
export function probeArgv(hc: Healthcheck): string[] {
  const [kind, ...rest] = hc.Test;
  if (kind === 'CMD-SHELL') return ['/bin/sh', '-c', rest.join(' ')];
  if (kind === 'CMD') return rest;
  return hc.Test;
}

export function probeTimeoutMs(hc: Healthcheck): number {
  return ms(hc.Timeout, DEFAULT_TIMEOUT_MS);
}

/** The wait before the next probe: the start interval while still in the start period (Docker 25+). */
export function probeIntervalMs(hc: Healthcheck, health: Health | null, startedAt: string, now: number): number {
  const interval = ms(hc.Interval, DEFAULT_INTERVAL_MS);
  const startPeriod = ms(hc.StartPeriod, 0);
  const inStartPeriod = health?.Status === 'starting' && now - Date.parse(startedAt) < startPeriod;
  return inStartPeriod ? ms(hc.StartInterval, DEFAULT_START_INTERVAL_MS) : interval;
}

/** A fresh `State.Health` at each start. */
export function startingHealth(): Health {
  return { Status: 'starting', FailingStreak: 0, Log: [] };
}

/**
 * Folds one probe's result in (moby's handleProbeResult): a pass makes it healthy; a failure
 * counts towards `Retries`, except while still `starting` inside the start period.
 */
export function nextHealth(health: Health, result: HealthResult, hc: Healthcheck, startedAt: string): Health {
  const Log = [...health.Log, result].slice(-MAX_HEALTH_LOG);
  if (result.ExitCode === 0) return { Status: 'healthy', FailingStreak: 0, Log };
  const startPeriod = ms(hc.StartPeriod, 0);
  const inStartPeriod = health.Status === 'starting' && startPeriod > 0 && Date.parse(result.Start) - Date.parse(startedAt) < startPeriod;
  if (inStartPeriod) return { ...health, Log };
  const FailingStreak = health.FailingStreak + 1;
  const retries = hc.Retries && hc.Retries > 0 ? hc.Retries : DEFAULT_RETRIES;
  return { Status: FailingStreak >= retries ? 'unhealthy' : health.Status, FailingStreak, Log };
}
