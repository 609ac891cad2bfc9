import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/** A token bucket: `burst` requests at once, then `perSecond`. */
export interface Rate {
  perSecond: number;
  burst: number;
}

/** ARM's budget for one subscription: reads (GET, LRO polls included) and writes (PUT, POST, DELETE). */
export interface ArmRates {
  reads: Rate;
  writes: Rate;
}

/**
 * Under Azure's published per-subscription token buckets (reads 250 + 25/s; writes and deletes
 * 200 + 10/s each), with room left for other clients of the same subscription.
 */
export const DEFAULT_ARM_RATES: ArmRates = {
  reads: { perSecond: 20, burst: 200 },
  writes: { perSecond: 8, burst: 150 },
};

/** The SDK hands requests an AbortSignalLike; this is all the bucket uses of one. */
type Signal = Pick<AbortSignal, 'aborted' | 'addEventListener' | 'removeEventListener'> & { reason?: unknown };

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal?: Signal;
  onAbort?: () => void;
}

/** Hands out tokens first come, first served; a throttled answer pauses it for its Retry-After. */
export class TokenBucket {
  readonly #rate: Rate;
  #tokens: number;
  #refilledAt = performance.now();
  #pausedUntil = 0;
  #queue: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(rate: Rate) {
    this.#rate = rate;
    this.#tokens = rate.burst;
  }

  /** Resolves when a request may go; rejects with the signal's reason if it is aborted first. */
  take(signal?: Signal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#queue.length === 0 && this.#tryTake()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          this.#queue = this.#queue.filter((w) => w !== waiter);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#queue.push(waiter);
      this.#schedule();
    });
  }

  /** Nobody gets a token for `ms` (ARM said Retry-After). */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, performance.now() + ms);
    this.#tokens = Math.min(this.#tokens, 0);
  }

  /** Requests waiting for a token now. */
  get waiting(): number {
    return this.#queue.length;
  }

  #tryTake(): boolean {
    const now = performance.now();
    if (now < this.#pausedUntil) return false;
    this.#tokens = Math.min(this.#rate.burst, this.#tokens + ((now - this.#refilledAt) / 1000) * this.#rate.perSecond);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#queue.length === 0) return;
    const now = performance.now();
    const untilToken = ((1 - this.#tokens) / this.#rate.perSecond) * 1000;
    const delay = Math.max(this.#pausedUntil - now, untilToken, 1);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      while (this.#queue.length > 0 && this.#tryTake()) {
        const waiter = this.#queue.shift()!;
        if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort);
        waiter.resolve();
      }
      this.#schedule();
    }, delay);
  }
}

/** One subscription's read and write buckets. */
export class ArmBudget {
  readonly rates: ArmRates;
  readonly reads: TokenBucket;
  readonly writes: TokenBucket;

  constructor(rates: ArmRates) {
    this.rates = rates;
    this.reads = new TokenBucket(rates.reads);
    this.writes = new TokenBucket(rates.writes);
  }

  bucketFor(method: string): TokenBucket {
    return method === 'GET' || method === 'HEAD' ? this.reads : this.writes;
  }

  /**
   * A pipeline policy placed per retry, so every attempt (LRO polls and the SDK's own retries
   * included) waits for a token; a 429 pauses every request of its kind for its Retry-After.
   */
  policy(): PipelinePolicy {
    return {
      name: 'sockerlessArmBudget',
      sendRequest: async (request, next) => {
        const bucket = this.bucketFor(request.method);
        await bucket.take(request.abortSignal);
        const response = await next(request);
        if (response.status === 429) bucket.pause(retryAfterMs(response.headers.get('retry-after')));
        return response;
      },
    };
  }
}

function retryAfterMs(header: string | undefined): number {
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = header === undefined ? NaN : Date.parse(header);
  return Number.isNaN(date) ? 1000 : Math.max(0, date - Date.now());
}

// Actors share one ARM client per daemon; two clouds on one subscription (tests, a reconnect)
// must share its budget too.
const budgets = new Map<string, ArmBudget>();

/**
 * The budget of a subscription (at an endpoint), made with `rates` the first time it is asked for.
 * A later client asking for other rates is refused: it would otherwise run silently at the first
 * client's rates (as the environment read once made the daemon's budget with the default ones).
 */
export function armBudgetFor(key: string, rates: ArmRates): ArmBudget {
  const budget = budgets.get(key);
  if (!budget) {
    const made = new ArmBudget(rates);
    budgets.set(key, made);
    return made;
  }
  if (formatArmRates(budget.rates) !== formatArmRates(rates)) {
    throw new Error(`the ARM budget of ${key} already runs at ${formatArmRates(budget.rates)}; a second client of it asked for ${formatArmRates(rates)}`);
  }
  return budget;
}

/** Rates as `SOCKERLESS_ARM_BUDGET` writes them: `reads=20/200,writes=8/150`. */
export function formatArmRates(rates: ArmRates): string {
  return `reads=${rates.reads.perSecond}/${rates.reads.burst},writes=${rates.writes.perSecond}/${rates.writes.burst}`;
}

/**
 * `SOCKERLESS_ARM_BUDGET`: `off`, or `reads=20/200,writes=8/150` (per second / burst); either
 * part may be left out and keeps its default.
 */
export function parseArmRates(value: string | undefined): ArmRates | 'off' {
  const text = value?.trim();
  if (!text) return DEFAULT_ARM_RATES;
  if (text === 'off') return 'off';
  const rates = { ...DEFAULT_ARM_RATES };
  for (const part of text.split(',')) {
    const match = /^\s*(reads|writes)\s*=\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+)\s*$/.exec(part);
    if (!match) throw new Error(`SOCKERLESS_ARM_BUDGET: expected off or reads=N/BURST,writes=N/BURST, got "${text}"`);
    const [, kind, perSecond, burst] = match;
    const rate = { perSecond: Number(perSecond), burst: Number(burst) };
    if (rate.perSecond <= 0 || rate.burst < 1) throw new Error(`SOCKERLESS_ARM_BUDGET: ${kind} needs a rate above 0 and a burst of at least 1`);
    rates[kind as keyof ArmRates] = rate;
  }
  return rates;
}
