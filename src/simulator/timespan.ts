import { ServiceError } from './errors';

export interface TimeRange {
  /** Epoch milliseconds, inclusive. */
  start: number;
  /** Epoch milliseconds, inclusive. */
  end: number;
}

const DURATION = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const UNIT_MS = [7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000] as const;

function invalid(timespan: string): ServiceError {
  return new ServiceError(400, 'BadArgumentError', `Invalid timespan '${timespan}': expected an ISO 8601 duration or interval`);
}

/** An ISO 8601 duration (weeks, days, hours, minutes, seconds) in milliseconds, or undefined. */
function durationMs(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  return UNIT_MS.reduce((sum, unit, i) => sum + Number(match[i + 1] ?? 0) * unit, 0);
}

function instant(text: string): number | undefined {
  const value = Date.parse(text);
  return Number.isNaN(value) ? undefined : value;
}

/**
 * The body's `timespan` as @azure/monitor-query sends it: `PT1H` (ending now), `start/end`,
 * `start/duration` or `duration/end`.
 */
export function parseTimespan(timespan: string, now: number = Date.now()): TimeRange {
  const parts = timespan.split('/');
  if (parts.length === 1) {
    const ms = durationMs(parts[0]!);
    if (ms === undefined) throw invalid(timespan);
    return { start: now - ms, end: now };
  }
  if (parts.length !== 2) throw invalid(timespan);
  const [first, second] = parts as [string, string];
  const start = instant(first);
  const end = instant(second);
  if (start !== undefined && end !== undefined) return { start, end };
  const secondMs = durationMs(second);
  if (start !== undefined && secondMs !== undefined) return { start, end: start + secondMs };
  const firstMs = durationMs(first);
  if (firstMs !== undefined && end !== undefined) return { start: end - firstMs, end };
  throw invalid(timespan);
}
