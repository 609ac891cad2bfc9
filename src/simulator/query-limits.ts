import { ServiceError } from './errors';
import type { Timing } from './profile/timing';

/** The query API's 429: the SDKs read `Retry-After` (seconds) and retry. */
export class QueryThrottled extends ServiceError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, 'ThrottledError', message);
  }
}

/**
 * The Log Analytics query API's documented limits, per user (the simulator has one): at most
 * `queryRate` queries per `queryRateWindowMs`; `queryConcurrency` run at once, up to
 * `queryQueue` more wait, and one that waits longer than `queryQueueWaitMs` is refused. Each
 * query holds its slot for a `queryMs` draw. Off in the instant profile.
 */
export class QueryLimiter {
  #timing: Timing;
  #starts: number[] = [];
  #running = 0;
  #queue: Array<{ go: () => void; timer: NodeJS.Timeout }> = [];

  constructor(timing: Timing) {
    this.#timing = timing;
  }

  /** Runs `query` within the limits, or throws QueryThrottled. */
  async run<T>(query: () => T): Promise<T> {
    if (!this.#timing.azure) return query();
    this.#admit();
    await this.#slot();
    try {
      await new Promise((resolve) => setTimeout(resolve, this.#timing.draw('queryMs')));
      return query();
    } finally {
      this.#release();
    }
  }

  #admit(): void {
    const now = Date.now();
    const windowMs = this.#timing.value('queryRateWindowMs');
    while (this.#starts.length > 0 && this.#starts[0]! <= now - windowMs) this.#starts.shift();
    if (this.#starts.length >= this.#timing.value('queryRate')) {
      const retryAfter = Math.max(1, Math.ceil((this.#starts[0]! + windowMs - now) / 1000));
      throw new QueryThrottled(
        `Too many requests: more than ${this.#timing.value('queryRate')} queries in ${windowMs / 1000} seconds. Retry after ${retryAfter} seconds.`,
        retryAfter,
      );
    }
    this.#starts.push(now);
  }

  #slot(): Promise<void> {
    if (this.#running < this.#timing.value('queryConcurrency')) {
      this.#running++;
      return Promise.resolve();
    }
    if (this.#queue.length >= this.#timing.value('queryQueue')) {
      return Promise.reject(new QueryThrottled(`Too many requests: ${this.#queue.length} queries are already queued.`, 1));
    }
    return new Promise((resolve, reject) => {
      const waitMs = this.#timing.value('queryQueueWaitMs');
      const entry = {
        go: () => {
          clearTimeout(entry.timer);
          this.#running++;
          resolve();
        },
        timer: setTimeout(() => {
          this.#queue = this.#queue.filter((e) => e !== entry);
          reject(new QueryThrottled(`Too many requests: the query waited ${Math.round(waitMs / 1000)} seconds in the queue.`, 1));
        }, waitMs),
      };
      this.#queue.push(entry);
    });
  }

  #release(): void {
    this.#running--;
    this.#queue.shift()?.go();
  }
}
