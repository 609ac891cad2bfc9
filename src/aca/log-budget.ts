// The Log Analytics query API's limits, per user: 5 queries at once (more wait in a queue and
// get 429 after 3 min) and 200 queries per 30 s. Every follower of every container shares one
// budget per workspace, so a dozen `docker logs -f` slow down instead of being refused.

export interface QueryRates {
  /** Queries in flight at once. */
  concurrent: number;
  /** Queries started per window. */
  perWindow: number;
  windowMs: number;
}

/** Below Azure's 5 and 200/30 s: other clients of the same identity (the portal, az) share it. */
export const DEFAULT_QUERY_RATES: QueryRates = { concurrent: 4, perWindow: 150, windowMs: 30_000 };

/**
 * A sliding window (at most `perWindow` starts in any `windowMs`, as Azure counts) with a
 * concurrency gate: `run(fn)` starts fn when both allow it, in the order asked.
 */
export class QueryBudget {
  readonly #rates: QueryRates;
  /** Start times within the last window, oldest first. */
  readonly #starts: number[] = [];
  #inFlight = 0;
  readonly #waiting: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;
  /** Queries that had to wait for the window or a slot (a figure for tests and benchmarks). */
  waited = 0;
  started = 0;

  constructor(rates: QueryRates = DEFAULT_QUERY_RATES) {
    if (!(rates.concurrent >= 1 && rates.perWindow >= 1 && rates.windowMs > 0)) throw new RangeError('query budget: rates must be positive');
    this.#rates = rates;
  }

  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await fn();
    } finally {
      this.#inFlight--;
      this.#pump();
    }
  }

  #canStart(now: number): boolean {
    while (this.#starts.length > 0 && this.#starts[0]! <= now - this.#rates.windowMs) this.#starts.shift();
    return this.#inFlight < this.#rates.concurrent && this.#starts.length < this.#rates.perWindow;
  }

  #take(now: number): void {
    this.#starts.push(now);
    this.#inFlight++;
    this.started++;
  }

  #acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const now = Date.now();
    if (this.#waiting.length === 0 && this.#canStart(now)) {
      this.#take(now);
      return Promise.resolve();
    }
    this.waited++;
    return new Promise<void>((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener('abort', abort);
        resolve();
      };
      const abort = () => {
        const i = this.#waiting.indexOf(go);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', abort, { once: true });
      this.#waiting.push(go);
      this.#pump();
    });
  }

  #pump(): void {
    const now = Date.now();
    while (this.#waiting.length > 0 && this.#canStart(now)) {
      this.#take(now);
      this.#waiting.shift()!();
    }
    if (this.#waiting.length > 0 && this.#inFlight < this.#rates.concurrent && this.#timer === undefined) {
      // The window is full: look again when its oldest start leaves it.
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#pump();
      }, Math.max(1, this.#starts[0]! + this.#rates.windowMs - now + 1));
      this.#timer.unref?.();
    }
  }
}
