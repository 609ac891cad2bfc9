/** The chart's clocks for cloud operations (its `operationTimeout`, `scheduleTimeout` and `cloudRetryDelay`). */
export interface LifecycleTimeouts {
  /** One cloud operation with its long-running part: create and start, stop, delete (SOCKERLESS_OPERATION_TIMEOUT_MS, default 120 s). */
  operationMs: number;
  /** An execution pending in ACA before it is given up (SOCKERLESS_SCHEDULE_TIMEOUT_MS, default 10 min). */
  scheduleMs: number;
  /** The first back-off before the chart calls a failed cloud operation again; it doubles (SOCKERLESS_CLOUD_RETRY_MS, default 1 s). */
  cloudRetryMs: number;
}

export function lifecycleTimeoutsFromEnv(env: NodeJS.ProcessEnv): LifecycleTimeouts {
  return {
    operationMs: positive(env, 'SOCKERLESS_OPERATION_TIMEOUT_MS', 120_000),
    scheduleMs: positive(env, 'SOCKERLESS_SCHEDULE_TIMEOUT_MS', 600_000),
    cloudRetryMs: positive(env, 'SOCKERLESS_CLOUD_RETRY_MS', 1000),
  };
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer (milliseconds), got "${raw}"`);
  return value;
}
