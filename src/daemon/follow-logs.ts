import type { Cloud, LogQuery, LogRow } from '../aca/cloud';
import { isRetryable } from '../aca/errors';

/** Failed polls in a row (throttled, 5xx, a partial answer) a follower rides out before giving up. */
const MAX_FAILED_POLLS = 5;

export interface FollowOptions extends LogQuery {
  /** Keep reading until `ended()` is true. */
  follow: boolean;
  /** True once no more rows can be written (the execution is over). Checked before each query. */
  ended: () => boolean;
  /** Calls `wake` when something may have changed; returns an unsubscribe function. */
  subscribe: (wake: () => void) => () => void;
  pollIntervalMs: number;
  /** After the end, keep reading until no row arrived for this long (Log Analytics ingests late). */
  settleMs: number;
  signal?: AbortSignal;
}

/**
 * Log Analytics rows for a job, oldest first, following new rows by polling. A poll happens on
 * every `wake` (a cloud change, the container exiting) or at the interval, whichever is first.
 * Rows are deduplicated across polls by (time, position among rows of that time).
 */
export async function* followLogs(cloud: Cloud, opts: FollowOptions): AsyncGenerator<LogRow> {
  let since = opts.since;
  let lastTime = '';
  let seenAtLastTime = 0;
  let tail = opts.tail;
  let quietSince = 0;
  let failedPolls = 0;
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
    tail = undefined;
    let skip = seenAtLastTime;
    let fresh = 0;
    for (const row of rows) {
      if (row.time === lastTime && skip > 0) {
        skip--;
        continue;
      }
      if (row.time === lastTime) seenAtLastTime++;
      else (lastTime = row.time), (seenAtLastTime = 1);
      fresh++;
      yield row;
    }
    if (lastTime) since = new Date(lastTime);
    if (ended) {
      if (fresh > 0 || quietSince === 0) quietSince = Date.now();
      if (Date.now() - quietSince >= opts.settleMs) return;
    }
    await nextWake(opts, ended ? Math.min(opts.pollIntervalMs, opts.settleMs) : opts.pollIntervalMs);
  }
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
