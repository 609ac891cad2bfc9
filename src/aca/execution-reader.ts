import type { Execution, ExecutionEnd, ExecutionStatus } from './cloud';
import { isRetryable } from './errors';

/** One look at an execution: its status and, once terminal, how it ended; 'gone' on a 404. */
export type ExecutionLook = { status: ExecutionStatus; end?: ExecutionEnd } | 'gone';

export interface ReaderOptions {
  /** Reads one execution (the cloud's ARM call, errors already made CloudErrors). */
  read(execution: Execution, signal: AbortSignal): Promise<ExecutionLook>;
  /** What ends an execution that vanished. */
  vanished(execution: Execution): ExecutionEnd;
  /** Between two looks at an execution that said nothing new. */
  intervalMs: number;
  /** The reader's share of the ARM read budget: looks per second over all executions. */
  readsPerSecond: number;
  /** Looks in flight at once. */
  concurrency: number;
}

interface Watch {
  execution: Execution;
  resolve(end: ExecutionEnd): void;
  reject(err: unknown): void;
  onRunning?: () => void;
  sawRunning: boolean;
  dueAt: number;
  reading: boolean;
  /** A hint arrived during the look in flight: look again as soon as it returns. */
  hinted: boolean;
  detach(): void;
}

/**
 * One reader for every execution the daemon waits on without an agent, instead of a poller per
 * container: it looks at the most overdue execution next, paced to its share of the ARM read
 * budget, so a thousand quiet containers cost a bounded number of reads per second (each is
 * then looked at less often) rather than a thousand timers' worth. Change hints (the simulator's)
 * make one execution due at once. Transient failures are looked at again at the next interval.
 */
export class ExecutionReader {
  readonly #opts: ReaderOptions;
  readonly #watches = new Set<Watch>();
  readonly #abort = new AbortController();
  #inFlight = 0;
  #nextSlot = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;

  constructor(opts: ReaderOptions) {
    this.#opts = opts;
  }

  /** Executions being watched. */
  get size(): number {
    return this.#watches.size;
  }

  /** Resolves with the execution's end; `onRunning` is called once when it is first seen Running. */
  watch(execution: Execution, signal: AbortSignal, onRunning?: () => void): Promise<ExecutionEnd> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<ExecutionEnd>((resolve, reject) => {
      const onAbort = (): void => {
        this.#watches.delete(watch);
        reject(signal.reason);
      };
      const watch: Watch = {
        execution,
        resolve: (end) => {
          watch.detach();
          resolve(end);
        },
        reject: (err) => {
          watch.detach();
          reject(err);
        },
        onRunning,
        sawRunning: false,
        dueAt: 0,
        reading: false,
        hinted: false,
        detach: () => {
          this.#watches.delete(watch);
          signal.removeEventListener('abort', onAbort);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#watches.add(watch);
      this.#pump();
    });
  }

  /** Something changed in the cloud: that execution (or, unnamed, every one) is due now. */
  hint(executionName?: string): void {
    for (const watch of this.#watches) {
      if (executionName !== undefined && watch.execution.executionName !== executionName) continue;
      if (watch.reading) watch.hinted = true;
      else watch.dueAt = 0;
    }
    this.#pump();
  }

  close(): void {
    this.#abort.abort();
    clearTimeout(this.#timer);
  }

  #pump(): void {
    const now = performance.now();
    while (this.#inFlight < this.#opts.concurrency && this.#nextSlot <= now) {
      const next = this.#mostOverdue(now);
      if (!next) break;
      this.#nextSlot = Math.max(this.#nextSlot, now) + 1000 / this.#opts.readsPerSecond;
      void this.#look(next);
    }
    this.#arm(now);
  }

  #mostOverdue(now: number): Watch | undefined {
    let best: Watch | undefined;
    for (const watch of this.#watches) {
      if (watch.reading || watch.dueAt > now) continue;
      if (!best || watch.dueAt < best.dueAt) best = watch;
    }
    return best;
  }

  /** Wakes the pump when the next look is due (or the pacing allows it). */
  #arm(now: number): void {
    if (this.#inFlight >= this.#opts.concurrency) return;
    let due = Infinity;
    for (const watch of this.#watches) if (!watch.reading) due = Math.min(due, watch.dueAt);
    if (due === Infinity) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#timerAt = Infinity;
      return;
    }
    const at = Math.max(due, this.#nextSlot, now);
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#pump();
    }, Math.max(0, at - now));
    // Watches keep their actors alive; the reader's own timer must not keep the process up.
    this.#timer.unref();
  }

  async #look(watch: Watch): Promise<void> {
    watch.reading = true;
    watch.hinted = false;
    this.#inFlight++;
    try {
      const look = await this.#opts.read(watch.execution, this.#abort.signal);
      if (!this.#watches.has(watch)) return;
      if (look === 'gone') return watch.resolve(this.#opts.vanished(watch.execution));
      if (look.end) return watch.resolve(look.end);
      if (look.status === 'Running' && !watch.sawRunning) {
        watch.sawRunning = true;
        watch.onRunning?.();
      }
      watch.dueAt = watch.hinted ? 0 : performance.now() + this.#opts.intervalMs;
    } catch (err) {
      if (!this.#watches.has(watch) || this.#abort.signal.aborted) return;
      // The SDK has already retried this request; the watch outlives brief ARM outages.
      if (!isRetryable(err)) return watch.reject(err);
      watch.dueAt = performance.now() + this.#opts.intervalMs;
    } finally {
      watch.reading = false;
      this.#inFlight--;
      this.#pump();
    }
  }
}
