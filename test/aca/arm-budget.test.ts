import { describe, expect, it } from 'vitest';
import { DEFAULT_ARM_RATES, parseArmRates, TokenBucket } from '../../src/aca/arm-budget';

describe('ARM budget', () => {
  it('lets a burst through at once, then hands out tokens at the rate, first come first served', async () => {
    const bucket = new TokenBucket({ perSecond: 50, burst: 3 });
    const order: number[] = [];
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 8 }, (_, i) => bucket.take().then(() => order.push(i))));
    const elapsed = performance.now() - t0;
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // 5 tokens beyond the burst at 50/s take about 100 ms; not a timing assertion on speed, a floor.
    expect(elapsed).toBeGreaterThanOrEqual(80);
  });

  it('a throttled answer pauses every request of its kind for the Retry-After', async () => {
    const bucket = new TokenBucket({ perSecond: 1000, burst: 100 });
    bucket.pause(150);
    const t0 = performance.now();
    await bucket.take();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('an aborted wait leaves the queue and rejects with the reason', async () => {
    const bucket = new TokenBucket({ perSecond: 1, burst: 1 });
    await bucket.take();
    const controller = new AbortController();
    const waiting = bucket.take(controller.signal);
    expect(bucket.waiting).toBe(1);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(bucket.waiting).toBe(0);
  });

  it('parses SOCKERLESS_ARM_BUDGET', () => {
    expect(parseArmRates(undefined)).toEqual(DEFAULT_ARM_RATES);
    expect(parseArmRates('off')).toBe('off');
    expect(parseArmRates('reads=5/10')).toEqual({ reads: { perSecond: 5, burst: 10 }, writes: DEFAULT_ARM_RATES.writes });
    expect(parseArmRates('writes=0.5/2, reads=5/10')).toEqual({ reads: { perSecond: 5, burst: 10 }, writes: { perSecond: 0.5, burst: 2 } });
    expect(() => parseArmRates('reads=fast')).toThrow(/SOCKERLESS_ARM_BUDGET/);
    expect(() => parseArmRates('writes=0/10')).toThrow(/above 0/);
  });
});
