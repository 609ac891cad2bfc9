import type { ArmThrottle } from './faults';
import { armThrottleSchema, parseSetting } from './faults';

export interface ThrottleDecision {
  /** False: answer 429. */
  allowed: boolean;
  /** Whole tokens left, for `x-ms-ratelimit-remaining-subscription-reads|writes`. */
  remaining: number;
  /** Seconds until the next token (when not allowed). */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * ARM's token-bucket throttling: per subscription, one bucket for reads (GET) and one for
 * writes (PUT/POST/DELETE); each request takes a token, tokens refill continuously up to the
 * bucket size. Off (undefined config) by default.
 */
export class ArmThrottler {
  #config: ArmThrottle | undefined;
  #buckets = new Map<string, Bucket>();
  #throttled = 0;

  constructor(config?: ArmThrottle) {
    this.set(config);
  }

  /** Replaces the limits (undefined: off); buckets start full and the 429 count restarts. */
  set(config: ArmThrottle | undefined): void {
    this.#config = config === undefined ? undefined : parseSetting(armThrottleSchema, config, 'ARM throttle');
    this.#buckets.clear();
    this.#throttled = 0;
  }

  config(): ArmThrottle | undefined {
    return this.#config;
  }

  /** 429s sent since the limits were set. */
  throttled(): number {
    return this.#throttled;
  }

  /** Takes a token for one ARM request; undefined when throttling is off. */
  take(subscription: string, kind: 'read' | 'write', now = Date.now()): ThrottleDecision | undefined {
    const limits = kind === 'read' ? this.#config?.reads : this.#config?.writes;
    if (!limits) return undefined;
    const key = `${subscription.toLowerCase()}:${kind}`;
    const bucket = this.#buckets.get(key) ?? { tokens: limits.bucket, at: now };
    bucket.tokens = Math.min(limits.bucket, bucket.tokens + ((now - bucket.at) / 1000) * limits.refillPerSecond);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens), retryAfterSeconds: 0 };
    }
    this.#throttled++;
    return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / limits.refillPerSecond)) };
  }
}
