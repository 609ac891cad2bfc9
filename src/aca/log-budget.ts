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

/** A token bucket with a concurrency gate: `run(fn)` starts fn when both allow it. */
export class QueryBudget {
  readonly #rates: QueryRates;
  #tokens: number;
  #refilledAt = Date.now();
  #inFlight = 0;
  readonly #waiting: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;
  /** Queries that had to wait for a token or a slot (a figure for tests and benchmarks). */
  waited = 0;
  started = 0;

  constructor(rates: QueryRates = DEFAULT_QUERY_RATES) {
    if (!(rates.concurrent >= 1 && rates.perWindow >= 1 && rates.windowMs > 0)) throw new RangeError('query budget: rates must be positive');
    this.#rates = rates;
    this.#tokens = rates.perWindow;
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

  #refill(): void {
    const now = Date.now();
    const rate = this.#rates.perWindow / this.#rates.windowMs;
    this.#tokens = Math.min(this.#rates.perWindow, this.#tokens + (now - this.#refilledAt) * rate);
    this.#refilledAt = now;
  }

  #canStart(): boolean {
    this.#refill();
    return this.#inFlight < this.#rates.concurrent && this.#tokens >= 1;
  }

  #take(): void {
    this.#tokens -= 1;
    this.#inFlight++;
    this.started++;
  }

  #acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.#waiting.length === 0 && this.#canStart()) {
      this.#take();
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
    while (this.#waiting.length > 0 && this.#canStart()) {
      this.#take();
      this.#waiting.shift()!();
    }
    if (this.#waiting.length > 0 && this.#inFlight < this.#rates.concurrent && this.#timer === undefined) {
      // Out of tokens: look again when the next one is due.
      const rate = this.#rates.perWindow / this.#rates.windowMs;
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#pump();
      }, Math.max(1, Math.ceil((1 - this.#tokens) / rate)));
      this.#timer.unref?.();
    }
  }
}
