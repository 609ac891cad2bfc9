import type { Settings } from '../settings';

/** The chart's clocks for cloud operations (its `operationTimeout`, `scheduleTimeout` and `cloudRetryDelay`). */
export interface LifecycleTimeouts {
  /** One cloud operation with its long-running part: create and start, stop, delete (SOCKERLESS_OPERATION_TIMEOUT_MS, default 120 s). */
  operationMs: number;
  /** An execution pending in ACA before it is given up (SOCKERLESS_SCHEDULE_TIMEOUT_MS, default 10 min). */
  scheduleMs: number;
  /** The first back-off before the chart calls a failed cloud operation again; it doubles (SOCKERLESS_CLOUD_RETRY_MS, default 1 s). */
  cloudRetryMs: number;
}

export function lifecycleTimeoutsFrom(settings: Settings): LifecycleTimeouts {
  return { operationMs: settings.operationTimeoutMs, scheduleMs: settings.scheduleTimeoutMs, cloudRetryMs: settings.cloudRetryMs };
}
