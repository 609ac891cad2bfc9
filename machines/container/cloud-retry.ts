// The chart's own retries of a cloud operation, once the SDK's retries are spent.

/**
 * Cloud failures worth another try: ARM throttling, 5xx and dropped connections, and conflicts
 * (an operation on the job still under way). `kind` is the cloud's classification
 * (src/aca/errors.ts); anything else is final.
 */
const RETRYABLE_KINDS: ReadonlySet<unknown> = new Set(['throttled', 'transient', 'conflict']);

/** Calls of one cloud operation, first try included, before the chart gives up. */
export const MAX_CLOUD_ATTEMPTS = 5;

/** The back-off before the next call after `attempts` failed ones: `baseMs` doubling, at most 30 times it. */
export function cloudRetryDelayMs(attempts: number, baseMs = 1000): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 30 * baseMs);
}

export function isRetryable(error: unknown): boolean {
  const kind = typeof error === 'object' && error !== null ? (error as { kind?: unknown }).kind : undefined;
  return RETRYABLE_KINDS.has(kind);
}

/** The error kind with which a start on a shared job says the container needs a job of its own. */
export const OWN_JOB_KIND = 'own-job';

/** The shared start refused the container: it has volumes (an image's VOLUMEs) an execution template cannot mount. */
export function needsOwnJob(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { kind?: unknown }).kind === OWN_JOB_KIND;
}

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
