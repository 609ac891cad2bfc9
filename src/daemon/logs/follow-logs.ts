import type { Cloud, LogQuery, LogRow } from '../../aca/cloud';
import { isRetryable } from '../../aca/errors';

/** Failed polls in a row (throttled, 5xx, a partial answer) a follower rides out before giving up. */
const MAX_FAILED_POLLS = 5;
/** However late rows have been, a follower stops this long after the end at most. */
export const MAX_SETTLE_MS = 10 * 60_000;
/** Each poll looks back at least this far behind the newest row it saw, for rows that arrive out of order. */
const MIN_LOOKBACK_MS = 2_000;

export interface FollowOptions extends LogQuery {
  /** Keep reading until `ended()` is true. */
  follow: boolean;
  /** True once no more rows can be written (the execution is over). Checked before each query. */
  ended: () => boolean;
  /** Calls `wake` when something may have changed; returns an unsubscribe function. */
  subscribe: (wake: () => void) => () => void;
  pollIntervalMs: number;
  /**
   * After the end, keep reading this long (Log Analytics ingests late). 0: stop at the end, once
   * a poll brings nothing new. Otherwise this is the guess used until the workspace has shown how late
   * its rows arrive; from then on the bound is derived from that (see settleBound).
   */
  settleMs: number;
  signal?: AbortSignal;
}

/**
 * How long after an execution's end a follower keeps waiting for rows: the configured guess
 * until a row was seen arrive, then one and a half times the largest recent lag between a line's
 * time and the poll that first saw it, plus a poll interval (at most MAX_SETTLE_MS).
 */
export function settleBound(lag: number | undefined, settleMs: number, pollIntervalMs: number): number {
  if (settleMs === 0) return 0;
  if (lag === undefined) return Math.min(settleMs, MAX_SETTLE_MS);
  return Math.min(MAX_SETTLE_MS, Math.ceil(lag * 1.5) + pollIntervalMs);
}

/**
 * Log Analytics rows for a job, following new rows by polling. A poll happens on every `wake`
 * (a cloud change, the container exiting) or at the interval, whichever is first.
 *
 * Rows arrive late and out of order, and many share a TimeGenerated. So each poll asks again
 * for a window behind the newest row already seen (as wide as the workspace's ingestion lag),
 * and rows are told apart by (emit time, stream, line, occurrence): a row seen before is not
 * served twice, a late one behind the resume point is served when it shows up. Rows come in
 * emit-time order within a poll.
 */
export async function* followLogs(cloud: Cloud, opts: FollowOptions): AsyncGenerator<LogRow> {
  let since = opts.since;
  let tail = opts.tail;
  /** Rows received before this instant are older than a tail window and stay out. */
  let floorMs: number | undefined;
  const seen = new Map<string, { count: number; ingestedMs: number }>();
  let newestMs = 0;
  let endedAt = 0;
  let failedPolls = 0;
  let polls = 0;
  while (!opts.signal?.aborted) {
    const ended = !opts.follow || opts.ended();
    let rows: LogRow[];
    try {
      rows = await cloud.queryLogs({ ...opts, since, tail }, opts.signal);
      failedPolls = 0;
    } catch (err) {
      if (!isRetryable(err) || ++failedPolls >= MAX_FAILED_POLLS) throw err;
      await nextWake(opts, opts.pollIntervalMs);
      continue;
    }
    const arrivedLate = polls++ > 0;
    if (tail !== undefined && rows.length > 0 && rows.length >= tail) floorMs = Math.min(...rows.map(ingestedMs));
    tail = undefined;
    const inBatch = new Map<string, number>();
    const now = Date.now();
    let fresh = 0;
    for (const row of rows) {
      const received = ingestedMs(row);
      if (floorMs !== undefined && received < floorMs) continue;
      const key = `${row.time}\u0000${row.stream}\u0000${row.line}`;
      const occurrence = (inBatch.get(key) ?? 0) + 1;
      inBatch.set(key, occurrence);
      if ((seen.get(key)?.count ?? 0) >= occurrence) continue;
      seen.set(key, { count: occurrence, ingestedMs: received });
      newestMs = Math.max(newestMs, received);
      // A row the previous poll did not have shows how late rows arrive here.
      if (arrivedLate) cloud.logLag?.observe(now - Date.parse(row.time));
      fresh++;
      yield row;
    }
    const lag = cloud.logLag?.estimate();
    if (newestMs > 0) {
      const lookback = Math.min(MAX_SETTLE_MS, Math.max(MIN_LOOKBACK_MS, lag ?? opts.settleMs));
      const resumeMs = Math.max(opts.since?.getTime() ?? 0, newestMs - lookback);
      since = new Date(resumeMs);
      for (const [key, entry] of seen) if (entry.ingestedMs < resumeMs) seen.delete(key);
    }
    const settle = settleBound(lag, opts.settleMs, opts.pollIntervalMs);
    if (ended) {
      // Rows of lines written before the end arrive within the lag of the end: the bound runs
      // from the end, and grows when a row shows the lag is longer than thought.
      if (endedAt === 0) endedAt = Date.now();
      if (Date.now() - endedAt >= settle && (settle > 0 || fresh === 0)) return;
    }
    await nextWake(opts, ended ? Math.min(opts.pollIntervalMs, Math.max(settle, 1)) : opts.pollIntervalMs);
  }
}

function ingestedMs(row: LogRow): number {
  return Date.parse(row.ingested ?? row.time);
}

function nextWake(opts: FollowOptions, ms: number): Promise<void> {
  return new Promise((resolve) => {
    let woken = false;
    let unsubscribe = () => {};
    const done = () => {
      if (woken) return;
      woken = true;
      clearTimeout(timer);
      unsubscribe();
      opts.signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    opts.signal?.addEventListener('abort', done, { once: true });
    // A subscription may call back at once (an actor that already stopped), so it comes last.
    unsubscribe = opts.subscribe(done);
    if (woken) unsubscribe();
  });
}
